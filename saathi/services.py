"""The processes of the assistant and a small supervisor that starts, watches and stops them.

``saathi up`` and the test suite both use this, so what is tested is what runs. Embedded
defaults: in-memory tracker store, no lock store, every server on 127.0.0.1. With
``TRACKER_STORE_URL`` (PostgreSQL) and ``REDIS_URL`` Rasa gets a SQL tracker store and a Redis
lock store, which is what lets it run several Sanic workers (``RASA_WORKERS``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import requests
import yaml

from config.paths import ROOT
from config.settings import SECRETS, Settings, check_production_secrets, load
from saathi.rasa_model import BOT_DIR, RASA_VENV, ensure_model, rasa_env

log = logging.getLogger(__name__)


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    startup_timeout: float = 120.0
    health_params: dict[str, str] = field(default_factory=dict, repr=False)  # e.g. Rasa's token
    log_path: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)


def secrets_env(settings: Settings) -> dict[str, str]:
    """Every secret of these settings as environment variables: the children of one supervisor
    share them whatever their own settings would resolve (an embedded var/keys/ or the environment)."""
    return {variable: getattr(settings, name) for name, (variable, _) in SECRETS.items()}


#: Rasa's tracker stores with erasure on "delete my data" and retention (bot/tracker_store.py).
SQL_TRACKER_STORE = "bot.tracker_store.ErasingSQLTrackerStore"
MEMORY_TRACKER_STORE = "bot.tracker_store.ErasingInMemoryTrackerStore"


def endpoints_yaml(settings: Settings) -> dict:
    """Rasa's endpoints for these settings (written to var/endpoints.yml at start)."""
    # Rasa expands ${SAATHI_ACTIONS_TOKEN} from its environment when it reads the file (plain YAML
    # scalars only), so the secret is never written to var/; the action server refuses calls without it.
    endpoints: dict = {"action_endpoint": {"url": settings.actions_url,
                                           "headers": {"Authorization": "Bearer ${SAATHI_ACTIONS_TOKEN}"}},
                       "tracker_store": {"type": MEMORY_TRACKER_STORE,
                                         "retention_days": settings.transcript_retention_days}}
    if settings.tracker_store_url:
        url = urlparse(settings.tracker_store_url)
        endpoints["tracker_store"] = {
            "type": SQL_TRACKER_STORE,
            "retention_days": settings.transcript_retention_days,
            "dialect": url.scheme.split("+")[0],
            "url": url.hostname,
            "port": url.port or 5432,
            "db": url.path.lstrip("/"),
            "username": url.username or "postgres",
            "password": url.password or "",
        }
    if settings.redis_url:
        url = urlparse(settings.redis_url)
        endpoints["lock_store"] = {
            "type": "redis",
            "url": url.hostname,
            "port": url.port or 6379,
            "db": int(url.path.lstrip("/") or 0),
            "key_prefix": "saathi",
        }
    return endpoints


def rasa_service(settings: Settings, model: Path) -> Service:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    endpoints = settings.var_dir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(endpoints_yaml(settings)), encoding="utf-8")
    env = rasa_env()
    env["SANIC_WORKERS"] = str(settings.rasa_workers)
    env["SAATHI_RASA_TOKEN"] = settings.rasa_token  # rasa_ext.run passes it on as --auth-token
    env["SAATHI_ACTIONS_TOKEN"] = settings.actions_token  # expanded in endpoints.yml (action_endpoint.headers)
    # One TensorFlow thread per worker: many short DIET inferences from concurrent turns fight over
    # TF's thread pools otherwise (bench, 10 users: p95 422 -> 338 ms, 41 -> 48 turns/s).
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    return Service(
        name="rasa",
        argv=[str(RASA_VENV / "bin" / "python"), "-m", "rasa_ext.run", "run", "--enable-api", "--model", str(model),
              "--interface", settings.host, "--port", str(settings.rasa_port),
              "--endpoints", str(endpoints), "--credentials", str(BOT_DIR / "credentials.yml"),
              "--log-file", str(settings.var_dir / "rasa.log")],
        env=env,
        health_url=f"http://{settings.host}:{settings.rasa_port}/status",
        health_params=settings.rasa_auth,
        startup_timeout=300.0,
    )


def actions_service(settings: Settings) -> Service:
    """rasa-sdk behind the actions token (actions/server.py), on SAATHI_HOST only."""
    env = dict(os.environ, **secrets_env(settings))
    env["SANIC_HOST"] = settings.host
    # Actions are CPU-bound Python: as many processes as Rasa has workers keeps both cores busy.
    env["ACTION_SERVER_SANIC_WORKERS"] = str(settings.rasa_workers)
    return Service(
        name="actions",
        argv=[sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(settings.actions_port)],
        env=env,
        health_url=f"http://{settings.host}:{settings.actions_port}/health",
    )


def module_service(settings: Settings, name: str, module: str, command: str, port: int,
                   health: str = "/health", **env: str) -> Service:
    """One of our own ``python -m MODULE COMMAND`` processes, answering ``health`` on ``port``."""
    return Service(
        name=name,
        argv=[sys.executable, "-m", module, command],
        env=dict(os.environ, SAATHI_VAR_DIR=str(settings.var_dir), **secrets_env(settings), **env),
        health_url=f"http://{settings.host}:{port}{health}",
    )


def gateway_service(settings: Settings) -> Service:
    """The Twilio webhook gateway (channels/); starts in about a second."""
    return module_service(settings, "gateway", "channels", "serve", settings.gateway_port,
                          GATEWAY_PORT=str(settings.gateway_port))


def channels_worker_service(settings: Settings) -> Service:
    """RQ worker for photo and voice-note jobs (only with REDIS_URL; otherwise jobs run in the gateway)."""
    return module_service(settings, "channels-worker", "channels", "worker", settings.gateway_port, "/health?worker=1")


def portal_service(settings: Settings) -> Service:
    """The provider portal (portal/): migrates its tables, then serves on PORTAL_PORT."""
    return module_service(settings, "portal", "portal", "serve", settings.portal_port,
                          PORTAL_PORT=str(settings.portal_port))


def portal_worker_service(settings: Settings) -> Service:
    """RQ worker with the scheduler for the portal's reminders (only with REDIS_URL)."""
    return module_service(settings, "portal-worker", "portal", "worker", settings.portal_port, "/health?worker=1")


def prepare_database(settings: Settings) -> None:
    """Brings every table (records, portal, ASHA, notify, triage traffic, pharmacy, surveillance) to
    the latest schema, SQLite file or PostgreSQL: one Alembic history with a branch per part
    (engine.schema); then the demo pharmacies (and surveillance events) when those tables are empty."""
    from engine import schema
    from engine.services import ProcessServices

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    records = ProcessServices(settings).records  # its keys seal rows older tables held in clear
    schema.upgrade(settings.effective_database_url, records)
    records.sessions.kw["bind"].dispose()  # the supervisor keeps no connection its children would inherit
    from saathi.commands.pharmacy import seed_if_empty

    seed_if_empty(settings.effective_database_url)
    if settings.surveillance_demo:  # a year of simulated de-identified events for the embedded demo
        from saathi.commands.surveillance import seed_demo_if_empty

        seed_demo_if_empty(settings.effective_database_url)


def default_services(settings: Settings | None = None, model: Path | None = None) -> list[Service]:
    settings = settings or load()
    check_production_secrets(settings)  # also for callers that skip `saathi` (benches, tests)
    prepare_database(settings)
    channels = [gateway_service(settings)] + ([channels_worker_service(settings)] if settings.redis_url else [])
    portal = [portal_service(settings)] + ([portal_worker_service(settings)] if settings.redis_url else [])
    return [actions_service(settings), rasa_service(settings, model or ensure_model(settings=settings)), *channels,
            *portal]


class Supervisor:
    """Starts services in order, waits until each answers, restarts one that dies, stops them all.

    A dead service is started again after a pause that doubles with each death in a row (``backoff``
    seconds, then twice that … up to ``max_backoff``), and the count starts over once it has run for
    ``stable_after`` seconds: one crashing service must not take the others down with it (the
    gateway keeps answering emergencies and keeps every other message while Rasa is away,
    channels/backlog.py), nor be restarted in a tight loop. :meth:`tend` does one round of that
    watch; ``saathi up`` calls it every second.
    """

    def __init__(self, services: list[Service], log_dir: Path | None = None, backoff: float = 1.0,
                 max_backoff: float = 60.0, stable_after: float = 60.0) -> None:
        self.services = services
        self.log_dir = log_dir or load().var_dir / "logs"
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        #: per service: deaths in a row, when it was last started, when a pending restart is due
        self._deaths: dict[str, int] = {}
        self._started: dict[str, float] = {}
        self._due: dict[str, float] = {}

    def service(self, name: str) -> Service:
        return next(service for service in self.services if service.name == name)

    def _spawn(self, service: Service) -> None:
        service.log_path = self.log_dir / f"{service.name}.log"
        with service.log_path.open("ab") as out:
            service.process = subprocess.Popen(
                service.argv, cwd=ROOT, env=service.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self._started[service.name] = time.monotonic()

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            self._spawn(service)
        for service in self.services:
            self._wait_healthy(service)

    def _wait_healthy(self, service: Service) -> None:
        deadline = time.monotonic() + service.startup_timeout
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited during start-up; see {service.log_path}")
            if self.healthy(service):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{service.name} did not answer within {service.startup_timeout:.0f} s")

    @staticmethod
    def healthy(service: Service) -> bool:
        try:
            return requests.get(service.health_url, params=service.health_params, timeout=2).ok
        except requests.RequestException:
            return False

    def check(self) -> str | None:
        """Name of a service that has died (and is not yet started again), if any."""
        for service in self.services:
            if service.process and service.process.poll() is not None:
                return service.name
        return None

    def delay(self, deaths: int) -> float:
        """Seconds before the restart that follows ``deaths`` deaths in a row (1, 2, 4 … capped)."""
        return min(self.max_backoff, self.backoff * 2 ** max(0, deaths - 1))

    def tend(self, now: float | None = None) -> list[str]:
        """One round of the watch: schedule the restart of each newly dead service, start those whose
        pause is over, forget the deaths of those that have run long enough. What happened, in words
        for an operator (no health data: service names, exit codes and seconds only)."""
        now = time.monotonic() if now is None else now
        events: list[str] = []
        for service in self.services:
            proc, name = service.process, service.name
            if proc is None:
                continue
            if proc.poll() is None:
                if name not in self._due and now - self._started.get(name, now) >= self.stable_after:
                    self._deaths.pop(name, None)
                continue
            if name not in self._due:
                self._kill_group(proc)  # a dead parent may leave workers holding its port
                deaths = self._deaths[name] = self._deaths.get(name, 0) + 1
                self._due[name] = now + self.delay(deaths)
                events.append(f"{name} stopped unexpectedly (exit code {proc.returncode}); restarting in "
                              f"{self.delay(deaths):.0f} s (death {deaths} in a row; see {service.log_path})")
            elif now >= self._due[name]:
                del self._due[name]
                self._spawn(service)
                events.append(f"{name} started again")
        for event in events:
            log.warning("%s", event)
        return events

    def restart(self, name: str, **env: str) -> None:
        """Stop one running service and start it again with ``env`` added, waiting until it answers:
        the bench's A/B rounds (bench/scaling.py ``--metrics-ab`` flips ``SAATHI_METRICS`` on the
        instrumented processes while Rasa keeps its model loaded). A dead one is :meth:`tend`'s."""
        service = self.service(name)
        proc = service.process
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._kill_group(proc)
                proc.wait(timeout=5)
        service.env = {**service.env, **env}
        self._spawn(service)
        self._wait_healthy(service)

    @staticmethod
    def _kill_group(proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        self._due.clear()
        for service in reversed(self.services):
            proc = service.process
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            elif proc:
                self._kill_group(proc)  # its leader died: what it left (Sanic's workers) must not linger
        for service in self.services:
            proc = service.process
            if proc:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)

    def __enter__(self) -> Supervisor:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
