"""One place per process builds the services (issue #15 item 2): no ``from_settings()`` deep inside
the libraries, no module-level service singletons, and a worker process makes one database engine
for all its jobs.

The scans read the code (``ast``), so a call or a cache hidden inside a function counts too. When a
new process or builder needs an exception, add it to the lists below with the reason: the lists are
the floor plan's record of who builds what (``docs/architecture.md``, "Composition roots").
"""

from __future__ import annotations

import ast
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "records", "engine", "actions", "channels", "portal", "saathi", "nlu")

#: ``X.from_settings(...)`` calls allowed, by file: the composition roots, and builders of value
#: objects (a Twilio notifier, Jitsi's keys, a throttle) that the roots call.
FROM_SETTINGS_ALLOWED = {
    "engine/services.py": {"RecordsService"},  # ProcessServices: the records service on the process's engine
    "channels/app.py": {"Gateway"},  # the gateway's app factory
    "channels/context.py": {"Gateway"},  # a plain `rq worker` with no root: the gateway built once
    "channels/__main__.py": {"Gateway"},  # `python -m channels worker`: the worker's root
    "engine/handoff/service.py": {"Notifier", "jitsi.JitsiConfig"},  # build_handoff, called by the roots
    "engine/notify/jobs.py": {"TwilioTransport"},  # build(): the transport over the process's sender
    "portal/services.py": {"Throttle"},  # the portal's sign-in throttle (settings only)
}

#: ``global`` names a function may rebind, by file: the one holder of the process's services
#: (the action server's too: rasa-sdk makes the actions without arguments), and caches of read-only data.
GLOBALS_ALLOWED = {
    "engine/services.py": {"_current"},  # engine.services.install/current: the process's services
    "actions/common.py": {"_SYMPTOM_ROWS"},  # the symptom menu read from data/, once
    "engine/meds/indic.py": {"_INDEX"},  # the medicine name index read from data/, once
    "engine/triage/__init__.py": {"_engine"},  # the loaded triage model (no database, no sender)
    "nlu/rasa_speedups.py": {"_INSTALLED"},  # a patch applied once inside Rasa
    "engine/ocr/tesseract.py": {"_pool"},  # this process's thread pool for Tesseract subprocesses (no state)
}

#: What a module-level ``name = Something(...)`` may not build: a service (the roots build those).
SERVICE_SUFFIXES = ("Service", "Services", "Sender", "Gateway", "Handoff", "Notifier")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _callee(func: ast.expr) -> str:
    """``RecordsService.from_settings`` -> ``RecordsService``; ``jitsi.JitsiConfig.from_settings`` ->
    ``jitsi.JitsiConfig``; a bare ``from_settings(...)`` -> ``""``."""
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value)
    return ""


def _called_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_from_settings_is_called_only_by_the_composition_roots():
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node.func) == "from_settings":
                callee = _callee(node.func)
                if callee not in FROM_SETTINGS_ALLOWED.get(name, set()):
                    found.append(f"{name}:{node.lineno} {callee or '?'}.from_settings()")
    assert not found, ("services built from the settings outside a composition root (hand them in from "
                       "the process's root, engine.services / channels.services / portal.services.compose):\n"
                       + "\n".join(found))


def test_no_module_keeps_a_service_singleton_of_its_own():
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                found += [f"{name}:{node.lineno} global {n}" for n in node.names
                          if n not in GLOBALS_ALLOWED.get(name, set())]
        for node in tree.body:  # module level only: a service built at import
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if isinstance(value, ast.Call) and _called_name(value.func).endswith(SERVICE_SUFFIXES):
                found.append(f"{name}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not found, ("a module keeps its own service (the process's root builds it once; jobs take it "
                       "from engine.services.current()):\n" + "\n".join(found))


def test_the_allowed_lists_name_files_that_exist():
    """A file that moved or no longer needs its exception must leave the lists."""
    for name in (*FROM_SETTINGS_ALLOWED, *GLOBALS_ALLOWED):
        assert (ROOT / name).is_file(), name
    modules = dict(_modules())
    for name, callees in FROM_SETTINGS_ALLOWED.items():
        used = {_callee(n.func) for n in ast.walk(modules[name])
                if isinstance(n, ast.Call) and _called_name(n.func) == "from_settings"}
        assert callees <= used, f"{name} no longer calls {sorted(callees - used)}.from_settings()"


@pytest.fixture
def worker_services(tmp_path, monkeypatch):
    """The portal worker's composition root (portal.services.compose, as ``python -m portal worker``
    runs it) on a SQLite database at the newest schema and the local Redis; ``made`` counts every
    SQLAlchemy engine made after the schema was brought up."""
    from engine import schema
    from engine.services import install
    from portal.services import compose
    from records import db
    from tests.support.notify import redis_connection
    from tests.support.portal import test_settings

    redis_connection()  # or skip
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    settings = dataclasses.replace(test_settings(tmp_path, "http://127.0.0.1:9"), database_url=url,
                                   redis_url="redis://127.0.0.1:6379/0")
    schema.upgrade(url)
    made: list[str] = []
    real = db.make_engine

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(str(args[0] if args else kwargs.get("url")))
        return real(*args, **kwargs)

    monkeypatch.setattr(db, "make_engine", counted)
    compose(settings)
    try:
        yield made
    finally:
        install(None)


def test_a_worker_builds_one_database_engine_for_all_its_jobs(worker_services):
    """Every kind of job the reminders worker runs (slot reminders, follow-ups, notifications,
    pharmacy holds), through a real RQ worker on Redis, on the one engine its root made."""
    from rq import Queue, SimpleWorker

    from tests.support.notify import redis_connection

    connection = redis_connection()
    queue = Queue(f"roots-test-{uuid.uuid4().hex[:8]}", connection=connection)
    nobody = str(uuid.uuid4())  # ids of nothing: each job looks in the database and finds no work
    jobs = [queue.enqueue(function, *args) for function, args in (
        ("engine.notify.jobs.dispatch", (nobody,)), ("engine.pharmacy.jobs.expire_reservation", (nobody,)),
        ("engine.pharmacy.jobs.sweep", ()), ("engine.notify.jobs.dispatch", (nobody,)),
        ("portal.jobs.remind", (nobody, "patient")), ("portal.jobs.follow_up", (nobody,)))]
    try:
        SimpleWorker([queue], connection=connection).work(burst=True)
        outcomes = [str(getattr(s, "value", s)) for s in (job.get_status(refresh=True) for job in jobs)]
        assert outcomes == ["finished"] * 4 + ["failed"] * 2, outcomes
        # the doctor handoff looked the case up in the database (RQ keeps the failure for a retry)
        assert all("no such case" in str(job.latest_result().exc_string) for job in jobs[4:])
        assert len(worker_services) == 1, worker_services  # the root's, made once; no job made its own
    finally:
        queue.delete(delete_jobs=True)


def test_each_process_entry_installs_its_root():
    """The worker entry points build their services before the first job (read from the code: the
    workers themselves run forever)."""
    channels_main = (ROOT / "channels" / "__main__.py").read_text(encoding="utf-8")
    portal_main = (ROOT / "portal" / "__main__.py").read_text(encoding="utf-8")
    worker = channels_main.split("def worker")[1]
    assert "gateway = Gateway.from_settings(settings)" in worker and "install(gateway)" in worker
    assert "gateway.services.sessions" in worker  # the one engine, made before the first fork
    assert "compose(settings)" in portal_main.split("def worker")[1]


def test_a_forked_work_horse_leaves_the_parents_connections_alone():
    """RQ forks a work horse per job from the worker whose root made the one engine: the horse
    uses the same engine with connections of its own (records.db), never the parent's sockets."""
    import os

    from sqlalchemy import text

    from records.db import make_engine
    from tests.support.records import PG_SERVER, pg_available

    if not pg_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    engine = make_engine(f"{PG_SERVER}/postgres")
    backend = "select pg_backend_pid()"
    try:
        with engine.connect() as conn:  # the parent's pooled connection (the root's start-up work)
            parent = conn.execute(text(backend)).scalar()
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the horse
            code = 1
            try:
                with engine.connect() as conn:
                    os.write(write, str(conn.execute(text(backend)).scalar()).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        _, status = os.waitpid(child, 0)
        in_child = int(os.read(read, 32) or 0)
        os.close(read)
        assert os.waitstatus_to_exitcode(status) == 0
        assert in_child and in_child != parent
        with engine.connect() as conn:  # the parent's connection still works after the horse ended
            assert conn.execute(text(backend)).scalar() == parent
    finally:
        engine.dispose()
