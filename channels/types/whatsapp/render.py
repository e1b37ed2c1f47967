"""WhatsApp's renderer: a bot turn as paragraphs of one message, long replies split on sentence ends."""

from __future__ import annotations

import re
from collections.abc import Iterable

from channels.rasa import BotMessage
from engine.outbound import WHATSAPP_MAX_CHARS

_SENTENCE_END = re.compile(r"(?<=[.!?।])\s+|\n+")


def split_long(text: str, limit: int = WHATSAPP_MAX_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters, cut after a sentence (or line) where possible."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        while len(sentence) > limit:  # a single "sentence" longer than the limit: cut at a word
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current}\n{sentence}" if current else sentence
        if len(candidate) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def whatsapp_texts(messages: Iterable[BotMessage], limit: int = WHATSAPP_MAX_CHARS) -> list[str]:
    """One WhatsApp message per turn (split only when over the limit), bot messages as paragraphs."""
    joined = "\n\n".join(m.text.strip() for m in messages if m.text and m.text.strip())
    return split_long(joined, limit)
