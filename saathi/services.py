"""The processes of the assistant and a small supervisor that starts, watches and stops them.

``saathi up`` and the test suite both use this, so what is tested is what runs. Embedded
defaults: in-memory tracker store, no lock store, every server on 127.0.0.1. With
``TRACKER_STORE_URL`` (PostgreSQL) and ``REDIS_URL`` Rasa gets a SQL tracker store and a Redis
lock store, which is what lets it run several Sanic workers (``RASA_WORKERS``).
"""

from __future__ import annotations

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

from saathi import ROOT
from saathi.rasa_model import BOT_DIR, RASA_VENV, ensure_model, rasa_env
from saathi.settings import Settings, load

log = logging.getLogger(__name__)


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    startup_timeout: float = 120.0
    log_path: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)


def endpoints_yaml(settings: Settings) -> dict:
    """Rasa's endpoints for these settings (written to var/endpoints.yml at start)."""
    endpoints: dict = {"action_endpoint": {"url": settings.actions_url}}
    if settings.tracker_store_url:
        url = urlparse(settings.tracker_store_url)
        endpoints["tracker_store"] = {
            "type": "SQL",
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
    # One TensorFlow thread per worker: many short DIET inferences from concurrent turns fight over
    # TF's thread pools otherwise (bench, 10 users: p95 422 -> 338 ms, 41 -> 48 turns/s).
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    return Service(
        name="rasa",
        argv=[str(RASA_VENV / "bin" / "rasa"), "run", "--enable-api", "--model", str(model),
              "--interface", settings.host, "--port", str(settings.rasa_port),
              "--endpoints", str(endpoints), "--credentials", str(BOT_DIR / "credentials.yml"),
              "--log-file", str(settings.var_dir / "rasa.log")],
        env=env,
        health_url=f"http://{settings.host}:{settings.rasa_port}/status",
        startup_timeout=300.0,
    )


def actions_service(settings: Settings) -> Service:
    env = dict(os.environ)
    env["SANIC_HOST"] = settings.host  # rasa-sdk listens on 0.0.0.0 otherwise
    # Actions are CPU-bound Python: as many processes as Rasa has workers keeps both cores busy.
    env["ACTION_SERVER_SANIC_WORKERS"] = str(settings.rasa_workers)
    return Service(
        name="actions",
        argv=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.actions_port)],
        env=env,
        health_url=f"http://{settings.host}:{settings.actions_port}/health",
    )


def module_service(settings: Settings, name: str, module: str, command: str, port: int,
                   health: str = "/health", **env: str) -> Service:
    """One of our own ``python -m MODULE COMMAND`` processes, answering ``health`` on ``port``."""
    return Service(
        name=name,
        argv=[sys.executable, "-m", module, command],
        env=dict(os.environ, SAATHI_VAR_DIR=str(settings.var_dir), **env),
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
    """Brings the records, portal, ASHA, notify and triage-traffic tables to the latest schema
    (SQLite file or PostgreSQL): five Alembic histories, each with its own version table."""
    from records.portal_migrations import upgrade  # records' own migrations run first

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    from saathi.commands.pharmacy import seed_if_empty  # pharmacy tables + demo shops when empty

    seed_if_empty(settings.effective_database_url)
    from engine.asha import migrate as migrate_asha
    from engine.notify import migrate as migrate_notify
    from records import RecordsService

    records = RecordsService.from_settings(settings)  # its keys seal rows older tables held in clear
    migrate_asha(settings.effective_database_url, records)
    migrate_notify(settings.effective_database_url, records)
    from engine.triage.migrations import upgrade as migrate_traffic  # the de-identified drift log

    migrate_traffic(settings.effective_database_url)


def default_services(settings: Settings | None = None, model: Path | None = None) -> list[Service]:
    settings = settings or load()
    prepare_database(settings)
    channels = [gateway_service(settings)] + ([channels_worker_service(settings)] if settings.redis_url else [])
    portal = [portal_service(settings)] + ([portal_worker_service(settings)] if settings.redis_url else [])
    return [actions_service(settings), rasa_service(settings, model or ensure_model(settings=settings)), *channels,
            *portal]


class Supervisor:
    """Starts services in order, waits until each answers, and stops them all together."""

    def __init__(self, services: list[Service], log_dir: Path | None = None) -> None:
        self.services = services
        self.log_dir = log_dir or load().var_dir / "logs"

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            service.log_path = self.log_dir / f"{service.name}.log"
            with service.log_path.open("ab") as out:
                service.process = subprocess.Popen(
                    service.argv, cwd=ROOT, env=service.env, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )
        for service in self.services:
            self._wait_healthy(service)

    def _wait_healthy(self, service: Service) -> None:
        deadline = time.monotonic() + service.startup_timeout
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited during start-up; see {service.log_path}")
            try:
                if requests.get(service.health_url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{service.name} did not answer within {service.startup_timeout:.0f} s")

    def check(self) -> str | None:
        """Name of a service that has died, if any."""
        for service in self.services:
            if service.process and service.process.poll() is not None:
                return service.name
        return None

    def stop(self) -> None:
        for service in reversed(self.services):
            proc = service.process
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
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
