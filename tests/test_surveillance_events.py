"""Syndromes from triages, places, and the de-identified surveillance events on real PostgreSQL:
what a row may hold (a pg_dump holds nothing that points at a person), the bot action writes them,
and the weekly aggregation is what detection reads."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import subprocess

import pytest
import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.pool import NullPool

from engine.surveillance import alerts as _alerts  # noqa: F401 - its tables are on the metadata compared
from engine.surveillance import events
from engine.surveillance import migrations as surveillance_migrations
from engine.surveillance.detect import detect
from engine.surveillance.places import resolve
from engine.surveillance.syndromes import classify, rules, syndromes
from engine.surveillance.weeks import parse_week
from records.db import normalise_url
from tests.support.records import fresh_pg_database, schema_diff, table_fixtures

EXPECTED_COLUMNS = {"id", "week", "district", "block", "village", "syndrome", "age_band", "sex", "urgency",
                    "channel", "source"}
SENDER = "whatsapp:+919812345678"
PHONE_DIGITS = "9812345678"
COMPLAINT = "Gurpreet Singh ke bete ko chaar din se tez bukhar aur daane hain"
EXACT_AGE = 37


# -- syndromes as data ----------------------------------------------------------------------------
@pytest.mark.parametrize(("symptoms", "flags", "days", "age", "expected"), [
    (["fever"], [], 2, 30, ["fever_lt7"]),
    (["fever"], [], None, 30, ["fever_lt7"]),                 # unknown duration counts as acute
    (["fever", "rash"], [], 3, 6, ["fever_rash"]),
    (["fever", "rash"], [], 9, 6, ["fever_ge7"]),              # a week or more: its own S-form row
    (["fever", "bleeding", "rash"], [], 4, 20, ["fever_bleeding"]),
    (["fever"], ["fever_with_bleeding"], 4, 20, ["fever_bleeding"]),
    (["fever", "rash"], ["seizure"], 2, 3, ["fever_altered_sensorium"]),
    (["fever", "confusion"], [], 12, 70, ["fever_altered_sensorium"]),
    (["cough", "fever"], [], 20, 40, ["fever_ge7", "cough_ge2w"]),
    (["cough"], [], 5, 40, []),
    (["cough"], [], None, 40, []),                            # unknown duration is not 2 weeks
    (["one_sided_weakness"], [], 1, 8, ["afp"]),
    (["one_sided_weakness"], [], 1, 60, []),                  # a stroke is not AFP
    (["one_sided_weakness"], [], 1, None, []),
    (["diarrhoea"], [], 2, 2, ["diarrhoea_watery"]),
    (["diarrhoea", "bloody_stool", "fever"], [], 2, 2, ["fever_lt7", "diarrhoea_bloody"]),
    (["diarrhoea"], [], 30, 50, []),                          # chronic diarrhoea is not on the S form
    (["jaundice", "dark_urine"], [], 10, 25, ["jaundice"]),
    (["animal_bite"], [], 0, 9, ["dog_bite"]),
    ([], ["snake_bite"], 0, 30, ["snake_bite"]),
    (["headache", "back_pain"], [], 2, 30, []),
])
def test_classify(symptoms, flags, days, age, expected):
    assert classify(symptoms, flags, days, age) == expected


def test_every_syndrome_has_a_rule_and_a_source():
    assert {r.code for r in rules()} == set(syndromes())
    assert all(s.source and s.definition for s in syndromes().values())


# -- places ---------------------------------------------------------------------------------------
def test_places_resolve_from_any_spelling_pin_or_location():
    dhuri = resolve(village="Dhuri")
    assert (dhuri.block_code, dhuri.district_code) == ("SGR-DHURI", "SGR")
    assert resolve(village="ਧੂਰੀ") == resolve(village="धूरी") == resolve(village=" DHURI. ") == dhuri
    assert resolve(pin="148 024") == dhuri
    assert resolve(lat=30.37, lon=75.87) == dhuri
    assert resolve(lat=28.61, lon=77.21) is None   # Delhi is not a district we serve
    assert resolve(village="Atlantis") is None and resolve() is None


def test_rows_hold_codes_and_bands_only():
    case = events.Case(("fever", "rash"), duration_days=3, age=EXACT_AGE, sex="f", urgency="urgent")
    rows = events.rows_for(case, resolve(village="Raikot"), "whatsapp", "bot", day=dt.date(2026, 4, 2))
    assert rows == [{"week": dt.date(2026, 3, 30), "district": "LDH", "block": "LDH-RAIKOT", "village": "Raikot",
                     "age_band": "30-44", "sex": "f", "urgency": "urgent", "channel": "whatsapp", "source": "bot",
                     "syndrome": "fever_rash"}]
    assert events.rows_for(case, None, "whatsapp", "bot") == []
    assert events.rows_for(events.Case(("headache",)), resolve(village="Raikot"), "sms", "bot") == []


# -- PostgreSQL -----------------------------------------------------------------------------------
url, empty = table_fixtures("saathi_surv", surveillance_migrations.upgrade, "surveillance_events")


def _all(url: str) -> list[dict]:
    with sa.create_engine(normalise_url(url), poolclass=NullPool).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(events.EventRow.__table__))]


@pytest.mark.postgres
def test_migration_matches_the_model_and_goes_up_and_down():
    with fresh_pg_database("saathi_survmig") as db:
        surveillance_migrations.upgrade(db)
        surveillance_migrations.upgrade(db)  # idempotent
        assert surveillance_migrations.current(db) == "surveillance_0002"
        assert schema_diff(db, events.EventsBase.metadata) == []
        engine = sa.create_engine(normalise_url(db), poolclass=NullPool)
        try:
            assert {c["name"] for c in sa.inspect(engine).get_columns("surveillance_events")} == EXPECTED_COLUMNS
            surveillance_migrations.downgrade(db)
            assert "surveillance_events" not in sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()
    assert events.COLUMNS == EXPECTED_COLUMNS
    with pytest.raises(ValueError):
        events.append("postgresql://unused", [{"week": dt.date.today(), "sender_id": SENDER}])


def _tracker(slots: dict, metadata: dict) -> Tracker:
    return Tracker(sender_id=SENDER, slots={"language": "hi", "language_locked": True, **slots},
                   latest_message={"text": "2", "intent": {"name": "inform", "confidence": 0.9}, "metadata": metadata},
                   events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None)


@pytest.mark.postgres
def test_a_bot_triage_is_counted_without_anything_that_points_at_a_person(empty, monkeypatch):
    from actions.triage import ActionTriage

    monkeypatch.setenv("DATABASE_URL", empty)
    slots = {"complaint_text": COMPLAINT, "symptoms": ["fever", "rash"], "negated_symptoms": [],
             "age": EXACT_AGE, "sex": "m", "duration_days": 4, "records_consent": "no"}
    # a shared WhatsApp location near Jagraon
    metadata = {"channel": "whatsapp", "latitude": "30.79", "longitude": "75.47"}
    asyncio.run(ActionTriage().run(CollectingDispatcher(), _tracker(slots, metadata), {}))
    rows = _all(empty)
    assert [(r["syndrome"], r["block"], r["village"], r["age_band"], r["sex"], r["channel"], r["source"])
            for r in rows] == [("fever_rash", "LDH-JAGRAON", "Jagraon", "30-44", "m", "whatsapp", "bot")]
    assert rows[0]["week"] == dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    # without a place the case is not counted
    asyncio.run(ActionTriage().run(CollectingDispatcher(), _tracker(slots, {"channel": "sms"}), {}))
    assert len(_all(empty)) == 1
    dump = subprocess.run(["pg_dump", "--no-owner", "--data-only", "--table", "surveillance_events",
                           "--dbname", empty], check=True, capture_output=True, text=True).stdout
    assert "fever_rash" in dump  # the dump is real
    for secret in (SENDER, PHONE_DIGITS, "Gurpreet", "Singh", "bukhar", "daane", "30.79", "75.47",
                   str(dt.date.today()) if dt.date.today().weekday() else "never-a-monday"):
        assert secret not in dump, secret
    assert f"\t{EXACT_AGE}\t" not in dump


@pytest.mark.postgres
def test_weekly_counts_feed_detection(empty):
    jagraon, raikot = resolve(village="Jagraon"), resolve(village="Raikot")
    start = dt.date(2026, 1, 5)
    rows = []
    for week in range(12):
        day = start + dt.timedelta(weeks=week)
        for _ in range(2):
            rows += events.rows_for(events.Case(("fever", "rash"), duration_days=2), jagraon, "sms", "bot", day)
        rows += events.rows_for(events.Case(("diarrhoea",), duration_days=1), raikot, "voice", "asha", day)
    outbreak_day = start + dt.timedelta(weeks=12)
    for _ in range(15):
        rows += events.rows_for(events.Case(("fever", "rash"), duration_days=2), jagraon, "sms", "bot", outbreak_day)
    rows += [{**rows[0], "source": "portal"}] * 3  # confirmed diagnoses are counted apart
    events.append(empty, rows)
    counts = events.weekly_counts(empty)
    assert counts[0] == ("2026-W02", "LDH-JAGRAON", "fever_rash", 2)
    assert ("2026-W02", "LDH-RAIKOT", "diarrhoea_watery", 1) in counts
    assert ("2026-W14", "LDH-JAGRAON", "fever_rash", 15) in counts
    assert events.weekly_counts(empty, since="2026-W14") == [("2026-W14", "LDH-JAGRAON", "fever_rash", 15)]
    assert events.weekly_counts(empty, district="SGR") == []
    assert ("2026-W02", "Jagraon", "fever_rash", 2) in events.weekly_counts(empty, by="village")
    alerts = detect((parse_week(w), a, s, c) for w, a, s, c in counts)
    assert [(a.area, a.syndrome, a.observed) for a in alerts] == [("LDH-JAGRAON", "fever_rash", 15)]


@pytest.mark.postgres
def test_a_confirmed_diagnosis_counts_apart(empty):
    assert events.log_diagnosis("B05.9", resolve(village="Sunam"), age=4, sex="f", url=empty) == 1
    assert events.log_diagnosis("I21.9", resolve(village="Sunam"), url=empty) == 0  # not a syndrome
    assert events.log_diagnosis("B05", None, url=empty) == 0                        # not our district
    rows = _all(empty)
    assert [(r["syndrome"], r["source"], r["age_band"]) for r in rows] == [("fever_rash", "portal", "0-4")]
    assert events.weekly_counts(empty) == []
    assert len(events.weekly_counts(empty, sources=("portal",))) == 1


def test_a_dead_database_costs_nothing():
    case = events.Case(("fever",), duration_days=1)
    assert events.log_case(case, resolve(village="Khanna"), "sms", "bot", url="postgresql://u@127.0.0.1:1/x") == 0


# -- ASHA VISIT and the portal's confirmed diagnosis ----------------------------------------------
def test_an_asha_visit_is_counted_at_the_patients_village(tmp_path):
    from types import SimpleNamespace

    from tests.support.asha import Clock, Referrals, build, new_phone, prepare, verified_worker
    from tests.support.records import build_service

    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    prepare(url)
    surveillance_migrations.upgrade(url)
    clock = Clock()
    asha = build(url, build_service(url, tmp_path / "keys.json", tmp_path / "files", clock=clock), clock,
                 referrer=Referrals(), alerts=lambda *a: None)
    asha._triage = lambda text, **_: SimpleNamespace(
        urgency="urgent", model_version="fake-1", symptoms=["fever", "rash"], red_flags=[],
        to_contract=lambda: {"urgency": "urgent", "symptoms": ["fever", "rash"], "red_flags": []})
    worker = verified_worker(asha, new_phone())
    reply = asha.handle(worker, "REG Sita Devi 6 F Dhuri")
    code = re.findall(r"[A-Z]{2}\d{3}", reply)[-1]
    asha.handle(worker, f"VISIT {code} bukhar aur daane")
    rows = _all(url)
    assert [(r["syndrome"], r["block"], r["age_band"], r["sex"], r["source"]) for r in rows] == [
        ("fever_rash", "SGR-DHURI", "5-14", "f", "asha")]
    assert "Sita" not in str(rows)



@pytest.mark.postgres
def test_a_bot_triage_is_placed_by_the_record_village_only_with_consent(monkeypatch, tmp_path):
    from actions import health_record
    from actions.surveillance import place_of
    from engine import schema
    from records import Actor, Purpose
    from tests.support.records import build_service

    with fresh_pg_database("saathi_survrec") as db:
        schema.upgrade(db, target="records@head")
        svc = build_service(db, tmp_path / "keys.json", tmp_path / "files")
        monkeypatch.setattr(health_record, "service", lambda: svc)
        pid = svc.get_or_create_patient("sender", SENDER, "pa")
        svc.update_patient_profile(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE, village="ਖੰਨਾ")
        assert place_of(_tracker({"records_consent": "yes", "language": "pa"}, {})).block_code == "LDH-KHANNA"
        assert place_of(_tracker({"records_consent": "no"}, {})) is None
        near_sunam = {"latitude": "30.13", "longitude": "75.80"}  # a shared location wins over the record
        assert place_of(_tracker({"records_consent": "yes"}, near_sunam)).block_code == "SGR-SUNAM"
        svc.sessions.kw["bind"].dispose()
