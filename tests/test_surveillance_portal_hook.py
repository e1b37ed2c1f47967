"""A diagnosis a doctor confirms on the portal is counted for surveillance (source "portal"), at the
patient's village, with codes and bands only; a diagnosis that is no S-form syndrome is not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from engine.surveillance import migrations as surveillance_migrations
from engine.surveillance.events import EventRow, url_of
from records import Actor, Purpose
from records.db import normalise_url
from tests.support import portal as testing

pytestmark = pytest.mark.postgres
world = testing.world  # the module's fixture (portal/testing.py)


def test_confirmed_measles_counts_as_fever_with_rash(world):
    url = url_of(world.records)
    surveillance_migrations.upgrade(url)
    doc, _, _ = world.doctor("Surveillance Doctor")
    pid, case_id = world.booked_case(doc, phone="+919811100071")
    world.records.update_patient_profile(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE, village="ਸੁਨਾਮ")
    world.handoff.save_notes(doc, case_id, soap={"assessment": "measles"}, diagnosis="B05.9")
    world.handoff.save_notes(doc, case_id, soap={"assessment": "MI"}, diagnosis="I21.9")
    with sa.create_engine(normalise_url(url), poolclass=NullPool).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(EventRow.__table__))]
    assert [(r["syndrome"], r["block"], r["village"], r["sex"], r["age_band"], r["source"]) for r in rows] == [
        ("fever_rash", "SGR-SUNAM", "Sunam", "m", "45-59", "portal")]
