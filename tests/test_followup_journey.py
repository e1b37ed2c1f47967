"""Follow-up at home (issue #20 item 3), as a patient lives it, in Hindi and Punjabi: a consultation
ends in a prescription; on day 3 the check-in arrives in the patient's language; "worse" (or a side
effect, or a new symptom) is answered and puts the case back in the doctor's queue with the reason;
chronic medicines get adherence questions; the case page shows it all. The patient's answers go
through the gateway's hook (channels.followup), the messages through engine.notify to the Twilio
stand-in; the clock moves by setting the outbox's."""

from __future__ import annotations

import datetime as dt
import html
from types import SimpleNamespace

import pytest

from config.timezone import IST
from engine.handoff.names import doctor_title
from engine.i18n import t
from engine.notify import jobs
from engine.notify.followup import FollowUp
from engine.notify.timing import at_ist
from records.portal_models import PRIORITY
from tests.support import portal as testing

pytestmark = pytest.mark.postgres
world = testing.world
WORDS = {"hi": "मुझे तीन दिन से बुखार और सिर दर्द है", "pa": "ਮੈਨੂੰ ਤਿੰਨ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਅਤੇ ਸਿਰ ਦਰਦ ਹੈ"}


@pytest.fixture
def gateway(world, monkeypatch):
    """What channels.followup needs of the gateway: its records, handoff, settings and store; the
    process's notify service is the portal's (same database, sender, scheduler, state)."""
    jobs.set_service(world.handoff.notify)
    yield SimpleNamespace(services=SimpleNamespace(records=world.records, handoff=world.handoff),
                          settings=world.settings, store=world.handoff.notify.state)
    jobs.set_service(None)


def _consultation(world, language: str, phone: str, items: list[dict], name: str):
    doc, _, _ = world.doctor(name, languages=("hi", "pa", "en"))
    pid, case_id = world.booked_case(doc, phone=phone, language=language, text=WORDS[language],
                                     triage={**testing.TRIAGE, "language": language})
    world.handoff.accept(doc, case_id)  # the video consultation
    world.handoff.save_notes(doc, case_id, soap={"assessment": "viral fever"}, diagnosis="R50.9")
    world.handoff.prescribe(doc, case_id, items)
    return doc, pid, case_id


def _reply(gateway, phone: str, text: str) -> str | None:
    from channels.followup import checkin_reply
    from records.identity import sender_id

    return checkin_reply(gateway, phone, sender_id(phone, gateway.settings.sender_salt), text)


def _day(world, monkeypatch, when: dt.datetime) -> None:
    monkeypatch.setattr(world.handoff.notify, "clock", lambda: when)


def _check_in_sent(world, monkeypatch, case_id) -> None:
    """Day three: the case's check-in is due and goes out."""
    notify = world.handoff.notify
    (checkin,) = [r for r in notify.deliveries(str(case_id)) if r.kind == "checkin"]
    _day(world, monkeypatch, checkin.due_at)
    notify.dispatch(checkin.id)


@pytest.mark.parametrize(("language", "worse", "phone"), [("hi", "३", "+919811300001"), ("pa", "ਹੋਰ ਖ਼ਰਾਬ", "+919811300002")])
def test_day_three_worse_puts_the_case_back_in_the_queue(world, gateway, monkeypatch, language, worse, phone):
    doc, _, case_id = _consultation(world, language, phone, [
        {"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 5}], f"Journey {language}")
    notify = world.handoff.notify
    (checkin,) = [r for r in notify.deliveries(str(case_id)) if r.kind == "checkin"]
    today = dt.datetime.now(IST).date()
    assert checkin.due_at.astimezone(dt.timezone.utc) == at_ist(today + dt.timedelta(days=2), 10)
    assert _reply(gateway, phone, worse) is None  # nothing asked yet: the bot answers

    _day(world, monkeypatch, at_ist(today + dt.timedelta(days=2), 10))
    world.standin.reset()
    assert notify.dispatch(checkin.id) == "sent"
    (question,) = world.standin.sent_messages(phone)  # two days after they last wrote: no approved template, SMS
    doctor = doctor_title(f"Journey {language}")
    fever = {"hi": "बुखार", "pa": "ਬੁਖਾਰ"}[language]
    assert question["Body"][0] == t("followup_checkin", language, "sms", day="3", problem=fever, doctor=doctor)

    reply = _reply(gateway, phone, worse)
    assert reply == t("followup_worse", language, doctor=doctor) and "108" in reply
    (item,) = [i for i in world.handoff.queue(doc) if i.id == case_id]
    assert item.status == "reopened" and item.priority == PRIORITY["urgent"] and item.consented
    assert item.details["notes"]["reopened"]["verdict"] == "worse"
    queue_page = html.unescape(world.client(doc).get("/queue").get_data(as_text=True))
    assert "Back in your queue: Day 3 check-in" in queue_page and "worse" in queue_page
    case_page = html.unescape(world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True))
    assert 'id="followup"' in case_page and "Day 3 check-in, answered" in case_page
    assert _reply(gateway, phone, worse) is None  # answered: the next "3" is the bot's again


def test_a_side_effect_in_punjabi_is_checked_against_the_prescription(world, gateway, monkeypatch):
    phone = "+919811300003"
    doc, _, case_id = _consultation(world, "pa", phone, [
        {"generic": "Amoxicillin", "dose": "500 mg", "frequency": "1-1-1", "duration_days": 5}], "Side Effect Doctor")
    _check_in_sent(world, monkeypatch, case_id)
    reply = _reply(gateway, phone, "ਦਵਾਈ ਤੋਂ ਬਾਅਦ ਸਰੀਰ ਤੇ ਧੱਫੜ ਹੋ ਗਏ")
    assert reply and reply.startswith(t("followup_verdict_stop", "pa", medicine="amoxicillin",
                                        doctor=doctor_title("Side Effect Doctor"))[:12])
    assert "108" in reply
    (item,) = [i for i in world.handoff.queue(doc) if i.id == case_id]
    assert item.status == "reopened" and item.details["notes"]["reopened"]["side_effect"]["effect"] == "allergy"
    page = html.unescape(world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True))
    assert "possible side effect:" in page and "amoxicillin (allergy, urgent)" in page


def test_a_new_symptom_reopens_and_anything_else_goes_to_the_bot(world, gateway, monkeypatch):
    phone = "+919811300004"
    doc, _, case_id = _consultation(world, "hi", phone, [
        {"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 3}], "New Symptom Doctor")
    _check_in_sent(world, monkeypatch, case_id)
    assert _reply(gateway, phone, "dolo kahan milegi") is None  # not an answer: the bot's
    assert _reply(gateway, phone, "सांस नहीं आ रही, बेहोश हो रहा हूँ") is None  # danger signs: the bot's advice first
    reply = _reply(gateway, phone, "अब खांसी भी है")
    from nlu.symptoms import catalogue

    assert reply == t("followup_new_symptom", "hi", symptoms=catalogue()["cough"].hi,
                      doctor=doctor_title("New Symptom Doctor"))
    (item,) = [i for i in world.handoff.queue(doc) if i.id == case_id]
    assert item.status == "reopened" and item.details["notes"]["reopened"]["symptoms"] == ["cough"]


def test_an_emergency_after_a_prescription_reopens_the_case_as_an_emergency(world, gateway):
    phone = "+919811300005"
    doc, pid, case_id = _consultation(world, "hi", phone, [
        {"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 3}], "Emergency Doctor")
    service = FollowUp(world.handoff.notify, world.handoff)
    assert service.emergency(pid) == case_id
    assert service.emergency(pid) == case_id  # the same day again: one entry
    (item,) = [i for i in world.handoff.queue(doc) if i.id == case_id]
    assert item.priority == PRIORITY["emergency"] and item.status == "reopened"
    assert [e["verdict"] for e in world.handoff.followup_entries(case_id)] == ["emergency"]


def test_chronic_medicines_get_adherence_questions(world, gateway, monkeypatch):
    phone = "+919811300006"
    doc, _, case_id = _consultation(world, "hi", phone, [
        {"generic": "Amlodipine", "dose": "5 mg", "frequency": "0-0-1", "duration_days": 30},
        {"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 3}], "Chronic Doctor")
    notify = world.handoff.notify
    asks = sorted((r for r in notify.deliveries(str(case_id)) if r.kind == "adherence"), key=lambda r: r.due_at)
    today = dt.datetime.now(IST).date()
    assert [r.due_at.astimezone(dt.timezone.utc) for r in asks] == [
        at_ist(today + dt.timedelta(days=1), 21, 30), at_ist(today + dt.timedelta(days=6), 21, 30)]  # after the 21:00 dose
    # a day late, so the patient's last WhatsApp message (sent now) is outside the 24-hour window at
    # any hour this runs: on time, after 21:30 IST it was inside it and the question went by WhatsApp
    _day(world, monkeypatch, asks[0].due_at + dt.timedelta(days=1))
    world.standin.reset()
    assert notify.dispatch(asks[0].id) == "sent"
    (question,) = world.standin.sent_messages(phone)
    assert question["Body"][0] == t("followup_adherence", "hi", "sms", slot="रात")
    assert _reply(gateway, phone, "2") == t("followup_adherence_missed", "hi")
    (item,) = [i for i in world.handoff.queue(doc) if i.id == case_id] or [None]
    assert item is None  # a missed dose is shown, not a reason to reopen
    page = html.unescape(world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True))
    assert "Adherence (amlodipine), answered" in page and "dose missed" in page


def test_no_open_check_in_is_remembered_so_choices_skip_the_database(world, gateway, monkeypatch):
    """A "1" from someone with nothing open costs the look-up once; the store's note answers the
    next ones until a check-in is sent to them, which deletes it (erasure forgets it too)."""
    import channels.followup as hook
    from engine.notify.followup import no_checkin_key
    from records.identity import sender_id

    phone = "+919811300009"
    sender = sender_id(phone, gateway.settings.sender_salt)
    _, _, case_id = _consultation(world, "hi", phone, [
        {"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 5}], "Shortcut Doctor")
    looked_up = []
    real = hook._patient
    monkeypatch.setattr(hook, "_patient", lambda gw, address: looked_up.append(address) or real(gw, address))

    assert _reply(gateway, phone, "1") is None and _reply(gateway, phone, "बुखार") is None
    assert len(looked_up) == 1 and gateway.store.get(no_checkin_key(sender))

    _check_in_sent(world, monkeypatch, case_id)  # sending the check-in deletes the note
    assert not gateway.store.get(no_checkin_key(sender))
    assert _reply(gateway, phone, "1") == t("followup_better", "hi", doctor=doctor_title("Shortcut Doctor"))
    assert len(looked_up) == 2

    assert _reply(gateway, phone, "2") is None  # answered: nothing open, remembered again
    assert gateway.store.get(no_checkin_key(sender))
    gateway.store.forget(sender)
    assert not gateway.store.get(no_checkin_key(sender))
