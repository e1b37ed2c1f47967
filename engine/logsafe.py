"""An exception as a log line may show it: its type and where it was raised, never its message.

An exception's message can quote what it was given — the patient's words (a parser's ``ValueError``),
a phone number (Twilio's "The 'To' number +91… is not valid"), SQL parameters — and a traceback
logged with ``log.exception`` prints that message. :func:`failure` keeps what a maintainer needs to
find the fault (the type, the innermost file, line and function) and nothing the user said.
"""

from __future__ import annotations

import traceback
from pathlib import Path


def failure(exc: BaseException) -> str:
    """``"KeyError at scorer.py:120 in score"``: the exception's type and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    return f"{type(exc).__name__} at {Path(last.filename).name}:{last.lineno} in {last.name}"
