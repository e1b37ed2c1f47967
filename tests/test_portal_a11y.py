"""Accessibility (issue #18 item 10): axe-core (vendored, tests/vendor/axe-core) run in Chromium on
every portal page a doctor, an admin, an ASHA worker and a pharmacist open, on a desktop and a
390 px phone: zero serious or critical WCAG 2.1 A/AA violations; every page has its own title."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from engine.asha import migrate as asha_migrate
from engine.pharmacy import migrate as pharmacy_migrate
from engine.pharmacy.models import Pharmacy
from portal import create_app
from portal.views.pharmacy import pharmacy_service
from records import Actor, Role
from tests.support import portal as testing
from tests.support.browser import axe_violations, chromium, serve, sign_in_cookie
from tests.support.pharmacy import add_shop

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world


@pytest.fixture(scope="module")
def site(world) -> Iterator[tuple[str, dict[str, list[str]], dict[str, str]]]:
    """The portal served, one signed-in session per role, and the pages each role opens."""
    app = create_app(dataclasses.replace(world.settings, portal_secure_cookies=False), world.services)
    doctor, _, _ = world.doctor("Axe Doctor", phone="+919800000555")
    pid, case_id = world.booked_case(doctor, phone="+919811100555")
    world.handoff.accept(doctor, case_id)
    admin, _, _ = world.staff(Role.ADMIN)
    asha, _, _ = world.staff(Role.ASHA, area="axe-block")
    world.records.create_patient_by_asha(Actor.asha(asha), name="Kamla Devi", village="Rampur")
    database = world.records.sessions.kw["bind"].url.render_as_string(hide_password=False)
    pharmacy_migrate(database)
    asha_migrate(database, world.records)
    pharmacist, _, _ = world.staff(Role.PHARMACIST)
    with app.app_context(), pharmacy_service().sessions() as s:
        shop = add_shop(s, "Axe Medical", 1, [("paracetamol", "650 mg", "Dolo 650", 30, 5)])
        s.get(Pharmacy, shop).manager_user_id = pharmacist
        s.commit()
    pages = {"doctor": ["/queue", f"/cases/{case_id}", f"/cases/{case_id}/video", "/slots", "/consultations",
                        f"/patients/{pid}/history", "/no-such-page"],
             "admin": ["/admin/", "/admin/asha", "/surveillance/"],
             "asha": ["/asha"], "pharmacist": ["/pharmacy/"],
             "anonymous": ["/login", "/reset", "/api/v1/docs"]}
    sessions = {role: world.services.sessions.open(uid, full=True)
                for role, uid in (("doctor", doctor), ("admin", admin), ("asha", asha), ("pharmacist", pharmacist))}
    with serve(app) as url:
        yield url, pages, {role: sign_in_cookie(app, sid)["value"] for role, sid in sessions.items()}


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_violation_on_any_page(site, width):
    url, pages, cookies = site
    found, titles = {}, {}
    with chromium(url, width=width, height=900, bypass_csp=True) as page:
        for role, paths in pages.items():
            page.context.clear_cookies()
            if role in cookies:
                page.context.add_cookies([{"name": "saathi_portal", "value": cookies[role], "url": url}])
            for path in paths:
                response = page.goto(path)
                assert response.status == (404 if path == "/no-such-page" else 200), path
                assert "/login" not in page.url or role == "anonymous", f"{role} was sent to sign in from {path}"
                violations = axe_violations(page)
                if violations:
                    found[path] = violations
                titles[path] = page.title()
                width_now = page.evaluate("document.documentElement.scrollWidth")
                assert width_now <= width, f"{path} is {width_now} px wide at {width} px"
    assert not found, found
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not shared, f"pages share a title: {shared}"
