"""The handoff through the portal's pages: queue, consent, accept (Jitsi link to the patient's
WhatsApp via the Twilio stand-in), notes with ICD-10, prescription PDF, phone fallback, reminders."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import uuid
from urllib.parse import parse_qs, unquote, urlparse

import jwt
import pytest

from records import Actor, Purpose
from records.portal_models import DiagnosisLabel
from tests.support import portal as testing
from tests.support.portal import JITSI_SECRET, TRIAGE, csrf_from

pytestmark = pytest.mark.postgres
world = testing.world  # the module's fixture (tests/support/portal.py)


def _post(client, url: str, data: dict | None = None, page: str = "/queue"):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def test_queue_sorted_by_urgency_then_waiting_and_filtered_by_specialty_and_language(world):
    me, _, _ = world.doctor("Queue Doctor", "pediatrician", ("pa", "en"))
    other, _, _ = world.doctor("Other Doctor", "pediatrician", ("pa",))
    routine = world.patient(language="pa")
    urgent = world.patient(language="pa")
    emergency = world.patient(language="pa")
    hindi_only = world.patient(language="hi")
    kid = {**TRIAGE, "specialist": "pediatrician"}
    world.handoff.request_doctor(routine, text="ਬੁਖਾਰ", triage={**kid, "urgency": "routine"}, language="pa")
    world.handoff.request_doctor(urgent, text="ਬੁਖਾਰ", triage=kid, language="pa")
    world.handoff.request_doctor(emergency, text="ਸਾਹ", triage={**kid, "urgency": "emergency"}, language="pa")
    world.handoff.request_doctor(hindi_only, text="बुखार", triage=kid, language="hi")
    items = [i for i in world.handoff.queue(me) if i.specialty == "pediatrician"]
    assert [i.urgency for i in items][:3] == ["emergency", "urgent", "routine"]
    assert all(i.language != "hi" for i in items), "a doctor who does not speak Hindi is not routed Hindi cases"
    assert not any(i.consented for i in items), "unbooked cases show no details"
    html = world.client(other).get("/queue").get_data(as_text=True)
    assert "ਬੁਖਾਰ" not in html


def test_booked_case_visible_to_its_doctor_only(world):
    doc, _, _ = world.doctor("Booked Doctor")
    stranger, _, _ = world.doctor("Stranger Doctor")
    pid, case_id = world.booked_case(doc)
    page = world.client(doc).get(f"/cases/{case_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "मुझे तीन दिन से बुखार" in html and "Dengue fever" in html and "fever with headache" in html
    # under the patient's own words, what the assistant understood, in English (engine/handoff/gloss)
    assert "Machine summary (not a translation):</span> The patient. Fever, headache; for 3 days." in html
    assert "consultation" in html and "documents" in html  # consent status shown
    assert world.client(stranger).get(f"/cases/{case_id}").status_code == 403
    assert world.client(stranger).get(f"/patients/{pid}/history").status_code == 403
    assert world.client(doc).get(f"/patients/{pid}/history").status_code == 200


def test_consent_revoked_means_no_case(world):
    doc, _, _ = world.doctor("Revoked Doctor")
    pid, case_id = world.booked_case(doc)
    me = Actor.patient(pid)
    for grant in world.records.who_can_see(me, pid):
        world.records.revoke_consent(me, pid, uuid.UUID(grant["consent_id"]))
    assert world.client(doc).get(f"/cases/{case_id}").status_code == 403
    item = next(i for i in world.handoff.queue(doc) if i.id == case_id)
    assert not item.consented and not item.details


def test_accept_sends_patient_a_low_bandwidth_jitsi_link_with_their_own_token(world):
    doc, _, _ = world.doctor("Jitsi Doctor")
    phone = "+919811100001"
    _, case_id = world.booked_case(doc, phone=phone)
    client = world.client(doc)
    accepted = _post(client, f"/cases/{case_id}/accept", page=f"/cases/{case_id}")
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith(f"/cases/{case_id}/video")
    response = client.get(f"/cases/{case_id}/video")  # the room page: reloading it accepts nothing again
    assert response.status_code == 200
    doctor_url = re.search(r'id="join" href="([^"]+)"', response.get_data(as_text=True)).group(1)
    message = world.standin.wait_for_messages(f"whatsapp:{phone}", 1)[-1]
    body = message["Body"][0]
    link = re.search(r"https://\S+", body).group(0)
    url = urlparse(link)
    assert url.netloc == "meet.example.org"
    room = url.path.strip("/")
    assert re.fullmatch(r"saathi-[0-9a-f]{32}", room)
    assert "config.startAudioOnly=true" in url.fragment and "config.disableDeepLinking=true" in url.fragment
    assert "config.resolution=240" in url.fragment
    later = {"verify_nbf": False}  # the slot starts in 30 min; tokens work from 15 min before it
    patient = jwt.decode(unquote(parse_qs(url.query)["jwt"][0]), JITSI_SECRET, algorithms=["HS256"],
                         audience="sehat-saathi", options=later)
    assert patient["room"] == room and patient["context"]["user"]["moderator"] is False
    doctor = jwt.decode(unquote(parse_qs(urlparse(doctor_url.replace("&amp;", "&")).query)["jwt"][0]), JITSI_SECRET,
                        algorithms=["HS256"], audience="sehat-saathi", options=later)
    assert doctor["context"]["user"]["moderator"] is True and doctor["room"] == room
    slot = next(s for s in world.handoff.slots_of(doc) if s.case_id == case_id)
    assert patient["nbf"] == int(slot.starts_at.timestamp()) - 15 * 60
    assert patient["exp"] == int(slot.ends_at.timestamp()) + 30 * 60
    assert "Jitsi Doctor" in body  # the doctor's name, in the patient's Hindi message
    assert "वीडियो कॉल" in body


def test_notes_with_icd10_and_prescription_pdf_sent_and_saved(world, tmp_path):
    doc, _, _ = world.doctor("Rx Doctor")
    phone = "+919811100002"
    pid, case_id = world.booked_case(doc, phone=phone)
    client = world.client(doc)
    assert client.get("/icd?q=dengue").get_json()[0]["code"] == "A97"
    follow = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    r = _post(client, f"/cases/{case_id}/notes", {"subjective": "fever 3 days", "objective": "temp 39",
                                                  "assessment": "dengue likely", "plan": "fluids",
                                                  "diagnosis": "a97.0", "follow_up": follow}, page=f"/cases/{case_id}")
    assert r.status_code == 302
    with world.records.sessions() as s:
        labels = list(s.query(DiagnosisLabel).filter(DiagnosisLabel.confirmed_icd10 == "A97.0"))
    assert labels and "fever" in labels[0].features["symptoms"] and "A97" in labels[0].features["predicted"]
    assert any(f == "portal.jobs.follow_up" and a == (str(case_id),) for _, f, a in world.scheduler.jobs)
    bad = _post(client, f"/cases/{case_id}/notes", {"diagnosis": "ZZZ.9"}, page=f"/cases/{case_id}")
    assert bad.status_code == 422 and "ZZZ.9" in bad.get_data(as_text=True)  # refused, shown again as typed
    r = _post(client, f"/cases/{case_id}/prescribe", {
        "generic": ["Paracetamol", "ORS"], "dose": ["500 mg", "1 sachet"], "frequency": ["1-0-1", "after each loose stool"],
        "days": ["3", "2"], "instructions": ["after food", ""], "advice": "Rest and fluids", "follow_up": follow},
        page=f"/cases/{case_id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{case_id}#issued")
    message = world.standin.wait_for_messages(f"whatsapp:{phone}", 1)[-1]
    assert "paracetamol" in message["Body"][0] and "दवाएँ" in message["Body"][0]
    media = message["MediaUrl"][0]
    assert media.startswith("https://portal.example.org/media/rx/")
    pdf = world.client().get(urlparse(media).path)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert world.client().get("/media/rx/forged-token").status_code == 404
    history = world.records.history(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE)
    assert any(h["kind"] == "prescription" for h in history)
    assert any(h["kind"] == "document" and h["data"]["mime"] == "application/pdf" for h in history)
    path = tmp_path / "rx.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rx Doctor" in text and "Registration no. PMC-" in text and "paracetamol" in text
    assert "दवाएँ ठीक वैसे ही" in text and "पूरा" in text, "Hindi instructions are in the PDF"
    assert "Take the medicines exactly as written" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(path), str(tmp_path / "rx")], check=True)
    from PIL import Image

    image = Image.open(tmp_path / "rx.png").convert("L")
    assert image.getextrema()[0] < 100, "the page is not blank"


def test_phone_call_fallback_calls_both_into_one_conference(world):
    doc, _, _ = world.doctor("Phone Doctor", phone="+919800000009")
    _, case_id = world.booked_case(doc, phone="+919811100003", channel="sms")
    world.standin.reset()
    r = _post(world.client(doc), f"/cases/{case_id}/call", page=f"/cases/{case_id}")
    assert r.status_code == 302
    calls = [x for x in world.standin.requests if x.path.endswith("/Calls.json")]
    assert {c.form["To"][0] for c in calls} == {"+919811100003", "+919800000009"}
    urls = [c.form["Url"][0] for c in calls]
    twiml = [world.client().post(urlparse(u).path).get_data(as_text=True) for u in urls]
    rooms = {re.search(r"<Conference[^>]*>([^<]+)<", x).group(1) for x in twiml}
    assert len(rooms) == 1
    assert any('language="hi-IN"' in x for x in twiml)
    sms = world.standin.sent_messages("+919811100003")
    assert sms and "कॉल" in sms[-1]["Body"][0]


def test_reminders_scheduled_for_both_sides_and_delivered(world):
    doc, _, _ = world.doctor("Reminder Doctor", phone="+919800000010")
    world.slot(doc, in_minutes=180)
    pid = world.patient("+919811100004")
    offer = world.handoff.request_doctor(pid, text="बुखार", triage=TRIAGE, language="hi")
    option = next(o for o in offer.options if o.doctor_id == str(doc))
    booking = world.handoff.choose(pid, option.number)
    jobs = [(f, a) for _, f, a in world.scheduler.jobs if a and a[0] == str(booking.case_id)]
    assert ("portal.jobs.remind", (str(booking.case_id), "patient")) in jobs
    assert ("portal.jobs.remind", (str(booking.case_id), "doctor")) in jobs
    from portal import jobs as portal_jobs

    assert portal_jobs.remind(str(booking.case_id), "patient")
    assert "याद" in world.standin.sent_messages("whatsapp:+919811100004")[-1]["Body"][0]
    assert portal_jobs.remind(str(booking.case_id), "doctor")
    assert "teleconsultation" in world.standin.sent_messages("+919800000010")[-1]["Body"][0]


def test_ics_invitation_for_booked_slot(world):
    doc, _, _ = world.doctor("Calendar Doctor")
    world.booked_case(doc)
    slot = next(s for s in world.handoff.slots_of(doc) if s.case_id)
    r = world.client(doc).get(f"/slots/{slot.id}.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    body = r.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "DTSTART:" in body and "BEGIN:VALARM" in body
    assert "Ramesh" not in body, "no patient data in calendar invitations"
    other, _, _ = world.doctor("Not Mine")
    assert world.client(other).get(f"/slots/{slot.id}.ics").status_code == 404


def test_slot_taken_by_someone_else_is_refused(world):
    doc, _, _ = world.doctor("Busy Doctor", "dermatologist", ("hi",))
    world.slot(doc, in_minutes=240)
    a, b = world.patient(), world.patient()
    derm = {**TRIAGE, "specialist": "dermatologist"}
    offer_a = world.handoff.request_doctor(a, text="खुजली", triage=derm, language="hi")
    offer_b = world.handoff.request_doctor(b, text="खुजली", triage=derm, language="hi")
    assert offer_a.options[0].slot_id == offer_b.options[0].slot_id
    assert world.handoff.choose(a, 1) is not None
    assert world.handoff.choose(b, 1) is None
