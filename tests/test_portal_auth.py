"""Sign-in with password and TOTP (enrolment by QR code), lock-out, CSRF, reset by SMS, roles."""

from __future__ import annotations

import pyotp
import pytest

from records import Role
from tests.support import portal as testing
from tests.support.portal import PASSWORD, csrf_from, totp_now

pytestmark = pytest.mark.postgres
world = testing.world


def _login_page(client) -> str:
    return csrf_from(client.get("/login").get_data(as_text=True))


def _password_step(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": _login_page(client)})


def test_first_sign_in_enrols_totp_with_a_qr_code_then_requires_it(world):
    uid, username, _ = world.doctor("Enrol Doctor", enrol=False)
    client = world.app.test_client()
    r = _password_step(client, username)
    assert r.status_code == 302 and r.headers["Location"].endswith("/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page, "QR code is inline (no external service)"
    secret = world.accounts.totp_secret_for_tests(uid)
    assert secret in page
    wrong = client.post("/login/enrol", data={"code": "000000", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 200 and client.get("/queue").status_code == 302
    used = pyotp.TOTP(secret).now()
    ok = client.post("/login/enrol", data={"code": used, "csrf_token": csrf_from(page)})
    assert ok.status_code == 302
    assert client.get("/queue").status_code == 200
    # next time: password, then a code (the same code is never accepted twice)
    client2 = world.app.test_client()
    assert _password_step(client2, username).headers["Location"].endswith("/login/totp")
    page = client2.get("/login/totp").get_data(as_text=True)
    # the very code used at enrolment (recomputing "now" could cross into the next 30-second step)
    replay = client2.post("/login/totp", data={"code": used, "csrf_token": csrf_from(page)})
    assert replay.status_code == 401
    fresh = client2.post("/login/totp", data={"code": totp_now(secret, 1), "csrf_token": csrf_from(page)})
    assert fresh.status_code == 302 and client2.get("/queue").status_code == 200


def test_password_alone_is_not_signed_in(world):
    _, username, _ = world.doctor("Half Doctor")
    client = world.app.test_client()
    _password_step(client, username)
    assert client.get("/queue").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_lock_out_after_repeated_failures_even_with_the_right_password(world):
    uid, username, _ = world.doctor("Locked Doctor")
    client = world.app.test_client()
    for _ in range(world.settings.portal_lockout_attempts):
        assert _password_step(client, username, "wrong-password-1").status_code == 401
    r = _password_step(client, username)
    assert r.status_code == 401 and world.accounts.locked_until(uid) is not None
    world.accounts.unlock(uid)
    assert _password_step(client, username).status_code == 302


def test_unknown_user_and_wrong_password_look_the_same(world):
    client = world.app.test_client()
    a = _password_step(client, "nobody-here").get_data(as_text=True)
    b = _password_step(client, "nobody-here", "x").get_data(as_text=True)
    assert a.count("Wrong username or password.") == b.count("Wrong username or password.") == 1


def test_every_form_refuses_a_post_without_csrf_token(world):
    doc, _, _ = world.doctor("Csrf Doctor")
    client = world.client(doc)
    for url in ("/login", "/logout", "/duty", "/slots", "/reset"):
        assert client.post(url, data={"username": "x"}).status_code == 400, url
    assert client.post("/duty", data={"on_duty": "1", "csrf_token": "forged"}).status_code == 400


def test_cookies_are_http_only_and_strict(world):
    _, username, _ = world.doctor("Cookie Doctor")
    client = world.app.test_client()
    r = _password_step(client, username)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert world.app.config["SESSION_COOKIE_SECURE"] is False  # tests run on http; default is True
    from config.settings import Settings

    assert Settings().portal_secure_cookies is True


def test_password_reset_by_sms_code(world):
    uid, username, _ = world.doctor("Reset Doctor", phone="+919833300001")
    client = world.app.test_client()
    token = csrf_from(client.get("/reset").get_data(as_text=True))
    r = client.post("/reset", data={"username": username, "csrf_token": token})
    assert r.status_code == 302
    body = world.standin.wait_for_messages("+919833300001", 1)[-1]["Body"][0]
    code = next(w for w in body.replace(".", " ").split() if w.isdigit() and len(w) == 6)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    bad = client.post("/reset/confirm", data={"username": username, "code": "123456" if code != "123456" else "654321",
                                              "password": "New-Password-99", "csrf_token": csrf_from(page)})
    assert bad.status_code == 400
    ok = client.post("/reset/confirm", data={"username": username, "code": code, "password": "New-Password-99",
                                             "csrf_token": csrf_from(page)})
    assert ok.status_code == 302
    assert world.accounts.login(username, "New-Password-99").user is not None
    assert world.accounts.login(username, PASSWORD).user is None
    # an unknown user gets the same answer, and no SMS is sent
    before = len(world.standin.sent_messages())
    client.post("/reset", data={"username": "nobody", "csrf_token": token})
    assert len(world.standin.sent_messages()) == before


@pytest.mark.parametrize(("role", "allowed", "refused"), [
    (Role.DOCTOR, ["/queue", "/slots"], ["/admin/", "/asha"]),
    (Role.ASHA, ["/asha"], ["/queue", "/admin/", "/slots"]),
    (Role.PHARMACIST, ["/"], ["/queue", "/asha", "/admin/"]),
    (Role.ADMIN, ["/admin/"], ["/queue", "/asha"]),
])
def test_role_checks(world, role, allowed, refused):
    if role == Role.DOCTOR:
        uid, _, _ = world.doctor("Role Doctor")
    else:
        uid, _, _ = world.staff(role, area="block-role")
    client = world.client(uid)
    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in refused:
        assert client.get(url).status_code == 403, url
    assert world.app.test_client().get(allowed[0]).status_code == 302  # signed out: to the login page


def test_security_headers(world):
    r = world.app.test_client().get("/login")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"
