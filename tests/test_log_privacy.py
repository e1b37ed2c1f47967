"""No phone number or message text in a log line (PREAMBLE: "No health data or phone number ever
goes into a log line"), where the text reaches a log through an exception: ``log.exception`` prints
the exception's message, which can quote the complaint, a number or SQL parameters. Failures are
logged by :func:`engine.logsafe.failure` (type and place only), database errors name no values."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from engine.logsafe import failure
from records.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ("actions", "channels", "engine", "records", "portal", "saathi", "nlu", "config")
COMPLAINT = "मुझे तीन दिन से बुखार है, मेरा नंबर 9812345678"


def test_failure_names_the_type_and_place_not_the_message():
    try:
        raise ValueError(f"cannot read {COMPLAINT}")
    except ValueError as exc:
        line = failure(exc)
    assert re.fullmatch(r"ValueError at test_log_privacy\.py:\d+ in test_failure_names_the_type_and_place_not_the_message",
                        line), line
    assert failure(KeyError("बुखार")) == "KeyError"  # never raised: no place to name


def test_no_runtime_code_logs_a_traceback_with_its_message():
    """``log.exception`` / ``exc_info=True`` print the exception's text: every runtime package logs
    failures by type (and place) instead."""
    offenders = []
    for package in RUNTIME:
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"\b(log|logger|logging)\.exception\(|exc_info\s*=\s*True|traceback\.print_exc", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_database_errors_name_no_values(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE people (phone TEXT UNIQUE)"))
        conn.execute(sa.text("INSERT INTO people VALUES (:p)"), {"p": "+919812345678"})
    with pytest.raises(sa.exc.IntegrityError) as raised, engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO people VALUES (:p)"), {"p": "+919812345678"})
    assert "9812345678" not in str(raised.value) and "hidden" in str(raised.value)


def test_a_failing_triage_engine_logs_no_complaint(monkeypatch, caplog):
    from actions.triage import ActionTriage

    def broken(text, **kwargs):
        raise ValueError(f"unparseable complaint: {text}")

    monkeypatch.setattr("engine.triage.triage", broken)
    tracker = Tracker(sender_id="unit", slots={"language": "hi", "complaint_text": COMPLAINT},
                      latest_message={"text": COMPLAINT, "intent": {"name": "report_symptom", "confidence": 0.9}},
                      events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None)
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.DEBUG):
        asyncio.run(ActionTriage().run(dispatcher, tracker, {}))
    assert dispatcher.messages and dispatcher.messages[0]["custom"]["key"] == "core_triage_failed"
    logged = "\n".join(r.getMessage() + (caplog.text if r.exc_info else "") for r in caplog.records)
    assert "triage engine failed: ValueError at" in logged, logged
    assert "बुखार" not in caplog.text and "9812345678" not in caplog.text, caplog.text
