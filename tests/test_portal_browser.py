"""The portal in Debian's Chromium (Playwright), 360 px wide: sign in with TOTP (enrolment from
the QR page), accept a case, write a note, prescribe; the patient's WhatsApp messages (video
link, prescription PDF) are recorded by the Twilio stand-in. Screenshots in test-artifacts/."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from portal import create_app, testing
from portal.testing import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "portal"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def live(world) -> Iterator[str]:
    """The portal served on localhost with secure cookies on, as in production."""
    app = create_app(dataclasses.replace(world.settings, portal_secure_cookies=True), world.services)
    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def portal_page(live) -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                      base_url=live)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


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
    page.fill("#icd", "A97.0")
    page.click("#save-notes")
    page.wait_for_selector("text=Notes saved.")
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
    page.wait_for_url("**/queue")
    assert "Prescription saved and sent" in page.content()
    _fits(page, "08-queue-after")

    messages = world.standin.wait_for_messages(f"whatsapp:{phone}", 2, timeout=20)
    rx = messages[-1]
    assert "paracetamol" in rx["Body"][0] and "oral rehydration salts" in rx["Body"][0]  # generic names
    assert rx["MediaUrl"][0].startswith("https://portal.example.org/media/rx/")
    (ARTIFACTS / "whatsapp-messages.txt").write_text("\n---\n".join(m["Body"][0] for m in messages), encoding="utf-8")
