"""The emergency net on the channel side: speech that sounds like an emergency skips confirmation.

Transcripts are normally echoed back for a 1/2 confirmation because recognition is rough; for
"chest pain", "saanp ne kaata" and the like that round trip would delay the 108/112 advice, so
the project's red-flag rules (``nlu.red_flags``, the same ones Rasa uses) are checked first.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def sounds_like_emergency(text: str) -> bool:
    try:
        from nlu.red_flags import is_emergency

        return bool(text.strip()) and is_emergency(text)
    except Exception as exc:  # noqa: BLE001 - the net must never break a turn; Rasa still checks
        log.error("red-flag check failed: %s", type(exc).__name__)
        return False
