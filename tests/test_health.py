"""``/health`` and ``/ready`` (issue #21 item 2) and ``saathi status``.

Real parts: the gateway app on a real SQLite file or PostgreSQL, real Redis (a registered RQ worker
with a real heartbeat, then a stale one), closed ports for what is down, and the session's
supervised gateway, portal, action server and Rasa for ``saathi status``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from dataclasses import replace

import pytest

from channels.app import create_app
from channels.context import Gateway, set_worker_gateway
from channels.rasa import RasaClient
from engine.store import MemoryStore
from tests.support.redis_server import redis_or_skip

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
pytest_plugins = ["tests.channels_fixtures"]

#: a database of its own: RQ workers other tests (or sessions) register in theirs must not count here
REDIS_URL = "redis://127.0.0.1:6379/9"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ready(settings, **overrides):
    """(status code, body) of the gateway's /ready for these settings."""
    settings = replace(settings, **overrides)
    gateway = Gateway.from_settings(settings, rasa=RasaClient(settings.rasa_base_url, settings.rasa_token),
                                    store=MemoryStore())
    client = create_app(settings, gateway).test_client()
    assert client.get("/health").get_json() == {"status": "ok"}  # alive whatever else is going on
    response = client.get("/ready")
    set_worker_gateway(None)
    return response.status_code, response.get_json()


def make_keyring(settings) -> None:
    from records.crypto import FileKeyProvider

    FileKeyProvider(settings.effective_master_key_file)


def test_missing_keyring_is_not_ready_and_rasa_away_only_degrades(channel_settings):
    rasa_down = f"http://127.0.0.1:{closed_port()}"
    code, body = ready(channel_settings, rasa_url=rasa_down)
    assert code == 503 and body["status"] == "not ready"
    assert body["checks"]["keyring"] == "down: no key file" and "keyring" in body["not_ready"]
    make_keyring(channel_settings)
    code, body = ready(channel_settings, rasa_url=rasa_down)
    # the gateway answers red flags and keeps the rest while Rasa is away: named, but still 200
    assert code == 200 and body["status"] == "degraded" and body["not_ready"] == ["rasa"]
    assert body["checks"]["rasa"] == "down: ConnectionError"
    assert body["checks"]["database"] == "ok (sqlite)" and body["checks"]["keyring"] == "ok (file)"
    assert body["checks"]["redis"].startswith("skipped") and body["checks"]["twilio"].startswith("skipped")
    assert body["waiting_for_rasa"] == 0


def test_redis_down_and_worker_heartbeat(channel_settings):
    make_keyring(channel_settings)
    code, body = ready(channel_settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    assert code == 503 and {"redis", "worker"} <= set(body["not_ready"])
    connection = redis_or_skip(REDIS_URL)
    from rq import Queue, Worker

    from channels.jobs import QUEUE_NAME

    for stale in Worker.all(connection=connection):  # what an interrupted run of this test left
        stale.register_death()
    code, body = ready(channel_settings, redis_url=REDIS_URL)
    assert code == 503 and "worker" in body["not_ready"] and "redis" not in body["not_ready"]
    assert body["checks"]["worker"].startswith("down: no worker on saathi-channels")
    worker = Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection,
                    name=f"test-{uuid.uuid4().hex[:8]}")
    worker.register_birth()
    try:
        worker.heartbeat()
        code, body = ready(channel_settings, redis_url=REDIS_URL)
        assert body["checks"]["worker"] == "ok (1 worker(s))" and "worker" not in body["not_ready"]
        assert body["checks"]["redis"] == "ok"
        connection.hset(worker.key, "last_heartbeat", "2020-01-01T00:00:00.000000Z")  # a hung worker
        code, body = ready(channel_settings, redis_url=REDIS_URL)
        assert code == 503 and "worker" in body["not_ready"]
    finally:
        worker.register_death()


def test_production_needs_twilio_credentials_and_its_database(channel_settings, production_secrets):
    from tests.support.production import UNREACHED_PG
    from tests.support.records import PG_SERVER, pg_available

    make_keyring(channel_settings)
    code, body = ready(channel_settings, database_url=UNREACHED_PG, twilio_account_sid="", twilio_auth_token="")
    assert code == 503 and {"database", "twilio"} <= set(body["not_ready"])
    assert body["checks"]["twilio"] == "missing: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN"
    assert "postgres@" not in str(body) and "saathi_never_created" not in str(body)  # no URL in the body
    if not pg_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    code, body = ready(channel_settings, database_url=f"{PG_SERVER}/postgres")
    assert body["checks"]["database"] == "ok (postgresql)" and body["checks"]["twilio"] == "ok"
    assert "database" not in body["not_ready"] and "twilio" not in body["not_ready"]


@pytest.mark.rasa
def test_saathi_status_reads_every_running_service(rasa_stack):
    """The session's supervised stack: all four ready; ``saathi status`` says so and exits 0."""
    from saathi.commands.status import probe

    reports = {report["service"]: report for report in probe(rasa_stack.settings)}
    assert set(reports) == {"gateway", "portal", "actions", "rasa"}
    for report in reports.values():
        assert report["alive"] and report["status"] == "ready" and report["ready_http"] == 200, report
    assert reports["gateway"]["checks"]["rasa"] == "ok"
    assert reports["actions"]["checks"]["keyring"] == "ok (file)"
    env = dict(os.environ, RASA_PORT=str(rasa_stack.settings.rasa_port),
               ACTIONS_PORT=str(rasa_stack.settings.actions_port), SAATHI_VAR_DIR=str(rasa_stack.settings.var_dir))
    done = subprocess.run([sys.executable, "-m", "saathi.cli", "status"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == ["gateway", "portal", "actions", "rasa"]
    assert all("alive  ready" in line for line in lines if not line.startswith(" "))
    assert "    backlog    0 message(s) waiting for Rasa" in lines
