"""A logging filter that masks phone numbers, as a second line of defence.

The gateway never logs a number on purpose, but library messages can carry one (a Twilio error
says "The 'To' number +9198… is not valid"). Installed on the handlers of the gateway and the
RQ worker processes, it rewrites any long run of digits before the record is written.
"""

from __future__ import annotations

import logging
import re

_NUMBER = re.compile(r"(?:whatsapp:)?\+?\d[\d\s().-]{6,}\d")


def redact(text: str) -> str:
    return _NUMBER.sub("[number]", text)


class RedactNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks would print the exception text again: keep only its type.
            cleaned += f" [{type(record.exc_info[1]).__name__}]"
            record.exc_info = None
            record.exc_text = None
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactNumbers) for f in handler.filters):
            handler.addFilter(RedactNumbers())
