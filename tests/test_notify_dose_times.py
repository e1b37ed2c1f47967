"""The patient's own reminder times: read from chat in every script, saved, and scheduled reminders moved."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine.notify import Recipient, migrate, producers
from engine.notify.dose_times import MOVED, change_dose_times, chosen_times, parse_dose_times
from engine.notify.models import Outbox
from records.db import make_engine, make_session_factory
from tests.support.asha import Clock
from tests.support.notify import ist, serving, stand_in_service
from tests.support.records import fresh_pg_database

PATIENT = uuid.uuid4()


def hm(times: dict[str, dt.time]) -> dict[str, str]:
    return {slot: at.strftime("%H:%M") for slot, at in times.items()}


@pytest.mark.parametrize(("text", "expected"), [
    ("remind me at 7 am and 9 pm", {"morning": "07:00", "night": "21:00"}),
    ("morning 7, night 9:30", {"morning": "07:00", "night": "21:30"}),
    ("8.30 am", {"morning": "08:30"}),
    ("remind me to take my tablets at 8 and 8", {"morning": "08:00", "night": "20:00"}),
    ("mujhe subah 7 baje aur raat 9 baje yaad dilana", {"morning": "07:00", "night": "21:00"}),
    ("dopahar 2 baje ki dawa yaad dilana", {"noon": "14:00"}),
    ("shaam saat baje", {"evening": "19:00"}),
    ("सुबह साढ़े सात बजे दवा का मैसेज भेजो", {"morning": "07:30"}),
    ("रात 10 बजे वाला रिमाइंडर", {"night": "22:00"}),
    ("ਸਵੇਰੇ 7 ਵਜੇ ਅਤੇ ਰਾਤ 10:30 ਵਜੇ", {"morning": "07:00", "night": "22:30"}),
    ("ਸਵੇਰੇ ੭ ਵਜੇ", {"morning": "07:00"}),
    ("savere 6 vaje dawai yaad karao", {"morning": "06:00"}),
])
def test_times_read_in_every_script(text: str, expected: dict[str, str]) -> None:
    assert hm(parse_dose_times(text)) == expected


@pytest.mark.parametrize("text", [
    "sat sri akal",               # "sat" is seven, but not a time here
    "Dolo 650 ka reminder",       # a strength is no time
    "subah 9 pm",                 # contradicts itself: dropped, not guessed
    "change my reminder times",   # no time at all: the bot shows the current ones
    "",
])
def test_no_time_is_guessed(text: str) -> None:
    assert parse_dose_times(text) == {}


@pytest.fixture
def world():
    with fresh_pg_database("saathi_dose") as url:
        migrate(url)
        clock = Clock(ist(26, 10))
        engine = make_engine(url)
        people = {PATIENT: Recipient("+919812300001", "pa", "u-patient")}
        with serving(stand_in_service(make_session_factory(engine), people, clock=clock)) as svc:
            yield svc, clock, svc.scheduler, svc.transport
        engine.dispose()


def test_new_times_move_scheduled_reminders_and_old_jobs_send_nothing(world) -> None:
    svc, clock, scheduler, transport = world
    assert producers.medicine_reminders(svc, PATIENT, [{"frequency": "1-0-1", "days": 2}], ref="rx1",
                                        start=dt.date(2026, 11, 26)) == 3  # 26th 21:00, 27th 08:00 and 21:00

    moved = change_dose_times(svc, PATIENT, parse_dose_times("ਸਵੇਰੇ 7 ਵਜੇ, ਰਾਤ ਸਾਢੇ 9 ਵਜੇ"))

    assert moved == 3
    assert hm(chosen_times(svc, PATIENT)) == {"morning": "07:00", "noon": "14:00", "evening": "18:00",
                                               "night": "21:30"}
    with svc.sessions() as s:
        rows = list(s.query(Outbox).order_by(Outbox.due_at))
    assert sorted(r.status for r in rows) == [MOVED] * 3 + ["scheduled"] * 3
    pending = [r for r in rows if r.status == "scheduled"]
    assert [r.due_at for r in pending] == [ist(26, 21, 30), ist(27, 7), ist(27, 21, 30)]
    assert [svc.fields_of(r)["time"] for r in pending] == ["21:30", "07:00", "21:30"]

    # the old 21:00 job fires and sends nothing; at 21:30 the moved reminder goes out with its new time
    clock.now = ist(26, 21)
    scheduler.run_due(clock.now)
    assert transport.sent == []
    clock.now = ist(26, 21, 30)
    scheduler.run_due(clock.now)
    assert [m["body"] for m in transport.sent] == ["ਸਿਹਤ ਸਾਥੀ: 21:30 ਦੀ ਦਵਾਈ ਦਾ ਸਮਾਂ। ਰਿਮਾਈਂਡਰ ਬੰਦ ਕਰਨ ਲਈ STOP ਭੇਜੋ।"]

    # new prescriptions use the saved times; changing only the morning leaves the night alone
    assert change_dose_times(svc, PATIENT, {"morning": dt.time(6, 30)}) == 1
    with svc.sessions() as s:
        left = [svc.fields_of(r)["time"] for r in s.query(Outbox).filter_by(status="scheduled").order_by(Outbox.due_at)]
    assert left == ["06:30", "21:30"]


def test_the_bot_action_saves_the_times_and_says_when_quiet_hours_hold_one_back(world, monkeypatch):
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    import actions.health_record
    from actions.reminders import ActionReminderTimes

    svc, *_ = world
    monkeypatch.setattr(actions.health_record, "patient_of", lambda tracker, language: PATIENT)

    def say(text: str) -> list[str]:
        tracker = Tracker("unit", {"language": "pa", "language_locked": True},
                          {"text": text, "intent": {"name": "reminder_times", "confidence": 1.0}},
                          [], False, None, {}, None)
        dispatcher = CollectingDispatcher()
        asyncio.run(ActionReminderTimes().run(dispatcher, tracker, {}))
        return [m["custom"]["key"] for m in dispatcher.messages]

    assert say("ਸਵੇਰੇ 7 ਵਜੇ ਅਤੇ ਰਾਤ 9 ਵਜੇ ਯਾਦ ਕਰਾਓ") == ["reminder_times_set"]
    assert hm(svc.dose_times(PATIENT)) == {"morning": "07:00", "night": "21:00"}
    assert say("ਰਾਤ 10:30 ਵਜੇ") == ["reminder_times_set", "reminder_times_quiet"]  # quiet hours 22-7
    assert say("ਰਿਮਾਈਂਡਰ ਦਾ ਸਮਾਂ ਬਦਲਣਾ ਹੈ") == ["reminder_times_help"]  # no time: the current ones, an example
