"""Correctly signed Twilio-style webhooks, for ``saathi simulate``, the benchmark and the tests.

Signs exactly as Twilio does (``RequestValidator.compute_signature`` over the public URL and
the form) but posts to wherever the gateway really listens, and serves local files over HTTP
so a "photo" or "voice note" can be fetched like Twilio media.
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator


@dataclass
class WebhookClient:
    local_base: str  # where the gateway listens, e.g. http://127.0.0.1:5080
    public_base: str  # what Twilio would call (signatures are over this)
    auth_token: str
    to: str = "whatsapp:+14155238886"
    session: requests.Session = field(default_factory=requests.Session)

    def sign(self, path: str, params: dict[str, str]) -> str:
        return RequestValidator(self.auth_token).compute_signature(self.public_base.rstrip("/") + path, params)

    def post(self, path: str, params: dict[str, str], signature: str | None = None,
             timeout: float = 60) -> requests.Response:
        headers = {"X-Twilio-Signature": signature if signature is not None else self.sign(path, params)}
        return self.session.post(self.local_base.rstrip("/") + path, data=params, headers=headers, timeout=timeout)

    def message_params(self, from_: str, text: str = "", media: Iterable[tuple[str, str]] = (),
                       sid: str | None = None) -> dict[str, str]:
        media = list(media)
        channel_to = self.to if from_.startswith("whatsapp:") else self.to.replace("whatsapp:", "")
        params = {"MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": "ACsimulated", "From": from_,
                  "To": channel_to, "Body": text, "NumMedia": str(len(media))}
        for index, (url, content_type) in enumerate(media):
            params[f"MediaUrl{index}"] = url
            params[f"MediaContentType{index}"] = content_type
        return params

    def message(self, from_: str, text: str = "", media: Iterable[tuple[str, str]] = (),
                sid: str | None = None) -> requests.Response:
        return self.post("/twilio/messaging", self.message_params(from_, text, media, sid))

    def call_step(self, step: str, call_sid: str, from_: str, **params: str) -> requests.Response:
        form = {"CallSid": call_sid, "AccountSid": "ACsimulated", "From": from_, "To": "+911234567890",
                "CallStatus": "in-progress", **params}
        return self.post(f"/voice/{step}", form)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@dataclass
class FileServer:
    """Serves one directory on 127.0.0.1 (a stand-in for Twilio's media host)."""

    directory: Path
    server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> FileServer:
        handler = functools.partial(_QuietHandler, directory=str(self.directory))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url_for(self, path: Path) -> tuple[str, str]:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"{self.base_url}/{path.name}", content_type

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
