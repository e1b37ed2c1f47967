"""A morning on the portal in Chromium, on a desktop and a 390 px phone (issue #18 items 2, 5-9):
availability refused for a past day and not duplicated; a prescription typed with a brand, a
misspelt name and the "ors" suggestion, issued and opened from the case; the past consultations
searched; the admin sees a lock and deactivates with confirmation; the pharmacist's garbage upload
is reported as failed. Sign-in itself is covered by tests/test_portal_browser.py."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from config.timezone import IST
from engine.i18n import t
from engine.pharmacy import migrate as pharmacy_migrate
from engine.pharmacy.models import Pharmacy
from portal.views.pharmacy import pharmacy_service
from records import Actor, Purpose, Role
from records.models import utcnow
from tests.support import browser
from tests.support import portal as testing
from tests.support.browser import chromium, sign_in_cookie
from tests.support.pharmacy import add_shop

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
portal_app, portal_url = browser.portal_app, browser.portal_url  # the served portal, shared fixtures
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "walkthrough"



@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def width(request) -> int:
    return request.param


@pytest.fixture
def page_for(world, portal_app, portal_url, width):
    """A function (user id) -> a Chromium page signed in as that user, at this width."""
    with chromium(portal_url, width=width, height=900) as page:
        def sign_in(user_id):
            page.context.clear_cookies()
            cookie = sign_in_cookie(portal_app, world.services.sessions.open(user_id, full=True))
            page.context.add_cookies([{**cookie, "url": portal_url}])
            return page
        yield sign_in


def _flashes(page) -> list[str]:
    return [x.strip() for x in page.locator("p.flash").all_inner_texts()]


def _fits(page, name: str, width: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def test_availability_past_refused_then_added_once(world, page_for, width):
    doc, _, _ = world.doctor(f"Walk Slots {width}")
    page = page_for(doc)
    page.goto("/slots")
    yesterday = (utcnow().astimezone(IST) - dt.timedelta(days=1)).date().isoformat()
    page.fill("input[name=day]", yesterday)
    page.fill("input[name=start]", "10:00")
    page.fill("input[name=end]", "11:00")
    page.click("#add-slots button[type=submit]")
    expect(page.locator("#slots-problem")).to_contain_text(t("portal_slot_past", "en", time="X").split("X")[1][:20])
    expect(page.locator("input[name=day]")).to_have_value(yesterday)  # nothing typed is lost
    tomorrow = (utcnow().astimezone(IST) + dt.timedelta(days=1)).date().isoformat()
    page.fill("input[name=day]", tomorrow)
    page.click("#add-slots button[type=submit]")
    assert _flashes(page)[0].startswith("4 slots added")
    assert page.locator("ul.slots li[data-slot]").count() == 4
    page.fill("input[name=day]", tomorrow)
    page.fill("input[name=start]", "10:00")
    page.fill("input[name=end]", "11:00")
    page.click("#add-slots button[type=submit]")
    assert _flashes(page) == [t("portal_slots_duplicates", "en", skipped=4)]
    assert page.locator("ul.slots li[data-slot]").count() == 4
    _fits(page, "slots", width)


def test_prescription_checked_issued_opened_and_found_again(world, page_for, width):
    doc, _, _ = world.doctor(f"Walk Rx {width}")
    pid, case_id = world.booked_case(doc, phone=f"+9198111{width:05d}")
    world.records.update_patient_profile(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE,
                                         name=f"Harjit Singh {width}", village="Dhuri")
    page = page_for(doc)
    page.goto(f"/cases/{case_id}")
    row = page.locator("#rx-rows .rx-row").first
    row.locator("input[name=generic]").fill("ors")
    page.wait_for_selector("#med-list option[value='oral rehydration salts']", state="attached")
    row.locator("input[name=generic]").fill("Dolo 650")
    row.locator("input[name=frequency]").fill("1-0-1 after food")
    page.click("#add-row")
    second = page.locator("#rx-rows .rx-row").nth(1)
    second.locator("input[name=generic]").fill("paracetmol")
    second.locator("input[name=dose]").fill("500 mg")
    second.locator("input[name=frequency]").fill("SOS")
    page.fill("textarea[name=advice]", "Rest and fluids")
    page.click("#send-rx")
    expect(page.locator("#rx-problem")).to_have_text(t("portal_rx_unknown_medicine", "en", medicine="paracetmol"))
    expect(page.locator("#rx-unknown code.suggestion").first).to_have_text("paracetamol")
    expect(page.locator("textarea[name=advice]")).to_have_value("Rest and fluids")
    page.locator("#rx-rows .rx-row").nth(1).locator("input[name=generic]").fill("paracetamol")
    page.click("#send-rx")
    # Dolo 650 is paracetamol too: the medicine check (issue #20) wants the double dose overridden
    expect(page.locator("#rx-warnings li.rx-warning.serious")).to_have_attribute(
        "data-code", "duplicate:paracetamol:prescription")
    page.check("#rx-override")
    page.fill("#rx-override-reason", "SOS line only between the regular doses")
    page.click("#send-rx")
    page.wait_for_url(f"**/cases/{case_id}#issued")
    expect(page.locator("#rx-delivery")).to_have_text(t("portal_delivery_queued", "en"))
    assert page.locator("#notes-read").count() == 1 and page.locator("#send-rx").count() == 0
    _fits(page, "case-issued", width)
    page.click("nav >> text=Past consultations")
    page.fill("input[name=q]", "dhuri")
    page.click("form[role=search] button")
    item = page.locator(f"li[data-case='{case_id}']")
    expect(item).to_contain_text(f"Harjit Singh {width}")
    pdf = page.request.get(item.locator("a.rx-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    _fits(page, "consultations", width)


def test_admin_sees_the_lock_and_deactivates_with_confirmation(world, page_for, width):
    admin, _, _ = world.staff(Role.ADMIN)
    doc, username, _ = world.doctor(f"Walk Locked {width}")
    for _ in range(world.settings.portal_lockout_attempts):
        world.accounts.login(username, "wrong-password-1")
    page = page_for(admin)
    page.goto("/admin/")
    row = page.locator(f"tr[data-user='{username}']")
    expect(row.locator(".locked")).to_contain_text("locked until")
    row.locator("details.deactivate summary").click()
    expect(row.locator("details.deactivate p")).to_have_text(
        t("portal_admin_confirm_deactivate", "en", user=username))
    row.locator("details.deactivate button").click()
    assert _flashes(page) == [t("portal_admin_deactivate", "en", user=username)]
    expect(page.locator(f"tr[data-user='{username}'] .state")).to_contain_text("inactive")
    _fits(page, "admin", width)


def test_pharmacist_garbage_upload_is_a_failure(world, portal_app, page_for, width):
    pharmacy_migrate(world.records.sessions.kw["bind"].url.render_as_string(hide_password=False))
    pharmacist, _, _ = world.staff(Role.PHARMACIST)
    with portal_app.app_context(), pharmacy_service().sessions() as s:
        shop = add_shop(s, f"Walk Medical {width}", 3, [("paracetamol", "650 mg", "Dolo 650", 30, 5)])
        s.get(Pharmacy, shop).manager_user_id = pharmacist
        s.commit()
    page = page_for(pharmacist)
    page.goto("/pharmacy/")
    page.set_input_files("input[name=file]", files=[{"name": "stock.csv", "mimeType": "text/csv",
                                                     "buffer": io.BytesIO(b"just some words").getvalue()}])
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    assert _flashes(page) == [t("portal_stock_nothing", "en")]
    assert page.locator("p.flash.error").count() == 1
    _fits(page, "pharmacy", width)
