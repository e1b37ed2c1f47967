"""The one way out to Twilio's REST API: messages (text and media) and calls (the outbound port).

Lives in the engine because every process sends: the gateway answers, the notify jobs remind,
the doctor handoff calls and texts. Each process has one sender, built by its composition root
(:attr:`engine.services.ProcessServices.sender`; the gateway hands in its own), so in-process jobs
share the gateway's memory store (delivery status, the simulator's outbox).

Uses the ``twilio`` client; its HTTP client is wrapped so the API base URL is a setting (tests
point it at a local stand-in, ``tests/twilio_standin.py``). Sending retries with exponential
backoff on network errors, 429 and 5xx, never on 4xx (a bad number stays bad). Every message
asks for a status callback so delivery is tracked (:mod:`channels.views.status`). Numbers that
start with ``+000`` belong to the simulator and go to its outbox instead of Twilio.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from engine.metrics import counter
from engine.store import Store
from records.identity import bare_number, sender_id

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
SIMULATOR_PREFIX = "+000"
#: WhatsApp's limit per message body; longer replies are split (see channels.types.whatsapp.render).
WHATSAPP_MAX_CHARS = 1600


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client with ``https://api.twilio.com`` replaced by a configured base URL."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any):  # type: ignore[override]
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


@dataclass
class SendResult:
    sid: str
    status: str
    attempts: int


#: Every attempt at Twilio's API: ``sent``, ``error_<Twilio error code>`` (21211 bad number, 63016
#: outside WhatsApp's 24-hour window …), ``http_<status>`` without a code, or ``network``. Labels
#: are numbers and fixed words only: never the number called or the text.
TWILIO_SENDS = counter("saathi_twilio_sends_total", "Twilio API calls by kind (message, call) and result",
                       ["kind", "result"])


def send_result(exc: Exception | None) -> str:
    if exc is None:
        return "sent"
    if isinstance(exc, TwilioRestException):
        code = exc.code if isinstance(exc.code, int) else None
        return f"error_{code}" if code else f"http_{int(exc.status)}"
    return "network"


class SendFailed(RuntimeError):
    """Twilio refused the message or could not be reached after all retries."""


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, TwilioRestException):
        return exc.status == 429 or exc.status >= 500
    return True  # connection errors, timeouts


class TwilioSender:
    def __init__(self, settings: Any, store: Store, attempts: int = 4, backoff: float = 0.5,
                 outbox_url: str | None = None) -> None:
        self.settings = settings
        self.store = store
        #: where simulator messages go when this process does not hold the simulator's outbox (the
        #: portal, beside the gateway): the gateway's /simulator/outbox; None = this store is it
        self.outbox_url = outbox_url
        self.attempts = attempts
        self.backoff = backoff
        self.client = Client(
            settings.twilio_account_sid or "AC_unset", settings.twilio_auth_token or "unset",
            http_client=RebasedHttpClient(settings.twilio_api_base_url, timeout=15),
        )

    @property
    def status_callback(self) -> str:
        return f"{self.settings.gateway_base_url}/twilio/status"

    def _from_for(self, to: str, from_: str | None) -> str:
        if from_:
            return from_
        if to.startswith("whatsapp:"):
            return self.settings.twilio_whatsapp_from
        return self.settings.twilio_sms_from

    def _with_retries(self, create: Any, kind: str = "message", **params: Any) -> SendResult:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                resource = create(**params)
                self.store.set(f"status:{resource.sid}", str(resource.status or "queued"), ttl=7 * 86400)
                TWILIO_SENDS.labels(kind, send_result(None)).inc()
                return SendResult(sid=resource.sid, status=str(resource.status), attempts=attempt)
            except Exception as exc:  # noqa: BLE001 - classified below
                TWILIO_SENDS.labels(kind, send_result(exc)).inc()
                if attempt == self.attempts or not _retryable(exc):
                    raise SendFailed(f"{type(exc).__name__} after {attempt} attempt(s)") from exc
                log.warning("Twilio send failed (%s), retrying in %.1f s", type(exc).__name__, delay)
                time.sleep(delay)
                delay *= 2
        raise SendFailed("unreachable")  # pragma: no cover

    def send_message(self, to: str, body: str = "", media_urls: list[str] | None = None,
                     from_: str | None = None, **template: str) -> SendResult:
        """One message; ``template``: ``content_sid`` and ``content_variables`` of an approved
        WhatsApp template. The Twilio call itself is the notify adapter's (engine.notify.twilio)."""
        from engine.notify.twilio import create_message

        if bare_number(to).startswith(SIMULATOR_PREFIX):
            return self._to_simulator(to, body or json.dumps(template, ensure_ascii=False), media_urls)
        params: dict[str, Any] = {"to": to, "from_": self._from_for(to, from_),
                                  "status_callback": self.status_callback, **template}
        if body:
            params["body"] = body
        if media_urls:
            params["media_url"] = media_urls
        return self._with_retries(lambda **p: create_message(self.client, **p), **params)

    def place_call(self, to: str, url: str = "", from_: str | None = None, twiml: str = "") -> SendResult:
        """A call that fetches its TwiML from ``url``, or runs ``twiml`` as given."""
        what = {"twiml": twiml} if twiml else {"url": url}
        return self._with_retries(
            self.client.calls.create, "call", to=to, from_=from_ or self.settings.twilio_sms_from, **what,
            status_callback=f"{self.settings.gateway_base_url}/voice/status",
        )

    def _to_simulator(self, to: str, body: str, media_urls: list[str] | None) -> SendResult:
        if self.outbox_url:  # another process's outbox: hand it over, and fail loudly if it is not there
            import requests

            try:
                response = requests.post(self.outbox_url, data={"to": to, "body": body, "media": media_urls or []},
                                         timeout=10)
                response.raise_for_status()
            except requests.RequestException as exc:
                raise SendFailed(f"simulator outbox unreachable ({type(exc).__name__})") from exc
            return SendResult(sid=str(response.json().get("sid", "SM-sim")), status="delivered", attempts=1)
        key = f"outbox:{sender_id(to, self.settings.sender_salt)}"
        outbox = list(self.store.get(key) or [])
        outbox.append({"body": body, "media": media_urls or [], "at": time.time()})
        self.store.set(key, outbox[-50:], ttl=3600)
        return SendResult(sid=f"SM-sim-{len(outbox)}", status="delivered", attempts=1)

    def status_of(self, sid: str) -> str | None:
        return self.store.get(f"status:{sid}")
