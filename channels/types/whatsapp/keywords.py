"""WhatsApp's keywords: the yes/no answers to "did you say …?" after a voice note.

A voice note's transcript is echoed back and reaches the bot only after a yes (recognition is
rough; ``channels.work`` keeps it waiting). Typed in any of our languages and scripts; the
keypad-style "1"/"2" too, as the question offers them.
"""

from __future__ import annotations

YES = {"1", "yes", "y", "haan", "han", "ha", "हाँ", "हां", "ਹਾਂ", "ji", "जी", "ਜੀ", "ok", "sahi", "सही", "ਸਹੀ"}
NO = {"2", "no", "n", "nahi", "nahin", "नहीं", "ਨਹੀਂ", "galat", "गलत", "ਗਲਤ"}


def confirms(answer: str) -> bool | None:
    """True for a yes, False for a no, None for anything else (then it is a new message)."""
    word = answer.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    return None
