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


def test_only_the_tls_edge_is_published():
    """Rasa, the action server, the gateway, the portal, PostgreSQL and Redis are on the internal
    network only; the edge (deploy/nginx) is the one door, with the template its image renders."""
    services = load()["services"]
    published = {name: s["ports"] for name, s in services.items() if s.get("ports")}
    assert published == {"edge": ["80:80", "443:443"]}
    edge = services["edge"]
    assert "./deploy/nginx/saathi.conf.template:/etc/nginx/templates/saathi.conf.template:ro" in edge["volumes"]
    assert edge["environment"]["SAATHI_GATEWAY_UPSTREAM"] == "gateway:5080"
    assert edge["environment"]["SAATHI_PORTAL_UPSTREAM"] == "portal:5090"
    gateway = services["gateway"]["environment"]
    assert gateway["SAATHI_PUBLIC_BASE_URL"].startswith("https://${SAATHI_GATEWAY_HOST:?")  # signatures over https
    assert gateway["SAATHI_TRUSTED_PROXIES"] == "1"


def test_app_services_keep_var_on_one_volume():
    """Records keys and files survive a recreated container, and every container has the same keyring."""
    compose = load()
    for name in ("actions", "gateway", "portal", "worker", "portal-worker"):
        service = compose["services"][name]
        assert "saathivar:/app/var" in service["volumes"] and service["environment"]["SAATHI_VAR_DIR"] == "/app/var"
    assert "saathivar" in compose["volumes"]
    assert "chown nobody /app/var" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_app_services_share_database_redis_and_rasa_settings():
    services = load()["services"]
    for name in ("actions", "gateway", "portal", "worker", "portal-worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert services["actions"]["environment"]["SANIC_HOST"] == "0.0.0.0"  # inside its container only


def test_rasa_uses_sql_tracker_and_redis_lock_store():
    endpoints = yaml.safe_load((ROOT / "deploy" / "rasa-endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["type"] == "bot.tracker_store.ErasingSQLTrackerStore"  # erases (issue #14)
    assert services_mount_bot()
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"


def services_mount_bot() -> bool:
    """The tracker store class is imported from bot/ inside the Rasa container."""
    rasa = load()["services"]["rasa"]
    return any(v.startswith("./bot:/app/bot") for v in rasa["volumes"]) and rasa["environment"]["PYTHONPATH"] == "/app"


def test_dockerfile_builds_the_python_services_image():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11" in text
    assert "build" in load()["services"]["actions"]


def test_rasa_runs_with_its_token_from_the_environment():
    rasa = load()["services"]["rasa"]
    assert rasa["entrypoint"] == ["python", "-m", "rasa_ext.run"]  # passes SAATHI_RASA_TOKEN as --auth-token
    assert "--auth-token" not in rasa["command"]  # never on a command line (`ps` shows those to everybody)
    assert rasa["environment"]["SAATHI_RASA_TOKEN"].startswith("${SAATHI_RASA_TOKEN:?")  # compose refuses without
    assert "./rasa_ext:/app/rasa_ext:ro" in rasa["volumes"]
    credentials = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text(encoding="utf-8"))
    assert list(credentials) == ["rasa_ext.rest.TokenRestInput"]  # the stock, open "rest" channel is gone


def test_the_action_server_answers_only_rasa_and_is_not_published():
    services = load()["services"]
    actions = services["actions"]
    assert actions["command"].startswith("python -m actions.server ")  # rasa-sdk behind the actions token
    assert "ports" not in actions and "expose" not in actions
    assert services["rasa"]["environment"]["SAATHI_ACTIONS_TOKEN"].startswith("${SAATHI_ACTIONS_TOKEN:?")


def test_rasa_sends_the_actions_token_from_both_endpoints_files(tmp_path):
    """Read by Rasa 3.6 itself (its loader expands ${...} only in plain YAML scalars)."""
    import subprocess

    from config.settings import Settings
    from saathi.services import endpoints_yaml

    generated = tmp_path / "endpoints.yml"
    generated.write_text(yaml.safe_dump(endpoints_yaml(Settings(var_dir=tmp_path / "var"))), encoding="utf-8")
    script = ("import sys\nfrom rasa.utils.endpoints import read_endpoint_config\n"
              "for f in sys.argv[1:]: print(read_endpoint_config(f, 'action_endpoint').headers['Authorization'])")
    done = subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", script, str(generated),
                           str(ROOT / "deploy" / "rasa-endpoints.yml")], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "SAATHI_ACTIONS_TOKEN": "the-token"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["Bearer", "the-token", "Bearer", "the-token"]
