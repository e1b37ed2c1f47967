"""Readiness that means something: what a service needs, checked for real, named when missing.

``/health`` only says the process answers (a liveness probe restarts it otherwise). ``/ready``
runs the checks of what the service needs: the database answers ``SELECT 1``, Redis answers
``PING``, Rasa answers ``/status`` with its token, an RQ worker of the service's queue has a fresh
heartbeat, the records keyring loads, Twilio credentials are there in production. It answers 503
with a JSON body naming each check that failed and why (an exception's type, never a secret or a
URL with a password), 200 when all pass.

A check can be *degrading* instead of required: the gateway keeps answering while Rasa is away
(red flags itself, everything else kept for later, ``channels.backlog``), so taking it out of the
load balancer then would turn a slow answer into a lost webhook; its ``/ready`` says ``degraded``
with 200 and still names Rasa. ``saathi status`` prints the same bodies for an operator.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests

#: RQ refreshes a worker's heartbeat at least every worker_ttl (420 s) less 15 s; older is stale.
WORKER_HEARTBEAT_MAX_AGE = 480.0
CHECK_TIMEOUT = 2.0
OK = "ok"


class NotReady(Exception):
    """A check's verdict with its reason (said in the body as is)."""


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], str | None]  # raises when not ready; may return a detail ("2 workers", "skipped: …")
    required: bool = True


def run_checks(service: str, checks: list[Check], extra: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of ``/ready``: 503 when a required check failed."""
    results: dict[str, str] = {}
    failed: list[str] = []
    degraded: list[str] = []
    for check in checks:
        try:
            detail = check.run()
            results[check.name] = f"{OK} ({detail})" if detail and not detail.startswith("skipped") else (detail or OK)
        except Exception as exc:  # noqa: BLE001 - every failure is a verdict, by type (no secrets in bodies)
            results[check.name] = str(exc) if isinstance(exc, NotReady) else f"down: {type(exc).__name__}"
            (failed if check.required else degraded).append(check.name)
    status = "not ready" if failed else "degraded" if degraded else "ready"
    body = {"service": service, "status": status, "checks": results, "not_ready": failed + degraded, **(extra or {})}
    return (503 if failed else 200), body


@lru_cache(maxsize=8)
def _engine(url: str) -> Any:
    from records.db import make_engine

    return make_engine(url, pool_size=1)


def database(url: str) -> Callable[[], str | None]:
    def check() -> str | None:
        from sqlalchemy import text

        with _engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return "postgresql" if url.startswith("postgres") else "sqlite"

    return check


@lru_cache(maxsize=8)
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT)


def redis_ping(url: str) -> Callable[[], str | None]:
    def check() -> str | None:
        if not url:
            return "skipped: no REDIS_URL (embedded: jobs in-process)"
        _redis(url).ping()
        return None

    return check


def rasa(base_url: str, token: str) -> Callable[[], str | None]:
    def check() -> str | None:
        response = requests.get(f"{base_url.rstrip('/')}/status", params={"token": token}, timeout=CHECK_TIMEOUT)
        if response.status_code != 200:
            raise NotReady(f"down: HTTP {response.status_code}")
        return None

    return check


def workers(redis_url: str, queue: str) -> Callable[[], str | None]:
    """An RQ worker listening on ``queue`` whose heartbeat is fresh (without Redis, jobs run in-process)."""

    def check() -> str | None:
        if not redis_url:
            return "skipped: jobs run in this process"
        from rq import Worker

        now = time.time()
        fresh = [w for w in Worker.all(connection=_redis(redis_url))
                 if queue in w.queue_names() and w.last_heartbeat is not None
                 and now - w.last_heartbeat.timestamp() <= WORKER_HEARTBEAT_MAX_AGE]
        if not fresh:
            raise NotReady(f"down: no worker on {queue} with a heartbeat in the last {WORKER_HEARTBEAT_MAX_AGE:.0f} s")
        return f"{len(fresh)} worker(s)"

    return check


def keyring(settings: Any) -> Callable[[], str | None]:
    """The records keys load, as records says (:func:`records.crypto.keyring_status`: never created
    here, a missing key file is a finding, not a default)."""

    def check() -> str | None:
        from records.crypto import NoKeyring, keyring_status

        try:
            return keyring_status(settings)
        except NoKeyring as exc:
            raise NotReady(f"down: {exc}") from exc

    return check


def twilio(settings: Any) -> Callable[[], str | None]:
    """Account SID and auth token present (production only: the embedded demo runs without them)."""

    def check() -> str | None:
        if not settings.production:
            return "skipped: not production"
        missing = [name for name, value in (("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
                                            ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token)) if not value]
        if missing:
            raise NotReady(f"missing: {', '.join(missing)}")
        return None

    return check


def standard_checks(settings: Any, queue: str) -> list[Check]:
    """What every web service of ours needs: its database, Redis (when configured), a worker on its
    job queue, the records keys, and in production the Twilio account."""
    return [Check("database", database(settings.effective_database_url)),
            Check("redis", redis_ping(settings.redis_url)),
            Check("worker", workers(settings.redis_url, queue)),
            Check("keyring", keyring(settings)),
            Check("twilio", twilio(settings))]
