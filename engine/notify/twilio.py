"""The notify adapter: the one place that calls Twilio's message-create API.

Everything that reaches a person by WhatsApp or SMS ends here: the notification outbox
(:class:`TwilioTransport`, used by :class:`engine.notify.service.NotifyService` for every message
a process sends on its own: the doctor's link and prescription, reminders, follow-up check-ins,
pharmacy notices, ASHA alerts), and the gateway's direct replies to a message just received and
one-time codes (``engine.outbound.TwilioSender.send_message`` calls :func:`create_message`), which
are inside WhatsApp's 24-hour window by construction or must not wait in an outbox.
``tests/test_notify_routes.py`` fails when any other module calls ``messages.create``. Its list
(:func:`list_messages`) is asked here too, by the outbox's reconcile of a send whose outcome is
unknown (``engine.notify.service``): Twilio's Messages API takes no idempotency key.

The transport says why a send failed (:class:`SendRefused` with Twilio's error code, or
:class:`NotConfigured` on a server without a Twilio account) so the outbox can choose: SMS when
WhatsApp refused, a retry when Twilio was unreachable, nothing more when the number is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.notify.service import SentMessage

#: Twilio error codes that mean "not by WhatsApp" (not on WhatsApp, outside the 24-hour window,
#: template trouble, WhatsApp's own refusal): SMS can still reach the number
#: (https://www.twilio.com/docs/api/errors, the 63xxx range).
WHATSAPP_ONLY_CODES = range(63000, 64000)
#: How many of a recipient's newest messages reconcile reads (one page): a reminder is looked for
#: minutes after its send, and a person gets a handful of messages in that time.
RECONCILE_PAGE = 50
#: Twilio voices for a call that reads a message (Polly's Indian voices; Punjabi is read by the Hindi one)
VOICES = {"hi": ("Polly.Aditi", "hi-IN"), "pa": ("Polly.Aditi", "hi-IN"), "en": ("Polly.Raveena", "en-IN")}


class NotConfigured(RuntimeError):
    """No Twilio account on this server: nothing can be sent (simulator numbers aside)."""


class SendRefused(RuntimeError):
    """Twilio answered no (4xx): ``code`` is its error code (0 when it gave none)."""

    def __init__(self, code: int, status: int) -> None:
        super().__init__(f"refused: {code or status}")
        self.code = code
        self.status = status

    @property
    def whatsapp_only(self) -> bool:
        return self.code in WHATSAPP_ONLY_CODES


def create_message(client: Any, **params: Any) -> Any:
    """Twilio's ``Messages.create``: the only call of it in the project (see the module docstring)."""
    return client.messages.create(**params)


def list_messages(client: Any, to: str, limit: int = RECONCILE_PAGE) -> list[Any]:
    """Twilio's Messages list for one recipient, newest first. Only ``To`` is filtered by Twilio:
    its ``DateSent`` filter is documented by day, and a message still queued has no send date."""
    return client.messages.list(to=to, limit=limit)


def _classified(exc: Exception) -> Exception:
    """A sender's failure as the outbox needs it: :class:`SendRefused` for Twilio's no, else as it came."""
    from twilio.base.exceptions import TwilioRestException

    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, TwilioRestException) and 400 <= (cause.status or 0) < 500 and cause.status != 429:
        code = cause.code if isinstance(cause.code, int) else 0
        return SendRefused(code, int(cause.status))
    return exc


class TwilioTransport:
    """Text, template and voice sends for the outbox, through a process's ``TwilioSender``."""

    def __init__(self, sender: Any, configured: bool = True) -> None:
        self.sender = sender
        self.configured = configured

    @classmethod
    def from_settings(cls, settings: Any, sender: Any) -> TwilioTransport:
        return cls(sender, configured=bool(settings.twilio_account_sid and settings.twilio_auth_token))

    def _reachable(self, to: str) -> None:
        from engine.outbound import SIMULATOR_PREFIX
        from records.identity import bare_number

        if not self.configured and not bare_number(to).startswith(SIMULATOR_PREFIX):
            raise NotConfigured("no Twilio account configured")

    def _call(self, send: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return send(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - re-raised classified
            classified = _classified(exc)
            if classified is exc:
                raise
            raise classified from exc

    def send_text(self, to: str, body: str, media_url: str | None = None) -> str:
        self._reachable(to)
        return self._call(self.sender.send_message, to, body, media_urls=[media_url] if media_url else None).sid

    def send_template(self, to: str, content_sid: str, variables: dict[str, str]) -> str:
        self._reachable(to)
        return self._call(self.sender.send_message, to, content_sid=content_sid,
                          content_variables=json.dumps(variables, ensure_ascii=False)).sid

    def sent_since(self, to: str, since: dt.datetime) -> list[SentMessage]:
        """The messages Twilio holds for ``to`` created at or after ``since`` (nothing for a
        simulator number: those never reach Twilio)."""
        from engine.notify.service import SentMessage
        from engine.outbound import SIMULATOR_PREFIX
        from records.identity import bare_number

        if bare_number(to).startswith(SIMULATOR_PREFIX):
            return []
        self._reachable(to)
        messages = self._call(list_messages, self.sender.client, to)
        return [SentMessage(str(m.sid), str(m.to or to), str(m.body or "")) for m in messages
                if m.date_created is None or m.date_created >= since]

    def call(self, to: str, text: str, language: str) -> str:
        """A call that reads ``text`` twice (for people who asked for calls); TwiML inline, no URL to serve."""
        from twilio.twiml.voice_response import VoiceResponse

        self._reachable(to)
        voice, locale = VOICES.get(language, VOICES["hi"])
        twiml = VoiceResponse()
        for _ in range(2):
            twiml.say(text, voice=voice, language=locale)
            twiml.pause(length=1)
        return self._call(self.sender.place_call, to, twiml=str(twiml)).sid
