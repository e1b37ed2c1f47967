"""SMS: plain text on any phone, answered in at most two segments.

* parsing: the Messaging webhook (``channels.inbound``; a sender without ``whatsapp:``);
* limits: 1600 characters in (Twilio's concatenated maximum), two segments out (70/67 UTF-16
  units each in Devanagari and Gurmukhi, 160/153 in GSM-7: :mod:`.render`);
* keywords: STOP/START, HELP, a language by name (:mod:`.keywords`);
* renderer: catalogue short forms, a triage answer condensed, cut at a sentence as a last resort
  (:func:`render`).
"""

from __future__ import annotations

from channels.rasa import BotMessage
from channels.types import ChannelType
from channels.types.sms.keywords import keyword, opted_out
from channels.types.sms.render import render_sms

TYPE = ChannelType(name="sms", webhook_kind="messaging", max_inbound_chars=1600, max_media=3,
                   rate_limited=True, takes_commands=True, spoofable=True)

__all__ = ["TYPE", "keyword", "opted_out", "render"]


def render(messages: list[BotMessage]) -> list[str]:
    """One SMS for the whole bot turn (none when there is nothing to say)."""
    text = render_sms(messages)
    return [text] if text else []
