"""SMS keywords, answered before the bot: opt-out and back in, help, a language by name.

``STOP`` (and the carrier-standard synonyms, बंद/ਬੰਦ) silences the number until ``START``; while
opted out nothing at all is answered. A language word (``HINDI``, ``ਪੰਜਾਬੀ`` …) goes to the bot as
its own "I want this language" input. A keyword is the whole message, case and a trailing full
stop (or danda) ignored.
"""

from __future__ import annotations

import re

from channels.types import Keyword
from engine.store import Store

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "बंद", "ਬੰਦ"}
START_WORDS = {"START", "UNSTOP", "शुरू", "ਸ਼ੁਰੂ"}
HELP_WORDS = {"HELP", "INFO"}
LANGUAGE_WORDS = {"HI": "hi", "HINDI": "hi", "हिंदी": "hi", "हिन्दी": "hi", "PA": "pa", "PUNJABI": "pa",
                  "ਪੰਜਾਬੀ": "pa", "EN": "en", "ENGLISH": "en"}


def normalise_word(text: str) -> str:
    return re.sub(r"[\s.!।]+$", "", text.strip()).upper()


def opted_out(store: Store, sender: str) -> bool:
    return bool(store.get(f"optout:{sender}"))


def keyword(store: Store, sender: str, text: str) -> Keyword | None:
    """What a keyword makes of this message (opting out or in is remembered here), or None to go
    on with the text as it is."""
    word = normalise_word(text)
    if word in STOP_WORDS:
        store.set(f"optout:{sender}", True)
        return Keyword(say="channels_sms_stopped")
    if word in START_WORDS:
        store.delete(f"optout:{sender}")
        return Keyword(say="channels_sms_started")
    if opted_out(store, sender):
        return Keyword()  # opted out: no replies at all
    if word in HELP_WORDS:
        return Keyword(say="channels_sms_help")
    if word in LANGUAGE_WORDS:
        return Keyword(language=LANGUAGE_WORDS[word])
    return None
