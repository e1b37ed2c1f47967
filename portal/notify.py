"""Messages and calls to patients and doctors, through the channels' outbound Twilio sender.

The small interface the rest of the portal uses: :meth:`Notifier.send_message` (text, optional
media URL) and :meth:`Notifier.start_conference_call` (Twilio calls both people into one
conference). Log lines name only ids and outcomes, never a number or a message body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send_message(self, to: str, body: str = "", media_urls: list[str] | None = None,
                     from_: str | None = None) -> Any: ...
    def place_call(self, to: str, url: str, from_: str | None = None) -> Any: ...


@dataclass
class Notifier:
    sender: Sender
    voice_from: str = ""
    sent: list[str] = field(default_factory=list)  # Twilio SIDs, for tests and the case page

    @classmethod
    def from_settings(cls, settings: Any) -> Notifier:
        from channels.outbound import TwilioSender
        from channels.store import MemoryStore

        # Delivery status is tracked by the gateway's status callback; the portal needs no shared store.
        return cls(TwilioSender(settings, MemoryStore()), voice_from=settings.twilio_voice_from)

    def send_message(self, to: str, body: str, media_url: str | None = None) -> bool:
        try:
            result = self.sender.send_message(to, body, media_urls=[media_url] if media_url else None)
        except Exception as exc:  # noqa: BLE001 - the caller shows "not delivered" and may retry
            log.warning("message not sent: %s", type(exc).__name__)
            return False
        self.sent.append(getattr(result, "sid", ""))
        return True

    def start_conference_call(self, a: str, b: str, twiml_url_a: str, twiml_url_b: str) -> bool:
        """Call both numbers; each call's TwiML (served by the portal) joins the same conference."""
        ok = True
        for to, url in ((a, twiml_url_a), (b, twiml_url_b)):
            try:
                self.sender.place_call(bare(to), url, from_=self.voice_from or None)
            except Exception as exc:  # noqa: BLE001
                log.warning("call not placed: %s", type(exc).__name__)
                ok = False
        return ok


def bare(address: str) -> str:
    for prefix in ("whatsapp:", "sms:", "tel:"):
        if address.startswith(prefix):
            return address[len(prefix):]
    return address


def address_for(channel: str, phone: str) -> str:
    """WhatsApp users get WhatsApp; SMS and IVR users get SMS to the same number."""
    return f"whatsapp:{phone}" if channel == "whatsapp" else phone
