"""The portal's ASHA pages in Debian's Chromium (Playwright), 360 px wide, as an admin and an ASHA
use them: the admin registers an SMS ASHA (her code goes out by SMS through the Twilio stand-in),
a mistyped number is refused with what was typed kept, the listing shows her, and its buttons
(set area, resend code, deactivate, activate) work; the ASHA registers a patient on "My area"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engine.asha import migrate
from engine.i18n import t
from records import Role
from tests.support import browser
from tests.support import portal as testing
from tests.support.asha import new_phone
from tests.support.browser import chromium, sign_in_cookie

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
portal_app, portal_url = browser.portal_app, browser.portal_url
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "asha-pages"


def _as(page, portal_app, portal_url, world, user_id) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{**sign_in_cookie(portal_app, world.services.sessions.open(user_id, full=True)),
                               "url": portal_url}])


def _fits(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name}: page is {width} px wide at a 360 px viewport"


def test_admin_registers_and_manages_an_asha_and_she_registers_a_patient(world, portal_app, portal_url):
    migrate(world.records.sessions.kw["bind"].url.render_as_string(hide_password=False), world.records)
    admin, _, _ = world.staff(Role.ADMIN, enrol=False)
    phone = new_phone()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(portal_url, width=360, height=740) as page:
        _as(page, portal_app, portal_url, world, admin)
        page.goto("/admin/asha")
        expect(page.locator("h2", has_text="Register an ASHA")).to_be_visible()
        _fits(page, "01-admin-asha-empty")

        form = page.locator("form[action$='/admin/asha']")
        form.locator("input[name=name]").fill("Paramjit Kaur")
        form.locator("input[name=phone]").fill("98123")  # a number cut short
        form.locator("select[name=language]").select_option("pa")
        form.locator("input[name=village]").fill("Dhuri")
        form.locator("input[name=area]").fill("Dhuri, Kanjhla")
        form.locator("button[type=submit]").click()
        expect(page.locator("p.flash.error")).to_be_visible()
        expect(form.locator("input[name=name]")).to_have_value("Paramjit Kaur")  # nothing typed is lost
        expect(form.locator("select[name=language]")).to_have_value("pa")
        assert world.standin.sent_messages(phone) == []

        form.locator("input[name=phone]").fill(f"{phone[3:8]} {phone[8:]}")  # "98xxx xxxxx", as typed
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/admin/asha")
        expect(page.locator("p.flash").first).to_have_text(t("portal_asha_registered", "en"))
        (sms,) = world.standin.wait_for_messages(phone)
        number = re.search(r"\d{6}", sms["Body"][0]).group()
        assert sms["Body"][0] == t("asha_otp", "pa", number=number)
        row = page.locator("table.users tbody tr", has_text="Paramjit Kaur")
        expect(row).to_contain_text("unverified")
        expect(row).to_contain_text("dhuri, kanjhla")
        assert phone not in page.content() and phone[3:] not in page.content()
        _fits(page, "02-admin-asha-registered")

        row.locator("input[name=area]").fill("Dhuri, Barnala")
        row.locator("button", has_text="set area").click()
        expect(page.locator("p.flash").first).to_have_text(t("portal_asha_area", "en", villages="dhuri, barnala"))
        row = page.locator("table.users tbody tr", has_text="Paramjit Kaur")
        expect(row).to_contain_text("barnala")

        row.locator("button", has_text="resend code").click()
        page.wait_for_url("**/admin/asha")
        assert len(world.standin.wait_for_messages(phone, count=2)) == 2

        page.locator("table.users tbody tr", has_text="Paramjit Kaur").locator("button", has_text="deactivate").click()
        expect(page.locator("p.flash").first).to_have_text(t("portal_asha_deactivated", "en"))
        row = page.locator("table.users tbody tr", has_text="Paramjit Kaur")
        expect(row).to_contain_text("deactivated")
        row.locator("button", has_text="activate").click()
        expect(page.locator("p.flash").first).to_have_text(t("portal_asha_activated", "en"))
        expect(page.locator("table.users tbody tr", has_text="Paramjit Kaur")).to_contain_text("active")

        asha, _, _ = world.staff(Role.ASHA, area="browser-asha", enrol=False)
        _as(page, portal_app, portal_url, world, asha)
        page.goto("/asha")
        expect(page.locator("h2", has_text="Register a patient")).to_be_visible()
        patient_form = page.locator("form", has=page.locator("input[name=birth_year]"))
        patient_form.locator("input[name=name]").fill("Kamla Devi")
        patient_form.locator("input[name=phone]").fill("98765 43210")
        patient_form.locator("input[name=village]").fill("Rampur")
        patient_form.locator("input[name=birth_year]").fill("1994")
        patient_form.locator("select[name=sex]").select_option("f")
        patient_form.locator("button[type=submit]").click()
        page.wait_for_url("**/asha")
        expect(page.locator("p.flash").first).to_have_text(t("portal_patient_registered", "en"))
        expect(page.locator("ul.queue li", has_text="Kamla Devi")).to_contain_text("registered by you")
        _fits(page, "03-asha-my-area")
