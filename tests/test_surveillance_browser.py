"""The surveillance dashboard in Debian's Chromium (Playwright), 360 px wide: an officer signs in
(TOTP), sees the trend chart and the open alert, reads the blocks table ("< 5" cells), drills down to
the villages of a block, downloads the S form, acknowledges the alert. Screenshots in test-artifacts/."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from engine.surveillance import alerts, events
from engine.surveillance import migrations as surveillance_migrations
from engine.surveillance.places import resolve
from records import Role
from tests.support import portal as testing
from tests.test_portal_browser import _fits, _sign_in, live, portal_page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
world = testing.world
WEEK, WEEK_DAY = "2026-W10", dt.date(2026, 3, 4)


def test_officer_dashboard_in_chromium(world, portal_page):  # noqa: F811
    url = events.url_of(world.records)
    surveillance_migrations.upgrade(url)
    rows = []
    for village, count in {"Dhuri": 3, "Sangrur": 12, "Sunam": 7}.items():
        rows += [r for _ in range(count) for r in events.rows_for(
            events.Case(("fever", "rash"), duration_days=2, age=7), resolve(village=village), "sms", "bot", WEEK_DAY)]
    for weeks_before in range(1, 12):
        rows += events.rows_for(events.Case(("diarrhoea",), duration_days=1), resolve(village="Lehragaga"),
                                "sms", "asha", WEEK_DAY - dt.timedelta(weeks=weeks_before))
    rows += [r for _ in range(18) for r in events.rows_for(
        events.Case(("diarrhoea",), duration_days=1), resolve(village="Lehragaga"), "sms", "bot", WEEK_DAY)]
    events.append(url, rows)
    officer, username, _ = world.staff(Role.SURVEILLANCE, enrol=False)
    alerts.add_officer(url, officer, "SGR")
    assert alerts.raise_alerts(url, None, until=WEEK).opened

    page = portal_page
    _sign_in(page, username)
    page.wait_for_url("**/surveillance/")  # the officer's home
    page.fill("input[name=week]", WEEK)
    page.select_option("select[name=syndrome]", "fever_rash")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"**week={WEEK}**")
    assert page.locator("svg.trend").is_visible()
    alert = page.locator(".alert-row", has_text="Loose watery stools")
    assert alert.is_visible() and "Lehragaga" in alert.inner_text()
    dhuri = page.locator("table.counts tr", has_text="Dhuri")
    assert "< 5" in dhuri.inner_text()
    assert "22" in page.locator("table.counts tr.total").inner_text()
    _fits(page, "surveillance-dashboard")

    with page.expect_download() as download:
        page.click("text=CSV")
    sform = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert any(row and row[0] == "Dhuri" and "< 5" in row for row in sform)

    page.click("table.counts >> text=Dhuri")
    page.wait_for_url("**/surveillance/block/SGR-DHURI**")
    assert page.locator("h2", has_text="Villages this week").is_visible()
    assert page.locator("svg.trend").is_visible()
    _fits(page, "surveillance-block")
    page.click("text=← all blocks")

    page.locator(".alert-row", has_text="Loose watery stools").locator("button", has_text="Acknowledge").click()
    page.wait_for_selector("text=Alert acknowledged.")
    assert page.locator(".alert-row", has_text="Loose watery stools").count() == 0
