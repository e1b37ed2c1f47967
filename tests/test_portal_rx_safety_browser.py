"""Medicine safety at prescribing (issue #20 item 2), in Debian's Chromium through Playwright.

A six-year-old whose record holds warfarin (an earlier prescription by another doctor) and Crocin
(a photo-read prescription). The doctor records a penicillin allergy on the case page, then
prescribes ibuprofen 400 mg (an interaction-table pair with warfarin and over the age band's
largest single dose), paracetamol (the same generic as Crocin) and amoxicillin (a penicillin).
Each warns while the doctor writes (portal.js asks /rx-check) and again on saving; saving needs the override
ticked *and* a reason; the override is in the HMAC-chained
audit log (reason sealed), and the issued prescription keeps the checks and the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from config.timezone import IST
from engine.i18n import t
from records import Actor, Purpose
from records.models import utcnow
from tests.support import browser
from tests.support import portal as testing
from tests.support.browser import chromium, sign_in_cookie

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
portal_app, portal_url = browser.portal_app, browser.portal_url  # the served portal, shared fixtures
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "rx-safety"



def _child_with_medicines(world, doctor_id):
    """(patient, case) booked with ``doctor_id``: a child of six on warfarin, with Crocin on a photo."""
    pid, case_id = world.booked_case(doctor_id, phone="+919811100201", text="बेटे को दो दिन से बुखार और कान में दर्द")
    me = Actor.patient(pid)
    world.records.update_patient_profile(me, pid, purpose=Purpose.SELF_CARE,
                                         birth_year=utcnow().astimezone(IST).year - 6)
    cardiologist, _, _ = world.doctor("Earlier Cardiologist")
    earlier = world.records.open_consultation(me, pid, cardiologist, reason="valve", purpose=Purpose.SELF_CARE)
    world.records.grant_consent(me, pid, consultation_id=earlier)
    world.records.save_prescription(Actor.doctor(cardiologist), pid, earlier, [
        {"generic": "warfarin", "name": "warfarin", "dose": "1 mg", "strength": "1 mg", "frequency": "0-0-1",
         "duration_days": 90, "instructions": ""}], purpose=Purpose.TREATMENT)
    world.records.save_document(me, pid, b"\xff\xd8photo", filename="rx.jpg", mime="image/jpeg",
                                purpose=Purpose.SELF_CARE, ocr={"doc_type": "prescription", "lab_results": [],
                                                                "medications": [{"name": "Crocin", "generic": "paracetamol",
                                                                                 "strength": "500 mg"}]})
    return pid, case_id


def _row(page, n: int, generic: str, dose: str, frequency: str) -> None:
    if n > 1:
        page.click("#add-row")
    row = page.locator("#rx-rows .rx-row").nth(n - 1)
    row.locator("input[name=generic]").fill(generic)
    row.locator("input[name=dose]").fill(dose)
    row.locator("input[name=frequency]").fill(frequency)
    row.locator("input[name=days]").fill("5")


def test_interaction_duplicate_allergy_and_child_dose_warn_and_an_override_needs_a_reason(world, portal_app, portal_url):
    doc, _, _ = world.doctor("Careful Prescriber")
    pid, case_id = _child_with_medicines(world, doc)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(portal_url, width=390, height=900) as page:
        page.context.add_cookies([{**sign_in_cookie(portal_app, world.services.sessions.open(doc, full=True)), "url": portal_url}])
        page.goto(f"/cases/{case_id}")
        current = page.locator("#current-medicines").inner_text()
        assert "warfarin" in current and t("rx_source_prescription", "en") in current
        assert "Crocin" in current and t("rx_source_document", "en") in current
        expect(page.locator("#rx-age")).to_have_value("6")  # from the profile; the doctor may correct it
        expect(page.locator("#no-allergies")).to_be_visible()

        page.fill("#allergy-substance", "Penicillin")
        page.click("#add-allergy")
        expect(page.locator("p.flash").first).to_have_text(t("rx_allergy_added", "en"))
        expect(page.locator("#allergies li.allergy")).to_contain_text("Penicillin")

        _row(page, 1, "ibuprofen", "400 mg", "1-1-1")
        _row(page, 2, "paracetamol", "250 mg", "1-1-1-1")
        _row(page, 3, "amoxicillin", "250 mg", "1-1-1")
        # shown while writing, before any save (portal.js asks /rx-check)
        for code in ("interaction:ibuprofen:warfarin", "duplicate:paracetamol:crocin", "allergy:amoxicillin:penicillin",
                     "dose:ibuprofen:single"):
            expect(page.locator(f"#rx-live li[data-code='{code}']")).to_have_count(1)
        page.click("#send-rx")
        expect(page.locator("#rx-problem")).to_have_text(t("rx_check_review", "en"))
        warnings = page.locator("#rx-warnings li.rx-warning")
        codes = set(warnings.evaluate_all("items => items.map(i => i.dataset.code)"))
        assert {"interaction:ibuprofen:warfarin", "duplicate:paracetamol:crocin", "allergy:amoxicillin:penicillin",
                "dose:ibuprofen:single"} <= codes, codes
        serious = page.locator("#rx-warnings li.rx-warning.serious")
        assert serious.filter(has_text="warfarin").count() == 1  # the major bleeding pair
        assert serious.filter(has_text="Penicillin").count() == 1
        assert serious.filter(has_text="150 mg").count() == 1  # the largest single dose at six
        assert page.locator("#rx-warnings li.rx-warning.caution").filter(has_text="Crocin").count() == 1
        expect(page.locator("#rx-rows .rx-row").nth(2).locator("input[name=generic]")).to_have_value("amoxicillin")
        page.screenshot(path=str(ARTIFACTS / "warnings.png"), full_page=True)

        page.click("#send-rx")  # seen, but no override: refused
        expect(page.locator("#rx-problem")).to_have_text(t("rx_check_override_needed", "en"))
        page.check("#rx-override")
        page.click("#send-rx")  # override without a reason: refused
        expect(page.locator("#rx-problem")).to_have_text(t("rx_check_override_needed", "en"))
        reason = "Cardiologist agreed ibuprofen for 2 days; mother says rash was not penicillin"
        page.check("#rx-override")
        page.fill("#rx-override-reason", reason)
        page.click("#send-rx")
        page.wait_for_url(f"**/cases/{case_id}#issued")
        assert reason in page.locator("#rx-override-kept").inner_text()
        page.screenshot(path=str(ARTIFACTS / "issued.png"), full_page=True)

    with world.records.sessions() as s:
        from records import audit

        key = world.records.vault.for_user(s, pid)
        entries = [e for e in audit.entries_about(s, key) if e["action"] == "override"]
    assert len(entries) == 1 and entries[0]["resource"] == "rx_safety" and entries[0]["actor_id"] == doc
    assert entries[0]["detail"]["reason"] == reason
    assert {"interaction:ibuprofen:warfarin", "allergy:amoxicillin:penicillin",
            "dose:ibuprofen:single"} <= set(entries[0]["detail"]["overridden"])
    assert world.records.verify_audit().ok
    issued = [h for h in world.records.history(Actor.doctor(doc), pid, purpose=Purpose.TREATMENT)
              if h["kind"] == "prescription"]  # this consultation's only: the earlier one is not his to read
    assert [[i["generic"] for i in h["data"]["items"]] for h in issued] == [["ibuprofen", "paracetamol", "amoxicillin"]]


def test_only_cautions_need_no_override_and_leave_no_audit_decision(world, portal_app, portal_url):
    """A pregnant adult prescribed ibuprofen: a caution (NSAIDs in pregnancy) is shown once, then the
    prescription goes out on the second save without an override."""
    doc, _, _ = world.doctor("Pregnancy Prescriber")
    pid, case_id = world.booked_case(doc, phone="+919811100202")
    with chromium(portal_url, width=1280, height=900) as page:
        page.context.add_cookies([{**sign_in_cookie(portal_app, world.services.sessions.open(doc, full=True)), "url": portal_url}])
        page.goto(f"/cases/{case_id}")
        _row(page, 1, "ibuprofen", "400 mg", "1-0-1")
        page.check("#rx-pregnant")
        page.click("#send-rx")
        expect(page.locator("#rx-warnings li.rx-warning.caution")).to_have_attribute("data-code",
                                                                                   "pregnancy:ibuprofen:caution")
        assert page.locator("#rx-override").count() == 0
        expect(page.locator("#rx-pregnant")).to_be_checked()  # kept as typed
        page.click("#send-rx")
        page.wait_for_url(f"**/cases/{case_id}#issued")
    with world.records.sessions() as s:
        from records import audit

        key = world.records.vault.for_user(s, pid)
        assert not [e for e in audit.entries_about(s, key) if e["action"] == "override"]
    notes = world.handoff.case_view(doc, case_id)["details"]["notes"]["prescription"]
    assert [c["code"] for c in notes["checks"]] == ["pregnancy:ibuprofen:caution"] and notes["override_reason"] is None
