"""Availability (issue #18 item 6): a past time is refused with a message and the form keeps what
was typed, a block too short for one slot is not reported as added, the same hours twice make no
duplicates, and a slot that has started reads "now" (never "in -6 min")."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from config.timezone import IST
from engine.i18n import t
from records.models import utcnow
from tests.support import portal as testing
from tests.support.portal import TRIAGE, csrf_from

pytestmark = pytest.mark.postgres
world = testing.world


def _add(client, **form):
    token = csrf_from(client.get("/slots").get_data(as_text=True))
    return client.post("/slots", data={**form, "csrf_token": token}, follow_redirects=True)


def _flashes(response) -> list[str]:
    return [html.unescape(x) for x in re.findall(r'<p class="flash \w+"[^>]*>([^<]*)</p>', response.get_data(as_text=True))]


def _tomorrow() -> str:
    return (utcnow().astimezone(IST) + dt.timedelta(days=1)).date().isoformat()


def test_past_time_is_refused_with_what_was_typed(world):
    doc, _, _ = world.doctor("Past Slot Doctor")
    client = world.client(doc)
    yesterday = (utcnow().astimezone(IST) - dt.timedelta(days=1)).date()
    r = _add(client, day=yesterday.isoformat(), start="10:00", end="12:00", minutes="20")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    start = dt.datetime.combine(yesterday, dt.time(10, 0), IST)
    assert _flashes(r) == [t("portal_slot_past", "en", time=start.strftime("%d/%m %H:%M"))]
    assert f'value="{yesterday.isoformat()}"' in page and 'value="10:00"' in page and 'value="20"' in page
    assert world.handoff.slots_of(doc) == []


def test_too_short_block_is_not_reported_as_added(world):
    doc, _, _ = world.doctor("Short Slot Doctor")
    r = _add(world.client(doc), day=_tomorrow(), start="10:00", end="10:10", minutes="15")
    assert r.status_code == 422 and _flashes(r) == [t("portal_slot_too_short", "en", minutes=15)]
    assert world.handoff.slots_of(doc) == []


def test_same_hours_twice_make_no_duplicates(world):
    doc, _, _ = world.doctor("Twice Slot Doctor")
    client = world.client(doc)
    first = _add(client, day=_tomorrow(), start="10:00", end="11:00", minutes="15")
    assert first.status_code == 200 and len(world.handoff.slots_of(doc)) == 4
    assert _flashes(first)[0].startswith(t("portal_slots_added", "en", count=4, start="")[:10])
    again = _add(client, day=_tomorrow(), start="10:00", end="11:00", minutes="15")
    assert _flashes(again) == [t("portal_slots_duplicates", "en", skipped=4)]
    assert len(world.handoff.slots_of(doc)) == 4
    wider = _add(client, day=_tomorrow(), start="10:30", end="11:30", minutes="15")
    assert any(f.startswith("2 slots added") for f in _flashes(wider)) and \
        t("portal_slots_duplicates", "en", skipped=2) in _flashes(wider)
    starts = [s.starts_at for s in world.handoff.slots_of(doc)]
    assert len(starts) == len(set(starts)) == 6


def test_started_slot_reads_now(world, monkeypatch):
    doc, _, _ = world.doctor("Running Slot Doctor", "dermatologist", ("hi",))
    _, case_id = world.booked_case(doc, triage={**TRIAGE, "specialist": "dermatologist"})  # slot in 30 min
    later = utcnow() + dt.timedelta(minutes=36)
    monkeypatch.setattr(world.handoff, "now", lambda: later)  # six minutes into the slot
    client = world.client(doc)
    queue = client.get("/queue").get_data(as_text=True)
    item = queue.split(f'data-case="{case_id}"')[1].split("</li>")[0]
    assert f"({t('portal_slot_now', 'en')})" in item and "in -" not in item
    case = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"({t('portal_slot_now', 'en')})" in case and "in -" not in case
    slots = client.get("/slots").get_data(as_text=True)
    assert f'<span class="badge ok">{t("portal_slot_now", "en")}</span>' in slots
