"""Forms never lose input (issue #18 item 4): a refused value re-renders the case page with
everything typed and the reason beside the field; ICD-10 accepts words and offers the matching
codes; text longer than the limits is refused with a message; a body over the server's limit
gets a page that says so instead of a bare 413."""

from __future__ import annotations

import html
import re

import pytest

from engine.handoff.service import NOTE_MAX_CHARS
from engine.i18n import t
from tests.support import portal as testing
from tests.support.portal import csrf_from

pytestmark = pytest.mark.postgres
world = testing.world


def _form(client, case_id, url: str, data: dict):
    token = csrf_from(client.get(f"/cases/{case_id}").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>([^<]*)</textarea>', page)
    assert found, name
    return html.unescape(found.group(1))


def _problem(page: str, form: str) -> str:
    found = re.search(rf'<p class="flash error" id="{form}-problem" role="alert">([^<]*)</p>', page)
    assert found, f"no message on the {form} form"
    return html.unescape(found.group(1))


NOTES = {"subjective": "बुखार 3 दिन से, सिर दर्द", "objective": "Temp 38.9 C, no rash, BP 110/70",
         "assessment": "Probable dengue without warning signs", "plan": "Fluids, paracetamol, NS1 test",
         "follow_up": ""}


def test_diagnosis_in_words_offers_codes_and_keeps_every_note(world):
    doc, _, _ = world.doctor("Words Doctor")
    _, case_id = world.booked_case(doc)
    client = world.client(doc)
    r = _form(client, case_id, f"/cases/{case_id}/notes", {**NOTES, "diagnosis": "dengue warning"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _problem(page, "notes") == t("portal_icd_choose", "en", words="dengue warning")
    for key in ("subjective", "objective", "assessment", "plan"):
        assert _textarea(page, key) == NOTES[key], f"{key} kept as typed"
    assert 'value="dengue warning"' in page
    assert re.findall(r'name="diagnosis_pick" value="([^"]+)"', page) == ["A97.0", "A97.1"]
    # the doctor picks one; everything saves
    saved = _form(client, case_id, f"/cases/{case_id}/notes",
                  {**NOTES, "diagnosis": "dengue warning", "diagnosis_pick": "A97.1"})
    assert saved.status_code == 302
    notes = world.handoff.case_view(doc, case_id)["details"]["notes"]
    assert notes["diagnosis"]["code"] == "A97.1" and notes["soap"]["objective"] == NOTES["objective"]


def test_unknown_words_and_retired_codes(world):
    doc, _, _ = world.doctor("Retired Code Doctor")
    _, case_id = world.booked_case(doc)
    client = world.client(doc)
    r = _form(client, case_id, f"/cases/{case_id}/notes", {**NOTES, "diagnosis": "zzgarbagezz"})
    assert r.status_code == 422
    assert _problem(r.get_data(as_text=True), "notes") == t("portal_icd_no_match", "en", words="zzgarbagezz")
    assert _form(client, case_id, f"/cases/{case_id}/notes", {**NOTES, "diagnosis": "A90"}).status_code == 302
    assert world.handoff.case_view(doc, case_id)["details"]["notes"]["diagnosis"]["code"] == "A97"  # A90 retired
    assert client.get("/icd?q=A90").get_json()[0]["code"] == "A97"


def test_too_long_note_is_refused_with_the_limit_and_kept(world):
    doc, _, _ = world.doctor("Long Note Doctor")
    _, case_id = world.booked_case(doc)
    client = world.client(doc)
    long_note = "x" * (NOTE_MAX_CHARS + 1)
    r = _form(client, case_id, f"/cases/{case_id}/notes", {**NOTES, "objective": long_note, "diagnosis": "A97.0"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _problem(page, "notes") == t("portal_too_long", "en", limit=NOTE_MAX_CHARS, length=NOTE_MAX_CHARS + 1)
    assert _textarea(page, "objective") == long_note and _textarea(page, "plan") == NOTES["plan"]
    assert re.search(r'<textarea name="objective"[^>]*aria-invalid="true"', page)
    assert f'maxlength="{NOTE_MAX_CHARS}"' in page  # the browser stops typing at the limit
    assert world.handoff.case_view(doc, case_id)["details"]["notes"] is None, "nothing saved"


def test_prescription_refused_keeps_every_row_and_the_advice(world):
    doc, _, _ = world.doctor("Rows Doctor")
    _, case_id = world.booked_case(doc)
    client = world.client(doc)
    rows = {"generic": ["Paracetamol", "ORS"], "dose": ["500 mg", ""], "frequency": ["1-0-1", "after each stool"],
            "days": ["3", "2"], "instructions": ["after food", "1 L water"], "advice": "Rest; come back if bleeding"}
    r = _form(client, case_id, f"/cases/{case_id}/prescribe", rows)
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert _problem(r.get_data(as_text=True), "rx") == t("portal_rx_dose_missing", "en", medicine="ORS")
    for value in ("Paracetamol", "ORS", "500 mg", "1-0-1", "after each stool", "after food", "1 L water"):
        assert f'value="{value}"' in page, value
    assert _textarea(page, "advice") == rows["advice"]
    assert world.handoff.case_row(case_id).status == "booked", "no prescription issued"
    bad_days = _form(client, case_id, f"/cases/{case_id}/prescribe", {**rows, "dose": ["500 mg", "1 sachet"],
                                                                      "days": ["3", "many"]})
    assert bad_days.status_code == 422
    assert _problem(bad_days.get_data(as_text=True), "rx") == t("portal_rx_days", "en", medicine="ORS")


def test_a_body_over_the_limit_gets_a_page_that_says_so(world):
    doc, _, _ = world.doctor("Huge Doctor")
    _, case_id = world.booked_case(doc)
    client = world.client(doc)
    token = csrf_from(client.get(f"/cases/{case_id}").get_data(as_text=True))
    r = client.post(f"/cases/{case_id}/notes", data={"objective": "y" * 2_100_000, "csrf_token": token},
                    headers={"Referer": f"http://localhost/cases/{case_id}"})
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 413
    assert t("portal_request_too_large", "en", limit=2) in page and f'href="/cases/{case_id}"' in page
    api = client.post("/api/v1/auth/token", data="z" * 2_100_000, content_type="application/json")
    assert api.status_code == 413 and api.get_json() == {"error": "request_entity_too_large"}


def test_prescription_checked_against_the_medicine_list(world):
    """Issue #18 item 9: brands become generics (with their strength when no dose was typed),
    unknown names are flagged with close known names and go through only when confirmed, and the
    suggestions put "ors" -> oral rehydration salts first."""
    doc, _, _ = world.doctor("Checked Rx Doctor")
    pid, case_id = world.booked_case(doc)
    client = world.client(doc)
    assert client.get("/medicines?q=ors").get_json()[0]["value"] == "oral rehydration salts"
    dolo = client.get("/medicines?q=dolo").get_json()
    assert dolo[0] == {"value": "Dolo 650", "label": "Dolo 650 = paracetamol 650 mg"}
    rows = {"generic": ["Dolo 650", "paracetmol"], "dose": ["", "500 mg"], "frequency": ["1-0-1", "SOS"],
            "days": ["3", "2"], "instructions": ["", ""]}
    r = _form(client, case_id, f"/cases/{case_id}/prescribe", rows)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _problem(page, "rx") == t("portal_rx_unknown_medicine", "en", medicine="paracetmol")
    assert '<code class="suggestion">paracetamol</code>' in page and 'name="as_written" value="paracetmol"' in page
    fixed = _form(client, case_id, f"/cases/{case_id}/prescribe", {**rows, "generic": ["Dolo 650", "paracetamol"]})
    # issue #20: Dolo 650 is paracetamol too, so the medicine check stops the double dose first
    assert fixed.status_code == 422 and 'data-code="duplicate:paracetamol:prescription"' in fixed.get_data(as_text=True)
    fixed = _form(client, case_id, f"/cases/{case_id}/prescribe", {
        **rows, "generic": ["Dolo 650", "paracetamol"], "seen": ["duplicate:paracetamol:prescription"],
        "override": "yes", "override_reason": "second line is the SOS dose between the regular ones"})
    assert fixed.status_code == 302
    from records import Actor, Purpose

    rx = next(h for h in world.records.history(Actor.doctor(doc), pid, purpose=Purpose.TREATMENT)
              if h["kind"] == "prescription")
    first = rx["data"]["items"][0]
    assert first["generic"] == "paracetamol" and first["dose"] == "650 mg" and first["brand"] == "Dolo 650"


def test_unknown_medicine_goes_through_when_confirmed(world):
    doc, _, _ = world.doctor("As Written Doctor")
    _, case_id = world.booked_case(doc)
    rows = {"generic": ["Zyxolin"], "dose": ["10 mg"], "frequency": ["1-0-0"], "days": ["5"], "instructions": [""]}
    client = world.client(doc)
    assert _form(client, case_id, f"/cases/{case_id}/prescribe", rows).status_code == 422
    assert _form(client, case_id, f"/cases/{case_id}/prescribe", {**rows, "as_written": "Zyxolin"}).status_code == 302


def test_admin_and_asha_forms_keep_what_was_typed(world):
    """A refused new account (weak password) or patient registration comes back as typed (never
    the password), and no half-made staff member is left in the records."""
    from records import Role

    admin, _, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    doctors_before = len(world.records.doctors())
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    r = client.post("/admin/users", data={"role": "doctor", "name": "Gurpreet Kaur", "username": "dr.kept",
                                          "password": "short", "phone": "+919844400077", "specialty": "gynecologist",
                                          "registration": "PMC-99", "languages": ["pa"], "csrf_token": token})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for value in ('value="Gurpreet Kaur"', 'value="dr.kept"', 'value="+919844400077"', 'value="PMC-99"',
                  'value="pa" checked', "<option selected>gynecologist</option>", "<option selected>doctor</option>"):
        assert value in page, value
    assert 'value="short"' not in page and 'value="hi" checked' not in page
    assert len(world.records.doctors()) == doctors_before, "nobody registered without a login"

    asha, _, _ = world.staff(Role.ASHA, area="kept-block")
    client = world.client(asha)
    token = csrf_from(client.get("/asha").get_data(as_text=True))
    r = client.post("/asha", data={"name": "Naya Patient", "village": "Kheri", "birth_year": "19x0", "sex": "f",
                                   "language": "pa", "csrf_token": token})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'value="Naya Patient"' in page and 'value="Kheri"' in page and '<option value="pa" selected>' in page
    assert '<option value="f" selected>' in page


def test_taken_username_is_refused_in_words_before_anyone_is_registered(world):
    from records import Role

    admin, taken, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "hi-IN,hi;q=0.9"
    doctors_before = len(world.records.doctors())
    token = csrf_from(client.get("/admin/").get_data(as_text=True))
    r = client.post("/admin/users", data={"role": "doctor", "name": "Second Meera", "username": taken,
                                          "password": "Strong-Pass-123", "csrf_token": token})
    assert r.status_code == 422
    assert t("portal_account_username_taken", "hi") in html.unescape(r.get_data(as_text=True))
    assert len(world.records.doctors()) == doctors_before
