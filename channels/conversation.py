"""One user turn against Rasa, with the per-sender memory every channel shares.

The language each sender last got an answer in is remembered (so "reading your photo…" comes
in their language before Rasa has said anything this turn); an unreachable Rasa still answers
with the emergency numbers in that language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from channels.context import Gateway
from channels.rasa import BotMessage, RasaUnavailable
from engine.i18n import LANGUAGES, t

log = logging.getLogger(__name__)
LANGUAGE_TTL = 90 * 86400
EMERGENCY_KEYS = ("core_emergency", "core_urgency_emergency")


@dataclass
class Turn:
    messages: list[BotMessage]
    language: str
    emergency: bool = False
    keys: list[str] = field(default_factory=list)


def remembered_language(gateway: Gateway, sender: str) -> str:
    language = gateway.store.get(f"lang:{sender}")
    return language if language in LANGUAGES else gateway.settings.default_language


def remember_language(gateway: Gateway, sender: str, language: str) -> None:
    if language in LANGUAGES:
        gateway.store.set(f"lang:{sender}", language, ttl=LANGUAGE_TTL)


def catalogue_message(key: str, language: str, **fields: str) -> BotMessage:
    return BotMessage(text=t(key, language, **fields), key=key, language=language, fields=dict(fields))


def ask(gateway: Gateway, sender: str, text: str, channel: str, metadata: dict[str, Any] | None = None) -> Turn:
    """Send the user's ``text`` to Rasa; the bot's messages in the user's language.

    ``metadata`` adds to ``{"channel": …}`` what the text cannot carry (a shared location)."""
    try:
        messages = gateway.rasa.send(sender, text, metadata={**(metadata or {}), "channel": channel})
    except RasaUnavailable as exc:
        log.error("Rasa unavailable for a %s turn: %s", channel, exc)
        language = remembered_language(gateway, sender)
        return Turn([catalogue_message("channels_unavailable", language)], language)
    languages = [m.language for m in messages if m.language in LANGUAGES]
    language = languages[-1] if languages else remembered_language(gateway, sender)
    remember_language(gateway, sender, language)
    keys = [m.key or "" for m in messages]
    emergency = any(k in EMERGENCY_KEYS for k in keys)
    return Turn(messages, language, emergency, keys)
