"""Fetching the media of an inbound message, safely.

Twilio media URLs need the account's HTTP Basic credentials. They are sent only to hosts in
``TWILIO_MEDIA_HOSTS`` (Twilio's own; tests list the local stand-in), over HTTPS except on the
loopback interface; redirects are followed by hand, only to allowed hosts and without the
credentials. Type and size limits are checked before and while downloading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import requests

IMAGE_TYPES = {"image/jpeg", "image/jpg", "image/png", "image/webp"}
AUDIO_TYPES = {"audio/ogg", "audio/amr", "audio/mpeg", "audio/mp3", "audio/mp4", "audio/m4a", "audio/x-m4a",
               "audio/aac", "audio/wav", "audio/x-wav", "audio/opus"}
PDF_TYPES = {"application/pdf"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class MediaRefused(ValueError):
    """The URL or the content is not acceptable; ``reason`` picks the message for the user."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    content_type: str
    kind: str  # image | audio | pdf


def kind_of(content_type: str) -> str | None:
    content_type = content_type.split(";")[0].strip().lower()
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type in AUDIO_TYPES:
        return "audio"
    if content_type in PDF_TYPES:
        return "pdf"
    return None


class MediaFetcher:
    def __init__(self, settings: Any, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.hosts = {h.strip().lower() for h in settings.twilio_media_hosts.split(",") if h.strip()}
        self.session = session or requests.Session()

    def limit_for(self, kind: str) -> int:
        return {"image": self.settings.media_max_image_bytes, "audio": self.settings.media_max_audio_bytes,
                "pdf": self.settings.media_max_pdf_bytes}[kind]

    def host_allowed(self, url: str) -> bool:
        parsed = urlparse(url)
        host = (parsed.hostname or "").lower()
        netloc = parsed.netloc.lower().rsplit("@", 1)[-1]
        local_simulator = self.settings.simulator_enabled and host in _LOOPBACK
        if host not in self.hosts and netloc not in self.hosts and not local_simulator:
            return False
        return parsed.scheme == "https" or (parsed.scheme == "http" and host in _LOOPBACK)

    def fetch(self, url: str, declared_type: str, max_redirects: int = 3) -> Downloaded:
        kind = kind_of(declared_type)
        if kind is None:
            raise MediaRefused("unsupported", declared_type)
        upload = self._simulator_upload(url)
        if upload is not None:
            data = upload.read_bytes()
            if len(data) > self.limit_for(kind):
                raise MediaRefused("too_large", str(len(data)))
            return Downloaded(data=data, content_type=declared_type, kind=kind)
        if not self.host_allowed(url):
            raise MediaRefused("host", urlparse(url).netloc)
        limit = self.limit_for(kind)
        auth: tuple[str, str] | None = (self.settings.twilio_account_sid, self.settings.twilio_auth_token)
        for _ in range(max_redirects + 1):
            response = self.session.get(url, auth=auth, stream=True, timeout=20, allow_redirects=False)
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                response.close()
                if not self.host_allowed(url):
                    raise MediaRefused("host", urlparse(url).netloc)
                auth = None  # credentials go to the first (Twilio API) host only
                continue
            return self._read(response, kind, limit)
        raise MediaRefused("failed", "too many redirects")

    def _simulator_upload(self, url: str) -> Path | None:
        """A file uploaded in the /simulator page is read from disk (no HTTP to ourselves)."""
        prefix = f"{self.settings.gateway_base_url}/media/uploads/"
        if not self.settings.simulator_enabled or not url.startswith(prefix):
            return None
        name = url[len(prefix):]
        path = self.settings.var_dir / "channels" / "uploads" / name
        return path if "/" not in name and ".." not in name and path.is_file() else None

    def _read(self, response: requests.Response, kind: str, limit: int) -> Downloaded:
        with response:
            if response.status_code != 200:
                raise MediaRefused("failed", f"HTTP {response.status_code}")
            actual = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if actual and kind_of(actual) != kind and actual != "application/octet-stream":
                raise MediaRefused("unsupported", actual)
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > limit:
                raise MediaRefused("too_large", str(declared))
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise MediaRefused("too_large", f">{limit}")
                chunks.append(chunk)
        return Downloaded(data=b"".join(chunks), content_type=actual, kind=kind)
