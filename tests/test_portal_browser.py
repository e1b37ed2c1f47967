"""The portal in Debian's Chromium (Playwright), 360 px wide: sign in with TOTP (enrolment from
the QR page), accept a case, write a note, prescribe; the patient's WhatsApp messages (video
link, prescription PDF) are recorded by the Twilio stand-in. Screenshots in test-artifacts/."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from engine.i18n import t
from portal import create_app
from tests.support import portal as testing
from tests.support.browser import chromium, serve
from tests.support.portal import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "portal"


@pytest.fixture(scope="module")
def live(world) -> Iterator[str]:
    """The portal served on localhost with secure cookies on, as in production."""
    with serve(create_app(dataclasses.replace(world.settings, portal_secure_cookies=True), world.services)) as url:
        yield url


@pytest.fixture(scope="module")
def portal_page(live) -> Iterator:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(live, width=360, height=740) as page:
        yield page


def _fits(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name}: page is {width} px wide at a 360 px viewport"


def _sign_in(page, username: str) -> None:
    """Password, then enrol the authenticator from the QR page (the key shown under it)."""
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/enrol")
    page.fill("input[name=code]", pyotp.TOTP(page.locator("code.secret").inner_text().strip()).now())
    page.click("button[type=submit]")


def test_admin_asha_and_api_docs_pages_fit_360px(world, portal_page):
    from records import Actor, Role

    page = portal_page
    _, admin, _ = world.staff(Role.ADMIN, enrol=False)
    _sign_in(page, admin)
    page.wait_for_url("**/admin/")
    _fits(page, "10-admin")
    asha, asha_name, _ = world.staff(Role.ASHA, area="browser-block", enrol=False)
    world.records.create_patient_by_asha(Actor.asha(asha), name="Kamla Devi", village="Rampur")
    _sign_in(page, asha_name)
    page.wait_for_url("**/asha")
    assert "registered by you" in page.content()
    _fits(page, "11-asha")
    page.goto("/api/v1/docs")
    page.wait_for_selector("text=Sign in (password + TOTP) for an access and a refresh token")
    _fits(page, "12-api-docs")
    icd = page.locator("section.op", has_text="Search ICD-10")
    icd.locator("input[data-param=q]").fill("A97")
    icd.locator("button").click()
    # the docs page calls the API (no token given): wait for the fetch to come back
    expect(icd.locator("pre")).to_have_text(re.compile(r"^401"), timeout=15000)


def test_doctor_signs_in_with_totp_accepts_notes_prescribes_and_patient_gets_whatsapp(world, portal_page):
    page = portal_page
    uid, username, _ = world.doctor("Meera Sharma", enrol=False)
    phone = "+919855500001"
    _, case_id = world.booked_case(uid, phone=phone)

    page.goto("/login")
    _fits(page, "01-login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/enrol")
    assert page.locator("img.qr").is_visible()
    _fits(page, "02-enrol-qr")
    secret = page.locator("code.secret").inner_text().strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url("**/queue")
    cookie = next(c for c in page.context.cookies() if c["name"] == "saathi_portal")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    item = page.locator(f"li[data-case='{case_id}']")
    assert "मुझे तीन दिन से बुखार" in item.inner_text()
    _fits(page, "03-queue")

    item.locator("a.button").click()
    page.wait_for_url(f"**/cases/{case_id}")
    assert "Dengue fever" in page.content()
    _fits(page, "04-case")
    page.click("#accept")
    page.wait_for_selector("#join")
    doctor_link = page.get_attribute("#join", "href")
    assert "jwt=" in doctor_link and "meet.example.org/saathi-" in doctor_link
    _fits(page, "05-accepted")
    link_message = world.standin.wait_for_messages(f"whatsapp:{phone}", 1, timeout=20)[-1]["Body"][0]
    assert "Dr Meera Sharma" in link_message and "वीडियो कॉल" in link_message
    assert re.search(r"https://meet\.example\.org/saathi-[0-9a-f]{32}\?jwt=\S+#config\.startAudioOnly=true", link_message)

    page.goto(f"/cases/{case_id}")
    page.fill("textarea[name=objective]", "Temp 38.9 C, no rash")
    page.fill("textarea[name=assessment]", "Probable dengue without warning signs")
    page.fill("#icd", "dengue")
    page.wait_for_selector("#icd-list option[value='A97.0']", state="attached")  # ICD-10 search suggestions
    page.fill("#icd", "dengue without warning")  # words, as the placeholder invites (issue #18 item 4)
    page.click("#save-notes")
    expect(page.locator("#notes-problem")).to_have_text(t("portal_icd_choose", "en", words="dengue without warning"))
    expect(page.locator("textarea[name=objective]")).to_have_value("Temp 38.9 C, no rash")  # nothing typed lost
    _fits(page, "06a-icd-choices")
    page.check("#icd-choices input[value='A97.0']")
    page.click("#save-notes")
    page.wait_for_selector(f"text={t('portal_notes_saved_code', 'en', code='A97.0')}")
    assert "Dengue without warning signs" in page.content()
    _fits(page, "06-notes")

    page.fill("#rx-rows .rx-row:nth-child(1) input[name=generic]", "paracetamol")
    page.fill("#rx-rows .rx-row:nth-child(1) input[name=dose]", "500 mg")
    page.fill("#rx-rows .rx-row:nth-child(1) input[name=frequency]", "1-1-1 after food")
    page.fill("#rx-rows .rx-row:nth-child(1) input[name=days]", "3")
    page.click("#add-row")
    page.fill("#rx-rows .rx-row:nth-child(2) input[name=generic]", "ORS")
    page.fill("#rx-rows .rx-row:nth-child(2) input[name=dose]", "1 sachet in 1 L water")
    page.fill("#rx-rows .rx-row:nth-child(2) input[name=frequency]", "sip through the day")
    page.fill("#rx-rows .rx-row:nth-child(2) input[name=days]", "2")
    page.fill("textarea[name=advice]", "Rest, fluids; come back if bleeding or vomiting.")
    _fits(page, "07-prescription-form")
    page.click("#send-rx")
    page.wait_for_url(f"**/cases/{case_id}#issued")
    status = [page.locator("p.flash").nth(i).inner_text() for i in range(page.locator("p.flash").count())]
    assert t("portal_rx_saved", "en") in status and t("portal_delivery_queued", "en") in status  # what really happened
    # the issued PDF is one click away, with what became of the patient's copy (issue #18 item 2)
    expect(page.locator("#rx-delivery")).to_have_text(t("portal_delivery_queued", "en"))
    assert page.locator("#send-rx").count() == 0, "a closed case offers no second prescription"
    with page.expect_download() as download:
        page.click("#rx-download")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    opened = page.request.get(page.get_attribute("#rx-open", "href"))
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    _fits(page, "08-case-issued")

    messages = world.standin.wait_for_messages(f"whatsapp:{phone}", 2, timeout=20)
    rx = messages[-1]
    assert "paracetamol" in rx["Body"][0] and "oral rehydration salts" in rx["Body"][0]  # generic names
    assert rx["MediaUrl"][0].startswith("https://portal.example.org/media/rx/")
    (ARTIFACTS / "whatsapp-messages.txt").write_text("\n---\n".join(m["Body"][0] for m in messages), encoding="utf-8")
