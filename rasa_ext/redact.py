"""No message text in the Rasa server's log: every log record is redacted as it is made.

Rasa 3.6 logs through structlog, rendered to one JSON string and handed to a stdlib logger; when a
REST-channel call times out it logs ``rest.message.received.timeout`` with ``text=`` the user's
message (rasa/core/channels/rest.py), and the processor, the NLU interpreter and others log
``parse_data_text``, ``user_message``, slot values and so on. Rasa's own ``_anonymizer`` only acts
when a Rasa Pro anonymisation plugin is installed, so with open-source Rasa all of it reached
``var/rasa.log``: health data. This module installs a log-record factory (stdlib only, it must run
inside the Rasa server) that, for every record of every logger (Rasa's, Sanic's, the root's),
replaces the values of those keys in a JSON message with a marker and drops ``%`` arguments that
are payloads (dicts, lists, message objects), so the event is still logged and traceable, but no
text of the patient's is. It acts at record creation, before any handler (Rasa's ``--log-file``
handler, stdout) or formatter can see the record.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[redacted]"

# The keys Rasa itself marks as user data (rasa.utils.log_utils._anonymizer), and the keys of a
# REST/Twilio payload that carry what the patient wrote or what the bot answered.
PRIVATE_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "body", "Body", "metadata", "entities", "value", "events", "tracker",
})

_installed: list[Callable[..., logging.LogRecord]] = []


def redact_value(value: Any) -> Any:
    """``value`` with every private key's value replaced, however deeply it is nested."""
    if isinstance(value, Mapping):
        return {key: REDACTED if key in PRIVATE_KEYS else redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def redact_message(message: str) -> str:
    """A structlog JSON line with its private values replaced; any other string unchanged."""
    stripped = message.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return message
    try:
        data = json.loads(stripped)
    except ValueError:
        return message
    return json.dumps(redact_value(data), ensure_ascii=False) if isinstance(data, dict) else message


def _safe_arg(arg: Any) -> Any:
    """A ``%`` argument kept only if it cannot hold a payload: numbers, booleans, None, short names."""
    if arg is None or isinstance(arg, bool | int | float):
        return arg
    if isinstance(arg, str):
        return redact_message(arg)
    return REDACTED


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message and arguments redacted, in place (level, logger, event kept)."""
    if isinstance(record.msg, str):
        record.msg = redact_message(record.msg)
    elif isinstance(record.msg, Mapping | list | tuple):
        record.msg = json.dumps(redact_value(record.msg), ensure_ascii=False, default=lambda _: REDACTED)
    if isinstance(record.args, Mapping):
        record.args = {key: REDACTED if key in PRIVATE_KEYS else _safe_arg(arg) for key, arg in record.args.items()}
    elif record.args:
        record.args = tuple(_safe_arg(arg) for arg in record.args)
    return record


def install() -> None:
    """Redact every log record from now on (idempotent); also asks Rasa for JSON log lines.

    ``FORCE_JSON_LOGGING`` makes Rasa render structlog events as JSON even on a terminal (its
    console renderer writes ``text=…`` pairs that are not parsed back here); it is read when
    rasa.utils.log_utils is imported, so this runs before Rasa is.
    """
    os.environ.setdefault("FORCE_JSON_LOGGING", "1")
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    _installed.append(previous)
    logging.setLogRecordFactory(factory)
