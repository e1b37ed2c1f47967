"""Outbreak alerts: once per cluster, to the district's officers through engine.notify even in the
quiet hours, on the portal until acknowledged, with what triggered them (real SQLite database,
the notify engine with a recording transport)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engine.notify import Recipient
from engine.notify import migrate as migrate_notify
from engine.surveillance import alerts, events
from engine.surveillance import migrations as surveillance_migrations
from engine.surveillance.places import resolve
from tests.support.notify import serving, stand_in_service
from tests.support.pharmacy import Clock

LUDHIANA_1, LUDHIANA_2, SANGRUR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
START = dt.date(2026, 1, 5)  # Monday of 2026-W02
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'surveillance.db'}"
    surveillance_migrations.upgrade(url)
    migrate_notify(url)
    # 23:30 IST: inside the quiet hours (22-7), when reminders wait but outbreak alerts must not
    clock = Clock(dt.datetime(2026, 4, 1, 23, 30, tzinfo=IST).astimezone(dt.timezone.utc))
    people = {LUDHIANA_1: Recipient("+919800000101", "hi", "u-1"), LUDHIANA_2: Recipient("+919800000102", "pa", "u-2"),
              SANGRUR: Recipient("+919800000103", "en", "u-3")}
    with serving(stand_in_service(url, people, clock=clock)) as notify:
        for user, district in ((LUDHIANA_1, "LDH"), (LUDHIANA_2, "LDH"), (SANGRUR, "SGR"), (LUDHIANA_1, "LDH")):
            alerts.add_officer(url, user, district)
        yield url, notify, clock, notify.scheduler, notify.transport


def add_weeks(url: str, counts: list[int], village: str = "Jagraon", symptoms=("fever", "rash")) -> None:
    place = resolve(village=village)
    rows = []
    for week, count in enumerate(counts):
        day = START + dt.timedelta(weeks=week, days=2)
        for _ in range(count):
            rows += events.rows_for(events.Case(tuple(symptoms), duration_days=2, age=6), place, "sms", "bot", day)
    events.append(url, rows)


def test_a_cluster_alerts_its_officers_once_at_night(world):
    url, notify, clock, scheduler, transport = world
    add_weeks(url, [2, 1, 2, 3, 2, 1, 2, 2, 1, 2, 2, 2, 18])  # 2026-W02 … W14, the last one a cluster
    add_weeks(url, [1] * 13, village="Sunam", symptoms=("diarrhoea",))  # quiet elsewhere
    done = alerts.raise_alerts(url, notify, now=clock(), until="2026-W14")
    assert len(done.opened) == 1 and done.notified == 2  # both Ludhiana officers, not Sangrur's
    scheduler.run_due(clock())
    assert sorted(m["to"] for m in transport.sent) == ["+919800000101", "+919800000102"]
    hindi = next(m["body"] for m in transport.sent if m["to"] == "+919800000101")
    assert "Jagraon" in hindi and "Fever with rash" in hindi and "18" in hindi and "ब्लॉक" in hindi
    # the same data again: nothing new is raised or sent
    again = alerts.raise_alerts(url, notify, now=clock(), until="2026-W14")
    assert again.opened == [] and again.notified == 0
    scheduler.run_due(clock())
    assert len(transport.sent) == 2
    # the next week stays high: the same cluster grows, no second message
    add_weeks(url, [0] * 13 + [20])
    later = alerts.raise_alerts(url, notify, now=clock(), until="2026-W15")
    assert later.opened == [] and later.extended == done.opened
    scheduler.run_due(clock())
    assert len(transport.sent) == 2
    (row,) = alerts.open_alerts(url)
    assert (row["area"], row["syndrome"], row["district"]) == ("LDH-JAGRAON", "fever_rash", "LDH")
    assert (row["first_week"], row["last_week"], row["observed"]) == (dt.date(2026, 3, 30), dt.date(2026, 4, 6), 20)
    # what triggered it: the counts of the weeks that decided, the alert week last
    assert row["trigger"]["weeks"][-1] == "2026-W14" and row["trigger"]["counts"][-1] == 18
    assert len(row["trigger"]["counts"]) == 10


def test_an_alert_stays_until_acknowledged(world):
    url, notify, clock, *_ = world
    add_weeks(url, [1] * 12 + [15])
    (opened,) = alerts.raise_alerts(url, notify, now=clock(), until="2026-W14").opened
    assert [a["id"] for a in alerts.open_alerts(url, district="LDH")] == [opened]
    assert alerts.open_alerts(url, district="SGR") == []
    assert not alerts.acknowledge(url, opened, SANGRUR, districts=["SGR"])  # not their district
    assert alerts.acknowledge(url, opened, LUDHIANA_1, districts=["LDH"])
    assert not alerts.acknowledge(url, opened, LUDHIANA_2)  # already acknowledged
    assert alerts.open_alerts(url) == []
    (kept,) = alerts.open_alerts(url, include_acknowledged=True)
    assert kept["acknowledged_by"] == LUDHIANA_1


def test_a_new_cluster_after_a_quiet_spell_alerts_again(world):
    url, notify, clock, *_ = world
    add_weeks(url, [1] * 12 + [15] + [1] * 10 + [25])
    first = alerts.raise_alerts(url, notify, now=clock(), until="2026-W14")
    second = alerts.raise_alerts(url, notify, now=clock(), until="2026-W25")
    assert len(first.opened) == 1 and len(second.opened) == 1 and first.opened != second.opened
    assert second.notified == 2


def test_the_gateway_sweep_raises_and_sends(world):
    import dataclasses

    from config.settings import load

    url, notify, clock, scheduler, transport = world
    add_weeks(url, [1] * 12 + [15])
    week_of_cluster = dt.datetime(2026, 4, 1, 18, 0, tzinfo=dt.timezone.utc)
    sweep = alerts.alert_sweep(dataclasses.replace(load(), database_url=url), clock=lambda: week_of_cluster)
    sweep._once()
    scheduler.run_due(clock())
    assert len(transport.sent) == 2
    sweep._once()  # again: nothing new
    scheduler.run_due(clock())
    assert len(transport.sent) == 2

