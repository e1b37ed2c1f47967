"""channels.rasa.RasaClient reads the environment once per thread (issue #15: requests walked all of
os.environ on every message); what the environment says must still hold: a proxy set for the Rasa
URL carries the call, NO_PROXY sends it straight, and ~/.netrc credentials go with it."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.rasa import RasaClient


class _Rasa(BaseHTTPRequestHandler):
    """Answers like Rasa's REST channel and notes the request line and Authorization it got."""

    seen: list[tuple[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Rasa.seen.append((self.path, self.headers.get("Authorization", "")))
        body = json.dumps([{"text": "namaste"}]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    _Rasa.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Rasa)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                 "no_proxy", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))  # no netrc unless a test writes one


def test_a_proxy_in_the_environment_carries_the_call(server: ThreadingHTTPServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """HTTP_PROXY points at the stand-in: it gets the absolute URL of a Rasa that does not exist."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_port}")
    client = RasaClient("http://rasa.invalid:5005", "token")
    for _ in range(2):  # the second call uses the session (and what it read) of the first
        assert [m.text for m in client.send("s1", "hello")] == ["namaste"]
    assert [path.split("?")[0] for path, _ in _Rasa.seen] == ["http://rasa.invalid:5005/webhooks/rest/webhook"] * 2


def test_no_proxy_sends_it_straight(server: ThreadingHTTPServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens: used, the call would fail
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = RasaClient(f"http://127.0.0.1:{server.server_port}", "token")
    assert [m.text for m in client.send("s1", "hello")] == ["namaste"]
    assert _Rasa.seen[0][0].startswith("/webhooks/rest/webhook?token=token")


def test_netrc_credentials_go_with_the_call(server: ThreadingHTTPServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "netrc").write_text("machine 127.0.0.1 login saathi password secret\n")
    (tmp_path / "netrc").chmod(0o600)
    client = RasaClient(f"http://127.0.0.1:{server.server_port}", "token")
    client.send("s1", "hello")
    assert _Rasa.seen[0][1] == "Basic " + base64.b64encode(b"saathi:secret").decode()


def test_the_token_arrives_as_given_whatever_its_characters(server: ThreadingHTTPServer) -> None:
    """The token's query string is made once (not by requests on every call): Rasa must still read
    back exactly the token, spaces, '+', '&', '=' and non-Latin letters included."""
    from urllib.parse import parse_qs, urlsplit

    token = "a b+c/=&?ठीक"
    RasaClient(f"http://127.0.0.1:{server.server_port}", token).send("s1", "hello")
    path = _Rasa.seen[0][0]
    assert urlsplit(path).path == "/webhooks/rest/webhook"
    assert parse_qs(urlsplit(path).query) == {"token": [token]}
