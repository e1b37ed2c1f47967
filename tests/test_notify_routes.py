"""One delivery path to patients (issue #20 item 1): every message the doctor's side sends a
patient goes through engine.notify, and each route is exercised against the Twilio stand-in with
the portal's real services: a session message inside WhatsApp's 24-hour window, the approved
template outside it, SMS when WhatsApp refuses or a status callback says undelivered, a call for
people who reach us by phone, quiet hours, and Twilio's status callbacks on the doctor's case
page. Plus the rule that keeps it one path: only the notify adapter calls Twilio's message API."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from sqlalchemy import update

from config.paths import ROOT
from engine.i18n import catalogue
from engine.notify.models import Outbox
from engine.notify.service import template_registry
from records.portal_models import HandoffCase
from tests.support import portal as testing

pytestmark = pytest.mark.postgres
world = testing.world
RX = [{"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 3}]


def _rows(world, case_id) -> list[Outbox]:
    return world.handoff.notify.deliveries(str(case_id))


def _age_case(world, case_id, days: float) -> None:
    """The patient last wrote ``days`` ago (the case was opened then)."""
    with world.records.sessions() as s:
        s.execute(update(HandoffCase).where(HandoffCase.id == case_id).values(
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)))
        s.commit()


def _prescribe(world, doctor: str, phone: str, *, aged_days: float = 0, refuse: tuple[int, int] | None = None,
               **case):  # type: ignore[no-untyped-def]
    """A new doctor's prescription for a case booked from ``phone`` (the patient last wrote
    ``aged_days`` ago), with the Twilio stand-in's record holding only what it sent; ``refuse``
    (HTTP status, Twilio error code) makes Twilio refuse the first send. (doctor, case id, result)."""
    doc, _, _ = world.doctor(doctor)
    _, case_id = world.booked_case(doc, phone=phone, **case)
    if aged_days:
        _age_case(world, case_id, aged_days)
    world.standin.reset()
    if refuse:
        world.standin.refuse_next(*refuse)
    return doc, case_id, world.handoff.prescribe(doc, case_id, RX)


def test_in_window_prescription_is_a_whatsapp_session_message_with_its_pdf(world):
    phone = "+919811200001"
    _, case_id, done = _prescribe(world, "Window Doctor", phone)
    assert done.delivery.status == "queued" and done.delivery.outbox
    sent = world.standin.sent_messages(f"whatsapp:{phone}")
    assert len(sent) == 1 and "Paracetamol".lower() in sent[0]["Body"][0].lower()
    assert sent[0]["MediaUrl"][0].startswith("https://portal.example.org/media/rx/")
    assert sent[0]["StatusCallback"][0].endswith("/twilio/status")
    (row,) = [r for r in _rows(world, case_id) if r.kind == "prescription"]
    assert (row.status, row.via, row.sid) == ("sent", "whatsapp", done.delivery.sid)


def test_out_of_window_prescription_goes_as_the_approved_template(world, monkeypatch):
    approved = {**template_registry(), "portal_rx_ready": {**template_registry()["portal_rx_ready"],
                                                           "content_sid": {"hi": "HXhi", "pa": "HXpa", "en": "HXen"}}}
    monkeypatch.setattr(world.handoff.notify, "templates", approved)
    phone = "+919811200002"
    # the patient last wrote two days ago: free text would not arrive
    _, case_id, _ = _prescribe(world, "Template Doctor", phone, aged_days=2, language="pa")
    (sent,) = world.standin.sent_messages(f"whatsapp:{phone}")
    assert sent["ContentSid"] == ["HXpa"] and "Body" not in sent
    variables = json.loads(sent["ContentVariables"][0])
    assert set(variables) == {"1", "2", "3"} and "paracetamol" in variables["2"].lower()
    assert variables["3"].startswith("https://portal.example.org/media/rx/")  # the PDF, as a link
    (row,) = [r for r in _rows(world, case_id) if r.kind == "prescription"]
    assert row.via == "template"


def test_out_of_window_without_an_approved_template_goes_by_sms_with_the_link(world):
    phone = "+919811200003"
    _prescribe(world, "No Template Doctor", phone, aged_days=3)
    assert not world.standin.sent_messages(f"whatsapp:{phone}")
    (sms,) = world.standin.sent_messages(phone)
    assert "/media/rx/" in sms["Body"][0] and "MediaUrl" not in sms


def test_whatsapp_refusal_switches_to_sms_at_once(world):
    phone = "+919811200004"
    # Twilio: the number is not on WhatsApp
    _, case_id, done = _prescribe(world, "Refusal Doctor", phone, refuse=(400, 63003))
    assert done.delivery and done.delivery.status == "queued"
    assert len(world.standin.sent_messages(f"whatsapp:{phone}")) == 1  # tried once, refused
    (sms,) = world.standin.sent_messages(phone)
    assert "/media/rx/" in sms["Body"][0]
    (row,) = [r for r in _rows(world, case_id) if r.kind == "prescription"]
    assert (row.via, row.fallback, row.error) == ("sms", "sms", "63003")


def test_a_wrong_number_is_refused_not_retried_by_sms(world):
    # invalid 'To' number: SMS would fail the same way
    _, _, done = _prescribe(world, "Wrong Number Doctor", "+919811200005", refuse=(400, 21211))
    assert not done.delivery and done.delivery.reason == "refused"
    assert len(world.standin.sent_messages()) == 1


def test_undelivered_callback_switches_to_sms_and_the_case_page_says_so(world):
    phone = "+919811200006"
    doc, case_id, done = _prescribe(world, "Callback Doctor", phone)
    notify = world.handoff.notify
    assert notify.record_status(done.delivery.sid, "undelivered", "63024")
    when, function, args = world.scheduler.jobs[-1]
    assert function == "engine.notify.jobs.dispatch" and args == (done.delivery.outbox,)
    assert notify.dispatch(args[0]) == "sent"
    (sms,) = world.standin.sent_messages(phone)
    assert "/media/rx/" in sms["Body"][0]
    assert notify.record_status(done.delivery.sid, "delivered") is False  # the WhatsApp SID is no longer the row's
    page = world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True)
    assert "not delivered by WhatsApp: switched to SMS" in page and "sent by SMS" in page


def test_status_callbacks_show_delivered_and_read_on_the_case_page(world):
    doc, case_id, done = _prescribe(world, "Read Doctor", "+919811200007")
    notify = world.handoff.notify
    delivered = dt.datetime(2026, 12, 6, 5, 12, tzinfo=dt.timezone.utc)  # 10:42 IST
    assert notify.record_status(done.delivery.sid, "delivered", at=delivered)
    assert notify.record_status(done.delivery.sid, "read", at=delivered + dt.timedelta(minutes=8))
    assert notify.record_status(done.delivery.sid, "sent", at=delivered + dt.timedelta(minutes=9))  # late: ignored
    page = world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True)
    line = re.search(r'<li class="message sent" data-kind="prescription">([^<]*)</li>', page)
    assert line, page[page.find('id="messages"'):][:600]
    assert "sent by WhatsApp" in line.group(1) and "delivered 06/12 10:42" in line.group(1)
    assert "read 06/12 10:50" in line.group(1)
    assert 'id="rx-delivery" class="flash ok"' in page


def test_people_who_call_us_get_a_call_that_reads_the_message(world):
    phone = "+919811200008"
    _, _, done = _prescribe(world, "Voice Doctor", phone, channel="voice")
    assert done.delivery
    calls = [r.form for r in world.standin.requests if r.path.endswith("/Calls.json")]
    assert len(calls) == 1 and calls[0]["To"] == [phone]
    assert "<Say" in calls[0]["Twiml"][0] and "hi-IN" in calls[0]["Twiml"][0]
    assert not world.standin.sent_messages()


def test_slot_offer_in_quiet_hours_waits_for_the_morning(world, monkeypatch):
    """A doctor offering tomorrow's slot at 23:30 IST to someone who wrote two days ago: held to 07:00."""
    from config.timezone import IST
    from engine.notify.timing import at_ist

    doc, _, _ = world.doctor("Night Doctor")
    pid = world.patient("+919811200009", "hi")
    offer = world.handoff.request_doctor(pid, text="खांसी", triage=testing.TRIAGE, language="hi")
    _age_case(world, offer.case_id, 2)
    slot = world.slot(doc, in_minutes=600)
    today = dt.datetime.now(IST).date()
    night = at_ist(today, 23, 30)
    monkeypatch.setattr(world.handoff.notify, "clock", lambda: night)
    world.standin.reset()
    delivery = world.handoff.offer_slot(doc, offer.case_id, slot)
    assert delivery and (delivery.status, delivery.reason) == ("scheduled", "quiet_hours")
    assert not world.standin.sent_messages()
    assert world.scheduler.jobs[-1][0] == at_ist(today + dt.timedelta(days=1), 7)


def test_every_template_matches_its_catalogue_text_in_three_languages():
    """The registry's variables are exactly the placeholders of the text WhatsApp approved, in hi/pa/en."""
    import string

    texts = catalogue()
    for key, template in template_registry().items():
        entry = texts[template.get("text", key)]
        assert set(template["content_sid"]) == {"hi", "pa", "en"}, key
        for language in ("hi", "pa", "en"):
            names = {n for _, n, _, _ in string.Formatter().parse(entry[language]) if n}
            assert names == set(template["variables"]), f"{key} {language}: {names} != {template['variables']}"


def test_only_the_notify_adapter_calls_twilios_message_api():
    """One delivery path: ``messages.create`` (the Twilio client's message API) appears in
    engine/notify/twilio.py and nowhere else in the project's code; no module posts to
    Messages.json by hand either."""
    allowed = ROOT / "engine" / "notify" / "twilio.py"
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {"tests", ".venv", ".venv-rasa", "node_modules", "var"} or path == allowed:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"messages\s*\.\s*create\b|Messages\.json", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    assert "client.messages.create" in allowed.read_text(encoding="utf-8")


def test_the_case_page_lists_each_message_once_per_event(world):
    """A duplicate job or a second click sends nothing new: dedupe keys per event."""
    doc, _, _ = world.doctor("Dedupe Doctor")
    _, case_id = world.booked_case(doc, phone="+919811200010")
    world.standin.reset()
    assert world.handoff.remind(case_id, "patient")
    first = _rows(world, case_id)
    assert [r.kind for r in first] == ["appointment"]
    row = first[0]
    assert world.handoff.notify.dispatch(row.id) == "sent"  # the job again: claimed already
    assert len(world.standin.sent_messages()) == 1
    assert uuid.UUID(str(row.id))
