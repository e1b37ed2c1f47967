"""docker-compose.yml describes the full stack (no Docker engine here: parse and check it)."""

from __future__ import annotations

import yaml
from conftest import ROOT


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_every_service_of_the_stack_is_there():
    services = load()["services"]
    assert {"rasa", "actions", "gateway", "portal", "worker", "portal-worker", "postgres", "redis"} <= set(services)
    assert services["rasa"]["image"] == "rasa/rasa:3.6.21"


def test_published_ports_bind_to_loopback_only():
    for name, service in load()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
    ports = {name: s.get("ports") for name, s in load()["services"].items()}
    assert ports["rasa"] == ["127.0.0.1:5005:5005"]
    assert ports["gateway"] == ["127.0.0.1:5080:5080"]
    assert ports["portal"] == ["127.0.0.1:5090:5090"]


def test_app_services_share_database_redis_and_rasa_settings():
    services = load()["services"]
    for name in ("actions", "gateway", "portal", "worker", "portal-worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert services["actions"]["environment"]["SANIC_HOST"] == "0.0.0.0"


def test_rasa_uses_sql_tracker_and_redis_lock_store():
    endpoints = yaml.safe_load((ROOT / "deploy" / "rasa-endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["type"] == "SQL"
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"
def test_dockerfile_builds_the_python_services_image():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11" in text
    assert "build" in load()["services"]["actions"]
