"""Keeping ASHA replies within 2 SMS segments without importing the gateway.

Plain-ASCII text is sent as GSM-7 (153 characters per segment of a long message, 306 in two);
anything else (Devanagari, Gurmukhi) as UCS-2 (67 per segment, 134 in two).
"""

from __future__ import annotations

import datetime as dt

GSM_LIMIT = 306
UCS2_LIMIT = 134
_GSM_COSTLY = set("[]{}~|^\\€")


def limit_for(text: str) -> int:
    ascii_only = all(ord(ch) < 128 for ch in text)
    return GSM_LIMIT - sum(ch in _GSM_COSTLY for ch in text) if ascii_only else UCS2_LIMIT


def fit(text: str) -> str:
    """``text`` cut to 2 segments at a separator, with '..' when something was left out."""
    limit = limit_for(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 2]
    for sep in ("; ", " | ", ", ", " "):
        at = cut.rfind(sep)
        if at > limit // 2:
            cut = cut[:at]
            break
    return cut.rstrip() + ".."


def day(value: dt.date) -> str:
    """'01/12' — reads the same in Hindi, Punjabi and English."""
    return value.strftime("%d/%m")


def full_day(value: dt.date) -> str:
    return value.strftime("%d/%m/%y")
