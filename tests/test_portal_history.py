"""History and search (issue #18 item 8): a doctor's past consultations, newest first, with the
prescription PDF; search by name, village or the phone's last digits among patients whose consent
lasts; nothing shown once consent has ended; a closed case is read-only."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from engine.i18n import t
from records import Actor, Purpose
from records.models import utcnow
from tests.support import portal as testing
from tests.support.portal import csrf_from

pytestmark = pytest.mark.postgres
world = testing.world


def _cases(page: str) -> list[str]:
    return re.findall(r'<li class="card" data-case="([^"]+)">', page)


@pytest.fixture(scope="module")
def two_cases(world):
    doc, _, _ = world.doctor("History Search Doctor")
    pid_a, case_a = world.booked_case(doc, phone="+919876504321")
    world.records.update_patient_profile(Actor.patient(pid_a), pid_a, purpose=Purpose.SELF_CARE, name="Harjit Singh",
                                         village="Dhuri")
    client = world.client(doc)
    page = client.get(f"/cases/{case_a}").get_data(as_text=True)
    client.post(f"/cases/{case_a}/notes", data={"assessment": "dengue", "diagnosis": "A97.0",
                                                "csrf_token": csrf_from(page)})
    client.post(f"/cases/{case_a}/prescribe", data={
        "generic": ["paracetamol"], "dose": ["500 mg"], "frequency": ["1-0-1"], "days": ["3"], "instructions": [""],
        "csrf_token": csrf_from(page)})
    pid_b, case_b = world.booked_case(doc, phone="+919876509999")
    world.records.update_patient_profile(Actor.patient(pid_b), pid_b, purpose=Purpose.SELF_CARE, name="Kamla Devi",
                                         village="Rampur")
    other, _, _ = world.doctor("Someone Else")
    world.booked_case(other)
    return doc, case_a, case_b


def test_past_consultations_newest_first_with_the_pdf(world, two_cases):
    doc, case_a, case_b = two_cases
    page = world.client(doc).get("/consultations").get_data(as_text=True)
    assert _cases(page) == [str(case_b), str(case_a)], "the doctor's own cases only, newest first"
    a = page.split(f'data-case="{case_a}"')[1].split("</li>")[0]
    assert "Harjit Singh" in a and "Dhuri" in a and "A97.0" in a and "closed" in a
    pdf = re.search(r'class="button secondary rx-pdf" href="([^"]+)"', a).group(1)
    assert world.client(doc).get(pdf).data.startswith(b"%PDF")


@pytest.mark.parametrize(("query", "expect"), [("dhuri", "a"), ("HARJIT", "a"), ("4321", "a"), ("kamla devi", "b"),
                                                ("9999", "b"), ("nobody", None), ("43", None)])
def test_search_by_name_village_or_phone_digits(world, two_cases, query, expect):
    doc, case_a, case_b = two_cases
    page = world.client(doc).get("/consultations", query_string={"q": query}).get_data(as_text=True)
    assert _cases(page) == ([] if expect is None else [str(case_a if expect == "a" else case_b)])
    if expect is None:
        assert f"No consented patient matches “{query}”" in html.unescape(page)


def test_no_details_and_no_search_once_consent_has_ended(world, two_cases, monkeypatch):
    doc, case_a, case_b = two_cases
    later = utcnow() + dt.timedelta(hours=80)
    monkeypatch.setattr(world.handoff, "now", lambda: later)  # the 72-hour consents are over
    page = world.client(doc).get("/consultations").get_data(as_text=True)
    assert _cases(page) == [str(case_b), str(case_a)]
    assert "Harjit Singh" not in page and "Kamla Devi" not in page and "consent has ended" in page
    assert _cases(world.client(doc).get("/consultations?q=dhuri").get_data(as_text=True)) == []


def test_closed_case_is_read_only_with_its_pdf(world, two_cases):
    doc, case_a, _ = two_cases
    client = world.client(doc)
    page = client.get(f"/cases/{case_a}").get_data(as_text=True)
    assert 'id="notes-read"' in page and 'id="save-notes"' not in page and 'id="send-rx"' not in page
    assert 'id="rx-open"' in page
    r = client.post(f"/cases/{case_a}/notes", data={"assessment": "changed later", "csrf_token": csrf_from(page)},
                    follow_redirects=True)
    assert t("portal_case_closed", "en") in html.unescape(r.get_data(as_text=True))
    assert world.handoff.case_view(doc, case_a)["details"]["notes"]["soap"]["assessment"] == "dengue"
