"""Messages and calls to patients and doctors, through the outbound Twilio sender (engine.outbound).

The small interface the handoff service uses: :meth:`Notifier.send_message` (text, optional
media URL) and :meth:`Notifier.start_conference_call` (Twilio calls both people into one
conference). Log lines name only ids and outcomes, never a number or a message body.

Every send answers with a :class:`Delivery`: what the delivery path said (sent, queued, or failed
and why), so the pages tell a doctor the truth instead of assuming success. Without a Twilio
account nothing is attempted (the default embedded deployment): the answer is ``failed`` with
reason ``no_twilio`` at once, rather than a request to Twilio with made-up credentials.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from records.identity import bare_number

log = logging.getLogger(__name__)

SENT, QUEUED, FAILED, SCHEDULED = "sent", "queued", "failed", "scheduled"
#: why a message did not leave (each has a sentence ``portal_delivery_failed_<reason>`` in the catalogue)
FAILURE_REASONS = ("no_twilio", "no_phone", "refused", "unreachable", "opted_out")
#: why a message waits in the outbox (``portal_delivery_scheduled_<reason>``)
WAIT_REASONS = ("quiet_hours", "retrying")
#: Twilio message statuses, as the doctor needs them: it left (sent) or is on its way (queued)
_TWILIO_STATUS = {"sent": SENT, "delivered": SENT, "read": SENT, "receiving": SENT, "received": SENT,
                  "failed": FAILED, "undelivered": FAILED, "canceled": FAILED}


@dataclass(frozen=True)
class Delivery:
    """The outcome of one message. True unless it failed, so ``if notifier.send_message(...)`` reads
    as before; pages show :attr:`status` and :attr:`reason` (a key, see :data:`FAILURE_REASONS`)."""

    status: str
    reason: str = ""
    sid: str = ""
    #: the engine.notify outbox row that carries it (patients' messages), whose status callbacks the case page shows
    outbox: str = ""

    def __bool__(self) -> bool:
        return self.status != FAILED

    def stored(self) -> dict[str, str]:
        """How a case keeps it (sealed in its notes)."""
        return {"status": self.status, "reason": self.reason, "sid": self.sid, "outbox": self.outbox}

    @classmethod
    def from_outcome(cls, outcome: Any) -> Delivery:
        """An engine.notify ``Outcome`` as the portal tells it: sent (queued by Twilio …), waiting
        in the outbox and why, or failed and why."""
        row = str(outcome.outbox_id or "")
        if outcome.status == "sent":
            return replace(cls.from_twilio(outcome.sid, outcome.twilio_status), outbox=row)
        if outcome.status == "scheduled":
            return cls(SCHEDULED, outcome.reason if outcome.reason in WAIT_REASONS else "retrying", outcome.sid, row)
        reason = {"no_address": "no_phone", "opted_out": "opted_out"}.get(outcome.status, outcome.reason)
        if reason not in FAILURE_REASONS:  # Twilio's error code: it refused
            reason = "refused"
        return cls(FAILED, reason, outcome.sid, row)

    @classmethod
    def failed(cls, reason: str) -> Delivery:
        return cls(FAILED, reason)

    @classmethod
    def from_twilio(cls, sid: str, status: str | None) -> Delivery:
        outcome = _TWILIO_STATUS.get((status or "").lower(), QUEUED)
        return cls(outcome, "refused" if outcome == FAILED else "", sid)


def _failure_reason(exc: Exception) -> str:
    """refused: Twilio answered no (a 4xx: bad number, not on WhatsApp, out of the 24-hour window);
    unreachable: no answer or server errors after the sender's retries."""
    from twilio.base.exceptions import TwilioRestException

    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, TwilioRestException) and 400 <= (cause.status or 0) < 500 and cause.status != 429:
        return "refused"
    return "unreachable"


class Sender(Protocol):
    def send_message(self, to: str, body: str = "", media_urls: list[str] | None = None,
                     from_: str | None = None) -> Any: ...
    def place_call(self, to: str, url: str, from_: str | None = None) -> Any: ...


@dataclass
class Notifier:
    sender: Sender
    voice_from: str = ""
    sent: list[str] = field(default_factory=list)  # Twilio SIDs, for tests and the case page
    #: False when no Twilio account is configured: only simulator numbers (+000...) can be reached
    configured: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> Notifier:
        from engine.outbound import TwilioSender
        from engine.store import open_store

        # Delivery status is written by the gateway's status callback into its store: with Redis the
        # portal shares it and sees "queued" turn into "delivered" or "undelivered"; without, it knows
        # what Twilio said when the message was accepted. Messages to the simulator's numbers go to the gateway, whose page shows them (not to this
        # process's memory, where nobody would read them).
        outbox = f"{settings.gateway_base_url}/simulator/outbox" if settings.simulator_enabled else None
        return cls(TwilioSender(settings, open_store(settings.redis_url), outbox_url=outbox),
                   voice_from=settings.twilio_voice_from,
                   configured=bool(settings.twilio_account_sid and settings.twilio_auth_token))

    def _reachable(self, to: str) -> bool:
        from engine.outbound import SIMULATOR_PREFIX

        return self.configured or bare_number(to).startswith(SIMULATOR_PREFIX)

    def send_message(self, to: str, body: str, media_url: str | None = None) -> Delivery:
        if not self._reachable(to):
            log.warning("message not sent: no Twilio account configured")
            return Delivery.failed("no_twilio")
        try:
            result = self.sender.send_message(to, body, media_urls=[media_url] if media_url else None)
        except Exception as exc:  # noqa: BLE001 - the caller shows why and may retry
            log.warning("message not sent: %s", type(exc).__name__)
            return Delivery.failed(_failure_reason(exc))
        sid = str(getattr(result, "sid", ""))
        self.sent.append(sid)
        return Delivery.from_twilio(sid, getattr(result, "status", None))

    def current(self, stored: Delivery) -> Delivery:
        """A delivery as the delivery path reports it now (the gateway's status callbacks), when known."""
        status = getattr(self.sender, "status_of", lambda sid: None)(stored.sid) if stored.sid else None
        return Delivery.from_twilio(stored.sid, status) if status else stored

    def start_conference_call(self, a: str, b: str, twiml_url_a: str, twiml_url_b: str) -> Delivery:
        """Call both numbers; each call's TwiML (served by the portal) joins the same conference.
        Queued when Twilio took both calls; otherwise failed with the first call's reason."""
        if not (self._reachable(a) and self._reachable(b)):
            log.warning("call not placed: no Twilio account configured")
            return Delivery.failed("no_twilio")
        outcome = Delivery(QUEUED)
        for to, url in ((a, twiml_url_a), (b, twiml_url_b)):
            try:
                self.sender.place_call(bare_number(to), url, from_=self.voice_from or None)
            except Exception as exc:  # noqa: BLE001
                log.warning("call not placed: %s", type(exc).__name__)
                outcome = outcome if not outcome else Delivery.failed(_failure_reason(exc))
        return outcome

