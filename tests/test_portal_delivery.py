"""Every message the portal sends reports its real outcome (issue #18 item 3): queued when Twilio
took it, failed and why otherwise (no Twilio account, no phone, refused), never a green "sent" for
nothing; and state changes only when the action succeeded (a slot offer that could not be sent
keeps the patient's earlier choices, a case is not accepted without a Jitsi secret)."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from engine.handoff.notifier import Notifier
from engine.i18n import t
from engine.notify.twilio import TwilioTransport
from records import Role
from tests.support import portal as testing
from tests.support.portal import TRIAGE, csrf_from

pytestmark = pytest.mark.postgres
world = testing.world


def _post(client, url: str, data: dict | None = None, page: str = "/queue"):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token}, follow_redirects=True)


def _flashes(response) -> list[tuple[str, str]]:
    """(category, text) of each flash box on the page."""
    page = response.get_data(as_text=True)
    return [(c, html.unescape(x)) for c, x in re.findall(r'<p class="flash (\w+)" role="status">([^<]*)</p>', page)]


@pytest.fixture
def no_twilio(world, monkeypatch):
    """The default embedded deployment: no Twilio account configured."""
    settings = dataclasses.replace(world.settings, twilio_account_sid="", twilio_auth_token="")
    monkeypatch.setattr(world.handoff, "notifier", Notifier.from_settings(settings))
    # the patient's messages go through engine.notify, on the same (unconfigured) account
    monkeypatch.setattr(world.handoff.notify, "transport", TwilioTransport.from_settings(settings, world.handoff.notifier.sender))
    world.standin.reset()
    return world


def _rx(client, case_id):
    return _post(client, f"/cases/{case_id}/prescribe", {
        "generic": ["Paracetamol"], "dose": ["500 mg"], "frequency": ["1-0-1"], "days": ["3"], "instructions": [""]},
        page=f"/cases/{case_id}")


def test_prescription_without_twilio_says_saved_but_not_sent(no_twilio):
    world = no_twilio
    doc, _, _ = world.doctor("No Twilio Doctor")
    phone = "+919811100071"
    _, case_id = world.booked_case(doc, phone=phone)
    flashes = _flashes(_rx(world.client(doc), case_id))
    assert ("ok", t("portal_rx_saved", "en")) in flashes
    assert ("error", t("portal_delivery_failed_no_twilio", "en")) in flashes
    assert not any("sent to the patient" in text for _, text in flashes)
    assert not world.standin.sent_messages(f"whatsapp:{phone}") and not world.standin.requests


def test_prescription_with_twilio_reports_queued(world):
    doc, _, _ = world.doctor("Queued Doctor")
    phone = "+919811100072"
    _, case_id = world.booked_case(doc, phone=phone)
    flashes = _flashes(_rx(world.client(doc), case_id))
    assert ("ok", t("portal_delivery_queued", "en")) in flashes  # the stand-in answers "queued", as Twilio does
    assert world.standin.sent_messages(f"whatsapp:{phone}")


def test_refused_message_is_reported_as_refused(world):
    doc, _, _ = world.doctor("Refused Doctor")
    _, case_id = world.booked_case(doc, phone="+919811100073")
    client = world.client(doc)
    client.get(f"/cases/{case_id}")
    world.standin.fail_next(400)  # Twilio: "invalid To number"
    flashes = _flashes(_rx(client, case_id))
    assert ("error", t("portal_delivery_failed_refused", "en")) in flashes


def test_messages_in_the_browser_language(no_twilio):
    world = no_twilio
    doc, _, _ = world.doctor("Punjabi Page Doctor")
    _, case_id = world.booked_case(doc, phone="+919811100074")
    client = world.client(doc)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pa-IN,pa;q=0.9"
    flashes = _flashes(_rx(client, case_id))
    assert ("error", t("portal_delivery_failed_no_twilio", "pa")) in flashes


def _waiting_case_with_choices(world):
    """A patient offered the first free times (another doctor's slot); the case waits for "1"."""
    other, _, _ = world.doctor("Other Doctor", "pediatrician", ("hi",))
    world.slot(other, in_minutes=90)
    pid = world.patient("+919811100075")
    offer = world.handoff.request_doctor(pid, text="बच्चे को बुखार", triage={**TRIAGE, "specialist": "pediatrician"},
                                         language="hi")
    assert offer.options
    return offer.case_id, [o.slot_id for o in offer.options]


def test_slot_offer_that_could_not_be_sent_keeps_the_patients_choices(no_twilio):
    world = no_twilio
    case_id, choices = _waiting_case_with_choices(world)
    doc, _, _ = world.doctor("Offering Doctor", "pediatrician", ("hi",))
    mine = world.slot(doc, in_minutes=120)
    flashes = _flashes(_post(world.client(doc), f"/cases/{case_id}/offer", {"slot_id": str(mine)}))
    assert ("error", t("portal_offer_not_sent", "en")) in flashes
    assert ("error", t("portal_delivery_failed_no_twilio", "en")) in flashes
    row = world.handoff.case_row(case_id)
    assert row.status == "offered" and list(row.offered) == choices, "the patient's three choices still stand"


def test_slot_offer_sent_replaces_the_choices(world):
    case_id, _ = _waiting_case_with_choices(world)
    doc, _, _ = world.doctor("Offering Doctor Two", "pediatrician", ("hi",))
    mine = world.slot(doc, in_minutes=150)
    flashes = _flashes(_post(world.client(doc), f"/cases/{case_id}/offer", {"slot_id": str(mine)}))
    assert ("ok", t("portal_offer_sent", "en")) in flashes and ("ok", t("portal_delivery_queued", "en")) in flashes
    assert list(world.handoff.case_row(case_id).offered) == [str(mine)]


def test_accepting_without_a_jitsi_secret_leaves_the_case_booked(world, monkeypatch):
    doc, _, _ = world.doctor("No Video Doctor")
    _, case_id = world.booked_case(doc, phone="+919811100076")
    monkeypatch.setattr(world.handoff, "jitsi", dataclasses.replace(world.handoff.jitsi, app_secret=""))
    world.standin.reset()
    flashes = _flashes(_post(world.client(doc), f"/cases/{case_id}/accept", page=f"/cases/{case_id}"))
    assert ("error", t("portal_video_not_configured", "en")) in flashes
    assert world.handoff.case_row(case_id).status == "booked"
    assert not world.standin.sent_messages("whatsapp:+919811100076"), "no link to a room nobody can join"


def test_accept_shows_the_patient_link_status(no_twilio):
    world = no_twilio
    doc, _, _ = world.doctor("Accept No Twilio Doctor")
    _, case_id = world.booked_case(doc, phone="+919811100077")
    page = _post(world.client(doc), f"/cases/{case_id}/accept", page=f"/cases/{case_id}")
    assert ("ok", t("portal_accepted", "en")) in _flashes(page)
    status = re.search(r'<p class="flash (\w+)" id="patient-link-status">([^<]*)</p>', page.get_data(as_text=True))
    assert status and status.group(1) == "error"
    assert html.unescape(status.group(2)) == t("portal_delivery_failed_no_twilio", "en")


def test_phone_call_without_twilio_says_why(no_twilio):
    world = no_twilio
    doc, _, _ = world.doctor("Call No Twilio Doctor", phone="+919800000071")
    _, case_id = world.booked_case(doc, phone="+919811100078", channel="sms")
    flashes = _flashes(_post(world.client(doc), f"/cases/{case_id}/call", page=f"/cases/{case_id}"))
    assert flashes == [("error", t("portal_delivery_failed_no_twilio", "en"))]


def test_asha_registered_without_twilio_is_told_the_code_did_not_go(no_twilio):
    from engine.asha import migrate

    world = no_twilio
    migrate(world.records.sessions.kw["bind"].url.render_as_string(hide_password=False), world.records)
    admin, _, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    flashes = _flashes(_post(client, "/admin/asha", {
        "name": "Code Less", "village": "Rampur", "area_code": "blk-x", "language": "hi", "phone": "+919822200071",
        "area": ""}, page="/admin/asha"))
    assert ("ok", t("portal_asha_registered", "en")) in flashes
    assert ("error", t("portal_delivery_failed_no_twilio", "en")) in flashes
    assert ("error", t("portal_asha_code_failed", "en")) in flashes
    assert not any("went to her phone" in text for _, text in flashes)


def test_password_reset_without_sms_says_so_instead_of_a_code_on_its_way(no_twilio):
    world = no_twilio
    _, username, _ = world.doctor("Forgetful Doctor", phone="+919800000079")
    client = world.app.test_client()
    token = csrf_from(client.get("/reset").get_data(as_text=True))
    r = client.post("/reset", data={"username": username, "csrf_token": token})
    assert r.status_code == 503
    assert _flashes(r) == [("error", t("portal_reset_no_sms", "en"))]
    assert not world.standin.requests
