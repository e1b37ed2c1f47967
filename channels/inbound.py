"""Twilio's webhook form, normalised into one message type for every channel.

Forms come from the internet: every field is optional here, numbers may be garbage, and a
malformed form becomes a message with what could be read (never an exception).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from channels.identity import bare_number


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class SharedLocation:
    """A WhatsApp "share location" pin (Twilio's ``Latitude``/``Longitude``/``Label``/``Address``)."""

    latitude: float
    longitude: float
    label: str = ""
    address: str = ""


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # "whatsapp" | "sms"
    address: str  # the sender as Twilio wrote it ("whatsapp:+91…"), used only to reply
    to: str  # our number that received it (replies go out from it)
    sid: str
    text: str
    media: tuple[Media, ...] = field(default_factory=tuple)
    location: SharedLocation | None = None

    @property
    def number(self) -> str:
        return bare_number(self.address)


def _int(value: str | None, default: int = 0, ceiling: int = 10) -> int:
    try:
        return max(0, min(int(value or default), ceiling))
    except ValueError:
        return default


MAX_LABEL_CHARS = 120


def _coordinate(value: str | None, limit: float) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def parse_location(form: Mapping[str, str]) -> SharedLocation | None:
    """The shared location, when both coordinates are numbers in range; anything else is ignored."""
    latitude = _coordinate(form.get("Latitude"), 90.0)
    longitude = _coordinate(form.get("Longitude"), 180.0)
    if latitude is None or longitude is None:
        return None
    return SharedLocation(latitude, longitude, " ".join((form.get("Label") or "").split())[:MAX_LABEL_CHARS],
                          " ".join((form.get("Address") or "").split())[:MAX_LABEL_CHARS])


def parse_message(form: Mapping[str, str]) -> InboundMessage | None:
    """The message in a Twilio Messaging webhook, or None when there is no sender to answer."""
    address = (form.get("From") or "").strip()
    if not address:
        return None
    channel = "whatsapp" if address.lower().startswith("whatsapp:") else "sms"
    media = []
    for index in range(_int(form.get("NumMedia"))):
        url = (form.get(f"MediaUrl{index}") or "").strip()
        if url:
            kind = (form.get(f"MediaContentType{index}") or "").split(";")[0].strip().lower()
            media.append(Media(url=url, content_type=kind))
    return InboundMessage(
        channel=channel,
        address=address,
        to=(form.get("To") or "").strip(),
        sid=(form.get("MessageSid") or form.get("SmsMessageSid") or "").strip(),
        text=(form.get("Body") or "").strip(),
        media=tuple(media),
        location=parse_location(form),
    )
