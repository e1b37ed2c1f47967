"""The TLS edge (issue #21 item 7): ``deploy/nginx/saathi.conf.template``, rendered as the nginx
image renders it, run by Debian's nginx with a self-signed certificate in front of a real gateway
and a real portal (``python -m channels serve`` / ``python -m portal serve``).

A webhook signed by Twilio's rules over the public https URL goes through TLS and is answered (Rasa
is away: the gateway's own red-flag answer); a forged one is refused; HSTS on every answer; a body
over the limit stops at nginx; ``/metrics`` and ``/ready`` are not reachable from outside; plain
http is sent to https; the portal's sign-in page is rate-limited per client.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from channels.simclient import WebhookClient
from config.paths import ROOT
from tests.support.live import free_port
from tests.support.processes import running

TEMPLATE = ROOT / "deploy" / "nginx" / "saathi.conf.template"
nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(nginx is None or shutil.which("openssl") is None,
                                reason="needs Debian's nginx and openssl (apt-get install nginx)")
TOKEN = "edge-test-auth-token-0123456789abcdef"


def render(template: str, values: dict[str, str]) -> str:
    """envsubst as the nginx image runs it: only the variables given, nginx's own $vars stay."""
    rendered = re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)] if m.group(1) in values else m.group(0), template)
    assert "${SAATHI_" not in rendered
    return rendered


def self_signed(directory: Path) -> Path:
    """One certificate for localhost (the gateway's name here) and 127.0.0.1 (the portal's)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(directory / "gateway.key"), "-out", str(directory / "gateway.crt")],
                   check=True, capture_output=True, timeout=60)
    for suffix in ("key", "crt"):
        shutil.copy(directory / f"gateway.{suffix}", directory / f"portal.{suffix}")
    return directory / "gateway.crt"


def test_signed_webhook_through_tls_and_the_edge_limits(tmp_path):
    ports = {name: free_port() for name in ("http", "https", "gateway", "portal", "rasa")}
    https = f"https://localhost:{ports['https']}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SAATHI_", "DATABASE_URL", "REDIS_URL"))},
           "SAATHI_VAR_DIR": str(tmp_path / "var"), "GATEWAY_PORT": str(ports["gateway"]),
           "PORTAL_PORT": str(ports["portal"]), "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",  # Rasa away
           "TWILIO_AUTH_TOKEN": TOKEN, "SAATHI_PUBLIC_BASE_URL": https, "SAATHI_TRUSTED_PROXIES": "1",
           "PYTHONPATH": str(ROOT)}
    tls = tmp_path / "tls"
    tls.mkdir()
    certificate = self_signed(tls)
    site = render(TEMPLATE.read_text(), {
        "SAATHI_GATEWAY_HOST": "localhost", "SAATHI_PORTAL_HOST": "127.0.0.1",
        "SAATHI_GATEWAY_UPSTREAM": f"127.0.0.1:{ports['gateway']}", "SAATHI_PORTAL_UPSTREAM": f"127.0.0.1:{ports['portal']}",
        "SAATHI_TLS_DIR": str(tls), "SAATHI_EDGE_HTTP_PORT": f"127.0.0.1:{ports['http']}",
        "SAATHI_EDGE_HTTPS_PORT": f"127.0.0.1:{ports['https']}"})
    edge = tmp_path / "edge"
    (edge / "temp").mkdir(parents=True)
    (edge / "saathi.conf").write_text(site)
    (edge / "nginx.conf").write_text(  # what the image's own nginx.conf around conf.d/ does
        f"pid {edge}/nginx.pid;\nerror_log {edge}/error.log;\nevents {{}}\nhttp {{\n access_log off;\n"
        + "".join(f" {kind}_temp_path {edge}/temp/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f" include {edge}/saathi.conf;\n}}\n")
    checked = subprocess.run([nginx, "-t", "-p", str(edge), "-c", str(edge / "nginx.conf")],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    nginx_args = ("-p", str(edge), "-c", str(edge / "nginx.conf"), "-g", "daemon off;")
    with running(env, "channels", "serve", ready_url=f"http://127.0.0.1:{ports['gateway']}/health",
                 log=tmp_path / "gateway.log"), \
            running(env, "portal", "serve", ready_url=f"http://127.0.0.1:{ports['portal']}/health",
                    log=tmp_path / "portal.log"), \
            running(env, *nginx_args, program=(nginx,), ready_url=f"{https}/health", verify=str(certificate),
                    log=tmp_path / "nginx.log"):
        hooks = WebhookClient(https, https, TOKEN)
        hooks.session.verify = str(certificate)
        hooks.session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would win over verify
        answer = hooks.message("whatsapp:+919811100001", "saanp ne kaat liya")
        assert answer.status_code == 200, answer.text[:500]
        assert "108" in answer.text  # the emergency advice, from the gateway while Rasa is away
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=63072000")
        assert hooks.message("whatsapp:+919811100001", "hello", ).status_code == 200
        forged = hooks.post("/twilio/messaging", hooks.message_params("whatsapp:+919811100001", "hi"), signature="x")
        assert forged.status_code == 403 and "Strict-Transport-Security" in forged.headers
        too_big = hooks.session.post(f"{https}/twilio/messaging", data={"Body": "x" * (2 * 1024 * 1024)}, timeout=30)
        assert too_big.status_code == 413
        for path in ("/metrics", "/ready"):
            assert hooks.session.get(f"{https}{path}", timeout=10).status_code == 404
        inside = requests.get(f"http://127.0.0.1:{ports['gateway']}/metrics", timeout=10).text
        assert re.search(r'saathi_webhooks_total\{kind="messaging",outcome="accepted"\} 2\.0', inside)
        assert re.search(r'saathi_webhooks_total\{kind="messaging",outcome="forged"\} 1\.0', inside)
        plain = requests.get(f"http://127.0.0.1:{ports['http']}/twilio/messaging", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        # the portal behind the same edge (its name here: 127.0.0.1), sign-in page limited per client
        portal = f"https://127.0.0.1:{ports['https']}"
        page = hooks.session.get(f"{portal}/login", timeout=30)
        assert page.status_code == 200 and "Strict-Transport-Security" in page.headers
        statuses = [hooks.session.get(f"{portal}/login", timeout=30).status_code for _ in range(14)]
        assert 429 in statuses and statuses[:9] == [200] * 9, statuses
