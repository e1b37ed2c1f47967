"""The case page after a check-in at home, in Debian's Chromium (Playwright), 360 px wide.

A prescription (a fever medicine and a chronic one) sends an adherence question and the day-3
check-in; the patient says a dose was missed, then that they feel worse. The case comes back to
the doctor: the follow-up and messages cards (one ``listed`` macro in case.html) show each answer
and each message, and the doctor can act on the reopened case from the page as the patient was
promised ("your case is back with the doctor, who will look at it today"): call the patient,
write notes, prescribe again — after which the case is closed and the cards stay readable.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from engine.i18n import t
from engine.notify.followup import FollowUp
from tests.support import browser
from tests.support import portal as testing
from tests.support.browser import chromium, sign_in_cookie

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
portal_app, portal_url = browser.portal_app, browser.portal_url
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "followup"
PHONE, DOCTOR_PHONE = "+919811400001", "+919811400099"


def _sent(world, monkeypatch, case_id, kind: str) -> None:
    """The case's ``kind`` message is due and goes out (the outbox's clock moved to its time)."""
    notify = world.handoff.notify
    (row,) = [r for r in notify.deliveries(str(case_id)) if r.kind == kind][:1]
    monkeypatch.setattr(notify, "clock", lambda: row.due_at)
    assert notify.dispatch(row.id) == "sent"


def _reopened_case(world, monkeypatch):
    doc, _, _ = world.doctor("Followup Browser", languages=("hi", "en"), phone=DOCTOR_PHONE)
    pid, case_id = world.booked_case(doc, phone=PHONE)
    world.handoff.accept(doc, case_id)
    world.handoff.save_notes(doc, case_id, soap={"assessment": "viral fever"}, diagnosis="R50.9")
    world.handoff.prescribe(doc, case_id, [
        {"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 5},
        {"generic": "Amlodipine", "dose": "5 mg", "frequency": "0-0-1", "duration_days": 30}])
    service = FollowUp(world.handoff.notify, world.handoff)
    _sent(world, monkeypatch, case_id, "adherence")
    assert service.answer(pid, "2").verdict == "missed"
    _sent(world, monkeypatch, case_id, "checkin")
    answer = service.answer(pid, "३")
    assert answer.verdict == "worse" and answer.reopened
    monkeypatch.undo()
    return doc, case_id


def test_reopened_case_lists_the_answers_and_messages_and_the_doctor_can_act(world, portal_app, portal_url,
                                                                             monkeypatch):
    doc, case_id = _reopened_case(world, monkeypatch)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(portal_url, width=360, height=740) as page:
        page.context.add_cookies([{**sign_in_cookie(portal_app, world.services.sessions.open(doc, full=True)),
                                   "url": portal_url}])
        page.goto("/queue")
        item = page.locator(f"li[data-case='{case_id}']")
        expect(item.locator("p.reopened")).to_contain_text("Back in your queue")
        item.locator("a.button").click()
        page.wait_for_url(f"**/cases/{case_id}")

        expect(page.locator("#reopened")).to_contain_text("Day 3 check-in, answered")
        cards = page.locator("#followup")
        expect(cards.locator("h2")).to_have_text(t("portal_followup_heading", "en"))
        expect(cards.locator("li.followup")).to_have_count(2)
        expect(cards.locator("li.followup.missed[data-kind=adherence]")).to_contain_text("Adherence (amlodipine)")
        expect(cards.locator("li.followup.worse[data-kind=checkin]")).to_contain_text("Day 3 check-in, answered")
        messages = page.locator("#messages")
        expect(messages.locator("h2")).to_have_text(t("portal_messages_heading", "en"))
        kinds = set(messages.locator("li.message").evaluate_all("items => items.map(i => i.dataset.kind)"))
        assert {"meeting", "prescription", "checkin", "adherence"} <= kinds, kinds
        expect(messages.locator("li.message[data-kind=checkin]")).to_contain_text(t("portal_msg_kind_checkin", "en"))
        page.screenshot(path=str(ARTIFACTS / "01-reopened.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the reopened case page is {width} px wide at 360 px"

        # the patient was told the doctor will look at it today: the doctor can call them from here
        world.standin.reset()
        page.click("#call")
        page.wait_for_url(f"**/cases/{case_id}")
        expect(page.locator("p.flash").first).to_have_text(t("portal_call_started", "en"))
        assert [r for r in world.standin.requests if r.path.endswith("/Calls.json")], "no call placed"

        page.fill("textarea[name=subjective]", "Fever worse on day 3, missed the evening amlodipine")
        page.click("#save-notes")
        expect(page.locator("p.flash").first).to_have_text(t("portal_notes_saved_code", "en", code="R50.9"))
        expect(page.locator("textarea[name=subjective]")).to_have_value("Fever worse on day 3, missed the evening amlodipine")

        page.fill("#rx-rows .rx-row:nth-child(1) input[name=generic]", "ORS")
        page.fill("#rx-rows .rx-row:nth-child(1) input[name=dose]", "1 sachet in 1 L water")
        page.fill("#rx-rows .rx-row:nth-child(1) input[name=frequency]", "sip through the day")
        page.fill("#rx-rows .rx-row:nth-child(1) input[name=days]", "2")
        page.click("#send-rx")
        page.wait_for_url(f"**/cases/{case_id}#issued")
        expect(page.locator("#notes-read")).to_be_visible()  # closed again
        expect(page.locator("#followup li.followup")).to_have_count(2)  # the answers stay on the closed case
        page.screenshot(path=str(ARTIFACTS / "02-closed-again.png"), full_page=True)
