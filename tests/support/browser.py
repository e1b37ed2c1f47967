"""Chromium (Debian's, through Playwright) on a portal served in a thread: shared by the browser tests.

``serve(app)`` runs a Flask app on a free localhost port; ``chromium(...)`` opens a page on it;
``sign_in_cookie(app, session_id)`` is the signed session cookie of a server-side session, so a
test can be a given staff member without going through the sign-in pages each time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"


@contextmanager
def serve(app: Any, host: str = "localhost") -> Iterator[str]:
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def chromium(base_url: str, width: int = 360, height: int = 740, **context: Any) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                  base_url=base_url, **context)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            ctx.close()
            browser.close()


def sign_in_cookie(app: Any, session_id: str) -> dict[str, str]:
    """The portal's signed session cookie holding ``session_id`` (a full, two-factor session)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return {"name": app.config["SESSION_COOKIE_NAME"], "value": serializer.dumps({"sid": session_id})}


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of the page at those impacts (the page must allow the
    injected script: open the context with ``bypass_csp=True``)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => ({id: v.id, impact: v.impact,
        help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))""")
    return [v for v in result if v["impact"] in impacts]


@pytest.fixture(scope="module")
def portal_app(world: Any) -> Any:
    """The portal on the test world's services, with cookies allowed over the plain-HTTP test server."""
    import dataclasses

    from portal import create_app

    return create_app(dataclasses.replace(world.settings, portal_secure_cookies=False), world.services)


@pytest.fixture(scope="module")
def portal_url(portal_app: Any) -> Iterator[str]:
    """Where ``portal_app`` is served for Chromium during the module."""
    with serve(portal_app) as base:
        yield base
