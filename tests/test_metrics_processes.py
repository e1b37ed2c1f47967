"""``/metrics`` of every process as it runs (issue #21 item 1): the gateway, the action server
(two Sanic worker processes added up, prometheus-client's multiprocess mode), the portal, and both
RQ workers (jobs timed and failures counted in the worker, queues read from Redis).

Each is started as ``make run`` starts it (``python -m …``) on ports of its own, with real Redis
(a database of its own, so other sessions' workers do not take these jobs) and a SQLite file;
each is scraped over HTTP and the page parsed with prometheus-client's own parser.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from config.paths import ROOT
from config.settings import new_secret
from tests.support.live import free_port
from tests.support.processes import running
from tests.support.redis_server import redis_or_skip

REDIS_URL = "redis://127.0.0.1:6379/12"


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a ``/metrics`` page: (name, labels) -> value."""
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def sample(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    redis_or_skip(REDIS_URL, socket_timeout=2).flushdb()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SAATHI_", "DATABASE_URL", "TRACKER_STORE"))}
    return {**base, "SAATHI_VAR_DIR": str(tmp_path_factory.mktemp("var")), "REDIS_URL": REDIS_URL,
            "SAATHI_ACTIONS_TOKEN": new_secret(), "SAATHI_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            "RASA_PORT": str(free_port()), "ACTIONS_PORT": str(free_port()), "GATEWAY_PORT": str(free_port()),
            "PORTAL_PORT": str(free_port()), "WORKER_METRICS_PORT": str(free_port())}


def until(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.3)


def test_action_server_adds_up_its_worker_processes(env, tmp_path):
    port = env["ACTIONS_PORT"]
    base = f"http://127.0.0.1:{port}"
    server_env = {**env, "ACTION_SERVER_SANIC_WORKERS": "2"}
    with running(server_env, "actions.server", "--actions", "actions", "--port", port,
                 ready_url=f"{base}/health", log=tmp_path / "actions.log"):
        call = {"next_action": "action_greet", "sender_id": "metrics-test", "version": "3.6.21", "domain": {},
                "tracker": {"sender_id": "metrics-test", "slots": {}, "latest_message": {"text": "hi", "intent": {}},
                            "events": [], "paused": False, "followup_action": None, "active_loop": {},
                            "latest_action_name": "action_listen", "latest_input_channel": "rest"}}
        headers = {"Authorization": f"Bearer {env['SAATHI_ACTIONS_TOKEN']}"}
        for _ in range(8):
            assert requests.post(f"{base}/webhook", json=call, headers=headers, timeout=30).ok
        assert requests.post(f"{base}/webhook", json=call, timeout=30).status_code == 401
        samples = scrape(f"{base}/metrics")
        pids = {p.stem.split("_")[-1] for p in (Path(env["SAATHI_VAR_DIR"]) / "metrics" / f"actions-{port}").glob("*.db")}
    # eight calls counted whichever of the two workers took each; the refusal names no action
    assert sample(samples, "saathi_action_seconds_count", action="action_greet", outcome="ok") == 8
    assert sample(samples, "saathi_action_seconds_count", action="other", outcome="refused") == 1
    print(f"\naction server: samples from {len(pids)} worker process(es)")
    assert len(pids) >= 2  # both workers write their samples into the one directory


def test_portal_counts_sign_ins_and_reads_its_queue_and_outbox(env, tmp_path):
    base = f"http://127.0.0.1:{env['PORTAL_PORT']}"
    connection = redis.Redis.from_url(REDIS_URL)
    queue = Queue("portal", connection=connection)
    with running(env, "portal", "serve", ready_url=f"{base}/health", log=tmp_path / "portal.log"):
        for _ in range(2):
            answer = requests.post(f"{base}/api/v1/auth/token", json={"username": "nobody", "password": "x" * 12},
                                   timeout=30)
            assert answer.status_code == 401
        queue.enqueue("engine.metrics.code_name", "fine_job")
        queue.enqueue("builtins.int", "not a number")  # raises in the work horse: a failed job
        time.sleep(1.2)
        before = scrape(f"{base}/metrics")
        metrics_port = int(env["WORKER_METRICS_PORT"]) + 1
        worker_url = f"http://127.0.0.1:{metrics_port}/metrics"
        with running(env, "portal", "worker", ready_url=worker_url, log=tmp_path / "portal-worker.log"):
            until(lambda: queue.count == 0 and queue.failed_job_registry.count == 1)
            until(lambda: sample(scrape(worker_url), "saathi_job_failures_total", queue="portal", job="int") == 1)
            worker = scrape(worker_url)
            after = scrape(f"{base}/metrics")
    assert sample(before, "saathi_portal_logins_total", outcome="password_wrong") == 2
    assert sample(before, "saathi_queue_depth", queue="portal") == 2
    assert sample(before, "saathi_queue_oldest_job_age_seconds", queue="portal") >= 1.0
    assert sample(before, "saathi_queue_workers", queue="portal") == 0
    assert sample(before, "saathi_reminders_overdue") == 0  # the outbox table is there and empty
    assert sample(worker, "saathi_job_seconds_count", queue="portal", job="code_name", outcome="finished") == 1
    assert sample(worker, "saathi_job_seconds_count", queue="portal", job="int", outcome="failed") == 1
    assert sample(worker, "saathi_queue_depth", queue="portal") == 0
    assert sample(worker, "saathi_queue_failed_jobs", queue="portal") == 1
    assert sample(after, "saathi_queue_workers", queue="portal") == 1  # seen from the portal too


def test_gateway_and_media_worker(env, tmp_path):
    env = {**env, "SAATHI_LOG_LEVEL": "INFO"}  # each start's "text readers loaded" line
    base = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    worker_url = f"http://127.0.0.1:{env['WORKER_METRICS_PORT']}/metrics"
    queue = Queue("saathi-channels", connection=redis.Redis.from_url(REDIS_URL))
    with running(env, "channels", "serve", ready_url=f"{base}/health", log=tmp_path / "gateway.log"):
        forged = requests.post(f"{base}/twilio/messaging", data={"From": "+919811100000", "Body": "bukhar"},
                               headers={"X-Twilio-Signature": "forged"}, timeout=30)
        assert forged.status_code == 403
        with running(env, "channels", "worker", ready_url=worker_url, log=tmp_path / "worker.log"):
            queue.enqueue("channels.jobs.run_job", "channels.work.process_media", {"content_type": "image/jpeg"})
            queue.enqueue("channels.jobs.run_job", "engine.metrics.code_name", {})
            until(lambda: sum(v for (n, _), v in scrape(worker_url).items() if n == "saathi_job_seconds_count") == 2)
            worker = scrape(worker_url)
            gateway = scrape(f"{base}/metrics")
    text = "\n".join(f"{n}{sorted(labels)}" for n, labels in gateway)
    assert sample(gateway, "saathi_webhooks_total", kind="messaging", outcome="forged") == 1
    assert sample(gateway, "saathi_queue_workers", queue="saathi-channels") == 1
    assert "9811100000" not in text and "bukhar" not in text
    # OCR (a photo) timed under its own name: run_job's function, media by kind
    assert sample(worker, "saathi_job_seconds_count", queue="saathi-channels", job="process_media_image",
                  outcome="finished") == 1
    assert sample(worker, "saathi_job_seconds_count", queue="saathi-channels", job="code_name",
                  outcome="finished") == 1
    # both read the text readers once, at start, through the same start-up (channels.conversation)
    for name in ("gateway.log", "worker.log"):
        assert (tmp_path / name).read_text().count("text readers loaded") == 1, name


HOLD_PORT = """
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("holding", flush=True)
time.sleep(600)
"""


def serves_metrics(url: str) -> bool:
    try:
        return sample(scrape(url), "saathi_queue_depth", queue="saathi-channels") is not None
    except requests.RequestException:
        return False


def test_a_worker_binds_its_metrics_port_once_another_process_frees_it(env, tmp_path):
    """A worker started while another process holds its metrics port takes jobs meanwhile and
    serves ``/metrics`` once the port frees (before, it ran on without them until restarted)."""
    import subprocess
    import sys

    port = env["WORKER_METRICS_PORT"]
    url = f"http://127.0.0.1:{port}/metrics"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_PORT, port], stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        assert holder.stdout.readline().strip() == "holding"
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen([sys.executable, "-m", "channels", "worker"], env=env, cwd=ROOT,
                                      stdout=out, stderr=out)
        until(lambda: "binding it when it frees" in log.read_text(), timeout=90)
        assert worker.poll() is None  # it runs on
        holder.kill()  # the other process goes (a real release of the port)
        holder.wait(10)
        released = time.monotonic()
        until(lambda: serves_metrics(url), timeout=45)  # the longest pause between binds is 30 s
        print(f"\nmetrics served {time.monotonic() - released:.1f} s after the port was released")
    finally:
        for process in (holder, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)


def test_a_work_horse_that_outlives_its_killed_worker_does_not_keep_the_metrics_port(env, tmp_path):
    """RQ forks a work horse into a process group of its own, so SIGKILL of the worker leaves the
    horse running its job; the horse must not hold the worker's ``/metrics`` socket (a copy made
    by fork), or the restarted worker cannot bind it (seen once in bench/replicas.py)."""
    import signal
    import socket

    from tests.support.processes import children_of

    port = int(env["WORKER_METRICS_PORT"])
    url = f"http://127.0.0.1:{port}/metrics"
    connection = redis.Redis.from_url(REDIS_URL)
    horses: list[int] = []
    try:
        with running(env, "channels", "worker", ready_url=url, log=tmp_path / "worker.log") as worker:
            Queue("saathi-channels", connection=connection).enqueue("time.sleep", 120, job_timeout=180)
            until(lambda: bool(children_of(worker.pid)), timeout=60)
            horses = children_of(worker.pid)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        assert all(Path(f"/proc/{pid}").exists() for pid in horses)  # the horse runs on, its job in hand
        with socket.socket() as probe:  # nobody holds the port: a restarted worker binds it at once
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
        with running(env, "channels", "worker", ready_url=url, log=tmp_path / "restarted.log"):
            assert serves_metrics(url)
        assert "binding it when it frees" not in (tmp_path / "restarted.log").read_text()
    finally:
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        connection.flushdb()
