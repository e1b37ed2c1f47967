"""The /simulator page driven in Debian's Chromium, as a newcomer uses it after ``make run``: opened at
the printed address (with and without the trailing slash), type and send, see the reply, send a
photo and a voice note, share a location; on a desktop and a 390 px phone. The conversation is the
scripted Rasa of the channel tests; everything else (gateway, store, jobs, outbox) is real."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import expect

from channels.app import create_app
from engine.i18n import t
from tests.channels_fixtures import LiveGateway
from tests.support.browser import axe_violations

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "simulator"


@pytest.fixture
def live_simulator(gateway) -> Iterator[str]:
    gateway.settings = replace(gateway.settings, simulator="1")
    gateway.fetcher.settings = gateway.settings
    server = LiveGateway(create_app(gateway.settings, gateway)).start()
    yield server.url
    server.stop()


@pytest.fixture
def voice_note(tmp_path: Path) -> Path:
    """One second of quiet as an Opus voice note (what WhatsApp records)."""
    path = tmp_path / "note.ogg"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
                    "-t", "1", "-c:a", "libopus", str(path)], check=True)
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A camera file that is no picture: the reading job answers "could not read" at once, through the
    page's poll (a real photo would first train the document classifier, minutes of CPU)."""
    path = tmp_path / "prescription.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 broken camera file")
    return path


@pytest.fixture(params=[{"width": 1280, "height": 800}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def browser_page(request) -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport=request.param, locale="en-US", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


def _bot(page):  # type: ignore[no-untyped-def]
    return page.locator(".bubble.bot")


@pytest.mark.parametrize("path", ["/simulator", "/simulator/"])
def test_simulator_page_answers_text_photo_voice_and_location(live_simulator, browser_page, rasa, photo, voice_note,
                                                              path):
    page = browser_page
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(live_simulator + path)
    # buttons say what they do in words (no emoji font needed)
    expect(page.locator("#send")).to_have_text(t("channels_sim_send", "en"))
    expect(page.locator("label.file")).to_have_text(t("channels_sim_attach", "en"))
    expect(page.locator("#location")).to_have_text(t("channels_sim_location", "en"))

    page.fill("#text", "hello")
    page.click("#send")
    expect(_bot(page).first).to_have_text(t("core_greet", "en"))
    assert rasa.texts() == ["hello"]

    page.set_input_files("#file", str(photo))
    expect(_bot(page).filter(has_text=t("channels_reading_photo", "en"))).to_have_count(1)
    expect(page.locator(".bubble.me").nth(1)).to_contain_text("prescription.jpg")
    # the reading job's answer comes later, through the page's poll of the outbox
    expect(_bot(page).filter(has_text=t("channels_photo_unreadable", "en"))).to_have_count(1)

    page.set_input_files("#file", str(voice_note))
    expect(_bot(page).filter(has_text=t("channels_listening_voice", "en"))).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept("30.3686, 75.8675"))
    page.click("#location")
    expect(page.locator(".bubble.me").last).to_contain_text("30.3686, 75.8675")
    expect(page.locator(".bubble.bot").last).to_have_text(t("core_ask_patient", "en"))
    _, text, metadata = rasa.calls[-1]
    assert text == "/find_pharmacy" and metadata["latitude"] == 30.3686 and metadata["longitude"] == 75.8675

    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"simulator-{viewport}{path.replace('/', '-')}.png"), full_page=True)
    assert width <= viewport, f"the page is {width} px wide at {viewport} px"
    assert not [f for f in failed if "/simulator" in f], failed
    assert not page.locator(".bubble.error").count()
    assert axe_violations(page) == [], "no serious accessibility violation (axe-core)"


def test_simulator_says_when_a_message_did_not_go_through(live_simulator, browser_page):
    """A server error is shown in the chat, not swallowed."""
    page = browser_page
    page.goto(live_simulator + "/simulator")
    page.route("**/simulator/send", lambda route: route.fulfill(status=500, body="boom"))
    page.fill("#text", "hello")
    page.click("#send")
    expect(page.locator(".bubble.error")).to_contain_text("500")
