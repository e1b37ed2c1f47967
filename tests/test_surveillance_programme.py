"""The programme figures: counts from the de-identified logs, small counts as "< 5", rates only over
5 or more cases, and no figure (not an error) for a table that is not there."""

from __future__ import annotations

import datetime as dt

from engine.surveillance.programme import figures
from engine.triage import traffic


def row(channel: str, language: str, urgency: str, complete: bool) -> dict:
    return {"day": dt.date.today(), "model_version": None, "symptoms": ["fever"], "negated": [],
            "age_band": "30-44" if complete else None, "sex": "f", "pregnant": None,
            "duration_band": "<3d" if complete else None, "severity": None, "urgency": urgency,
            "conditions": [], "red_flags": [], "language": language, "channel": channel}


def test_programme_figures(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert figures(url, dt.date.today())["triages"] == "0"  # no tables yet: no figures, no error
    traffic.migrate(url)
    for i in range(9):
        traffic.append(url, row("whatsapp" if i < 7 else "sms", "hi" if i < 6 else "pa",
                                "routine" if i < 5 else "urgent", complete=i < 6))
    out = figures(url, dt.date.today() - dt.timedelta(days=28))
    assert out["triages"] == "9"
    assert out["triage_by"]["channel"] == [("sms", "< 5"), ("whatsapp", "7")]
    assert out["triage_by"]["language"] == [("hi", "6"), ("pa", "< 5")]
    assert out["triage_by"]["urgency"] == [("routine", "5"), ("urgent", "< 5")]
    assert out["intake_complete"] == "67%"
    assert out["reminders_delivered"] == "too few to show" and out["handoff_median_hours"] == "too few to show"
    assert figures(url, dt.date.today() + dt.timedelta(days=1))["triages"] == "0"
