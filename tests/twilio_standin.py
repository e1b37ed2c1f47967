"""A local stand-in for Twilio's REST API and media host (the only stand-in the channel tests use).

It records every request (method, path, form, whether HTTP Basic credentials came with it),
answers ``Messages.json`` and ``Calls.json`` like Twilio (JSON resource with a SID), lists the
messages it took (``GET Messages.json``, filtered by ``To``, newest first, like Twilio's Messages
list), serves registered media files under ``/media/<name>``, can be told to fail the next
requests with a status code to exercise retries, and to hold its answer to a message it has taken
(``hold_answers``): the sender can then die after Twilio has the message and before it learns so.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email.utils
import http.server
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, list[str]]
    authorized: bool
    had_credentials: bool


@dataclass
class TwilioStandin:
    account_sid: str = "ACtest"
    auth_token: str = "test-token"
    requests: list[Recorded] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)
    codes: dict[int, int] = field(default_factory=dict)  # failure index -> Twilio error code
    created: list[dict] = field(default_factory=list)  # the messages taken, as Twilio lists them
    holding: bool = False
    released: threading.Event = field(default_factory=threading.Event)
    server: http.server.ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- control -----------------------------------------------------------------------
    def start(self) -> TwilioStandin:
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                standin._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                standin._handle(self, "POST")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def host(self) -> str:
        assert self.server is not None
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def add_media(self, name: str, data: bytes, content_type: str) -> str:
        self.media[name] = (data, content_type)
        return f"{self.url}/media/{name}"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def refuse_next(self, status: int, code: int) -> None:
        """The next request is refused with Twilio's error ``code`` (63016: outside WhatsApp's window …)."""
        self.codes[len(self.failures)] = code
        self.failures.append(status)

    def hold_answers(self) -> None:
        """From now on a message is taken (listed) but its answer waits for :meth:`release_answers`."""
        self.released.clear()
        self.holding = True

    def release_answers(self) -> None:
        self.holding = False
        self.released.set()

    def reset(self) -> None:
        with self._lock:
            self.created.clear()
            self.requests.clear()
            self.failures.clear()
            self.codes.clear()

    def sent_messages(self, to: str | None = None) -> list[dict[str, list[str]]]:
        with self._lock:
            return [r.form for r in self.requests if r.path.endswith("/Messages.json") and r.method == "POST"
                    and (to is None or r.form.get("To", [""])[0] == to)]

    def wait_for_messages(self, to: str, count: int = 1, timeout: float = 60.0) -> list[dict[str, list[str]]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.sent_messages(to)
            if len(messages) >= count:
                return messages
            time.sleep(0.1)
        raise AssertionError(f"expected {count} message(s) to the test number, got {len(self.sent_messages(to))}")

    # --- serving -------------------------------------------------------------------------
    def _handle(self, request: http.server.BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode() if length else ""
        header = request.headers.get("Authorization") or ""
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        path = urlparse(request.path).path
        record = Recorded(method, path, parse_qs(body), header == expected, bool(header))
        with self._lock:
            self.requests.append(record)
            failure = self.failures.pop(0) if self.failures else None
            code = self.codes.pop(0, 20500) if failure else 20500
            self.codes = {i - 1: c for i, c in self.codes.items()} if failure else self.codes
        if failure:
            return self._json(request, failure, {"code": code, "message": "stand-in failure", "status": failure})
        if path.startswith("/redirect/"):  # like Twilio's media URL answering with a CDN redirect
            target = parse_qs(urlparse(request.path).query).get("to", [""])[0]
            request.send_response(307)
            request.send_header("Location", target)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return None
        if path.startswith("/cdn/"):  # a pre-signed CDN URL: no credentials needed (or wanted)
            data, content_type = self.media.get(path.rsplit("/", 1)[-1], (b"", "text/plain"))
            request.send_response(200 if data else 404)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
            return None
        if path.startswith("/media/"):
            name = path.rsplit("/", 1)[-1]
            if not record.authorized:
                return self._json(request, 401, {"code": 20003, "message": "Authenticate", "status": 401})
            if name not in self.media:
                return self._json(request, 404, {"code": 20404, "message": "not found", "status": 404})
            data, content_type = self.media[name]
            request.send_response(200)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
            return None
        if not record.authorized:
            return self._json(request, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        if method == "POST" and path.endswith("/Messages.json"):
            message = {"sid": f"SM{uuid.uuid4().hex}", "status": "queued", "account_sid": self.account_sid,
                       "to": record.form.get("To", [""])[0], "from": record.form.get("From", [""])[0],
                       "body": record.form.get("Body", [""])[0],
                       "date_created": email.utils.format_datetime(dt.datetime.now(dt.timezone.utc))}
            with self._lock:
                self.created.append(message)
            if self.holding:  # Twilio has it; the sender hears so only when released (or never)
                self.released.wait(120)
            with contextlib.suppress(OSError):  # the sender may be gone (killed mid-send)
                self._json(request, 201, message)
            return None
        if method == "GET" and path.endswith("/Messages.json"):
            query = parse_qs(urlparse(request.path).query)
            to, size = query.get("To", [None])[0], int(query.get("PageSize", ["50"])[0])
            with self._lock:
                listed = [m for m in reversed(self.created) if to is None or m["to"] == to][:size]
            return self._json(request, 200, {"messages": listed, "page": 0, "page_size": size,
                                             "next_page_uri": None, "uri": path})
        if method == "POST" and path.endswith("/Calls.json"):
            return self._json(request, 201, {"sid": f"CA{uuid.uuid4().hex}", "status": "queued",
                                             "account_sid": self.account_sid})
        return self._json(request, 404, {"code": 20404, "message": "not found", "status": 404})

    @staticmethod
    def _json(request: http.server.BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
