"""SMS arithmetic and rendering: segments, encodings, short forms, condensing.

A text with any character outside GSM-7 (all Devanagari and Gurmukhi) is sent as UCS-2:
70 UTF-16 units in one SMS, 67 per segment once split; GSM-7 allows 160, 153 when split, and
its extension characters cost two septets. Replies are kept to at most :data:`MAX_SEGMENTS`
segments: catalogue messages use their SMS short form (``variant="sms"``), a multi-message
answer is condensed, and only then, as a last resort, text is cut at a sentence boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from channels.rasa import BotMessage
from engine.i18n import t

MAX_SEGMENTS = 2

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")

_TYPOGRAPHY = str.maketrans({"·": "-", "•": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                             "…": "...", "\u00a0": " "})
_EMOJI = re.compile(r"[\u2600-\u27BF\U0001F000-\U0001FAFF\uFE0F\u200d]+")


def sms_friendly(text: str) -> str:
    """Typography that would force UCS-2 (or cost 2 units, like emoji) replaced by plain forms."""
    text = _EMOJI.sub("", text.translate(_TYPOGRAPHY))
    return re.sub(r"[ \t]+", " ", re.sub(r" *\n *", "\n", text)).strip()


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def _costs(text: str) -> tuple[list[int], int, int]:
    """Per-character cost, single-SMS limit and per-segment limit for the encoding text needs."""
    if is_gsm7(text):
        return [2 if ch in GSM_EXTENDED else 1 for ch in text], 160, 153
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text], 70, 67


def segments(text: str) -> int:
    """How many SMS segments ``text`` is billed as (0 for empty text)."""
    if not text:
        return 0
    costs, single, per_segment = _costs(text)
    if sum(costs) <= single:
        return 1
    count, used = 1, 0
    for cost in costs:  # a character (escape pair, surrogate pair) is never split across segments
        if used + cost > per_segment:
            count, used = count + 1, 0
        used += cost
    return count


def fit(text: str, max_segments: int = MAX_SEGMENTS) -> str:
    """``text`` cut to ``max_segments``: at the last sentence end that fits, else at a word."""
    if segments(text) <= max_segments:
        return text
    sentences = re.split(r"(?<=[.!?।])\s+", text)
    kept = ""
    for sentence in sentences:
        candidate = f"{kept} {sentence}".strip()
        if segments(candidate) > max_segments:
            break
        kept = candidate
    if kept:
        return kept
    words = text.split(" ")
    while words and segments(" ".join(words) + "…") > max_segments:
        words.pop()
    return " ".join(words) + "…"


# --- rendering a Rasa reply for SMS ---------------------------------------------------------

#: The triage answer condensed to: urgency, top possible condition, doctor, "reply 1 for a doctor".
_TRIAGE_KEEP = ("core_urgency_", "core_condition_line", "core_see_specialist", "core_offer_doctor")
#: Dropped first when a reply does not fit (least needed to act safely first).
_DROP_ORDER = ("core_emergency_after", "core_intake_start", "core_intake_noted", "core_emergency_tip_",
               "core_possible_conditions", "core_self_care", "core_warning_signs")


def short_form(message: BotMessage) -> str:
    if message.key:
        try:
            return sms_friendly(t(message.key, message.language, variant="sms", script=message.script,
                                  **message.fields))
        except (KeyError, IndexError, ValueError):
            pass  # a key this process does not know (catalogue updated elsewhere): use the text
    return sms_friendly(message.text)


def condense(messages: Iterable[BotMessage]) -> list[BotMessage]:
    """Keep only what a triage answer needs over SMS (the first possible condition only)."""
    messages = list(messages)
    if not any((m.key or "").startswith("core_urgency_") for m in messages):
        return messages
    kept: list[BotMessage] = []
    seen_condition = False
    for message in messages:
        key = message.key or ""
        if key == "core_condition_line":
            if seen_condition:
                continue
            seen_condition = True
        if key.startswith("core_emergency") or any(key.startswith(k) for k in _TRIAGE_KEEP) or not key:
            kept.append(message)
    return kept


def _drop_rank(message: BotMessage) -> int:
    key = message.key or ""
    for rank, prefix in enumerate(_DROP_ORDER):
        if key.startswith(prefix):
            return rank
    return len(_DROP_ORDER)


def render_sms(messages: Iterable[BotMessage], max_segments: int = MAX_SEGMENTS) -> str:
    """One SMS reply of at most ``max_segments`` segments for a whole Rasa turn."""
    parts = [(m, short_form(m)) for m in condense(messages)]
    parts = [(m, text) for m, text in parts if text]
    while len(parts) > 1 and segments("\n".join(text for _, text in parts)) > max_segments:
        droppable = [i for i, (m, _) in enumerate(parts) if (m.key or "") != "core_emergency"]
        if not droppable:
            break
        victim = min(droppable, key=lambda i: (_drop_rank(parts[i][0]), -i))
        parts.pop(victim)
    return fit("\n".join(text for _, text in parts), max_segments)
