"""Issue #14 finding 6: the portal's back doors, each tried the way an attacker would.

Open redirect after sign-in, username enumeration through the lock-out message, sessions that
outlive logout and resets, unthrottled sign-ins and reset codes, the demo admin's fixed password
and first-come TOTP enrolment, and unbounded availability ranges.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select

from engine.i18n import t
from records import Role
from records.portal_models import RefreshToken
from tests.support import portal as testing
from tests.support.portal import PASSWORD, csrf_from, totp_now

pytestmark = pytest.mark.postgres
world = testing.world
COOKIE = "saathi_portal"


def _client(world, ip: str | None = None, language: str | None = None):  # type: ignore[no-untyped-def]
    """A browser from its own address (the per-IP limits of one test do not spill into another)."""
    client = world.app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.9"
    if language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def _password(client, username: str, password: str = PASSWORD, url: str = "/login"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def _sign_in(client, username: str, secret: str, url: str = "/login", step: int = 0):  # type: ignore[no-untyped-def]
    """Password then TOTP through the forms; returns the response of the TOTP step."""
    assert _password(client, username, url=url).status_code == 302
    page = client.get("/login/totp").get_data(as_text=True)
    return client.post("/login/totp", data={"code": totp_now(secret, step), "csrf_token": csrf_from(page)})


def _flash(response) -> str:  # type: ignore[no-untyped-def]
    found = re.findall(r'<p class="flash error"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    assert found, response.get_data(as_text=True)[:500]
    return html.unescape(found[0]).strip()


# ------------------------------------------------------------------ safe next


@pytest.mark.parametrize("hostile", ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "/\\evil.example",
                                     "https://evil.example/", "/%2F%2Fevil.example", "/api/v1/me", "/logout",
                                     "/media/../../evil", "/no-such-page"])
def test_next_after_a_full_sign_in_never_leaves_the_portal(world, hostile):
    _, username, secret = world.doctor("Next Doctor")
    r = _sign_in(_client(world), username, secret, url=f"/login?next={hostile}")
    assert r.status_code == 302
    assert r.headers["Location"] == "/", r.headers["Location"]


def test_next_to_a_staff_page_is_kept(world):
    _, username, secret = world.doctor("Next Page Doctor")
    r = _sign_in(_client(world), username, secret, url="/login?next=/slots")
    assert r.headers["Location"] == "/slots"
    # what role_required itself sends a signed-out doctor with
    client = _client(world)
    bounced = client.get("/slots")
    assert parse_qs(urlsplit(bounced.headers["Location"]).query)["next"] == ["/slots"]


# ------------------------------------------------------------------ no username enumeration


def _lock(world, username: str, client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(world.settings.portal_lockout_attempts):
        assert _password(client, username, "wrong-password-1").status_code == 401


def test_locked_and_unknown_users_get_the_same_answer_on_the_page_and_the_api(world):
    uid, username, _ = world.doctor("Enumerated Doctor")
    attacker = _client(world)
    _lock(world, username, attacker)
    locked_right = _flash(_password(attacker, username))  # even the right password
    locked_wrong = _flash(_password(attacker, username, "wrong-password-2"))
    unknown = _flash(_password(attacker, "no-such-user-" + uuid.uuid4().hex[:6]))
    assert locked_right == locked_wrong == unknown
    assert unknown == t("portal_login_failed", "en", attempts=world.settings.portal_lockout_attempts,
                        minutes=world.settings.portal_lockout_minutes)
    api = attacker.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD, "totp": "000000"})
    nobody = attacker.post("/api/v1/auth/token", json={"username": "nobody-x", "password": PASSWORD, "totp": "1"})
    assert api.status_code == nobody.status_code == 401 and api.get_json() == nobody.get_json()
    world.accounts.unlock(uid)


def test_the_account_holder_still_learns_the_time_left_on_a_lock(world):
    uid, username, secret = world.doctor("Locked Holder")
    mine = _client(world, language="hi")
    assert _sign_in(mine, username, secret).status_code == 302  # this browser signed in as her before
    mine.post("/logout", data={"csrf_token": csrf_from(mine.get("/login").get_data(as_text=True))})
    _lock(world, username, _client(world))  # someone else guesses her password
    message = _flash(_password(mine, username))
    minutes = world.settings.portal_lockout_minutes
    assert message in {t("portal_login_locked", "hi", minutes=m) for m in (minutes - 1, minutes)}
    assert "मिनट" in message
    world.accounts.unlock(uid)


# ------------------------------------------------------------------ server-side sessions


def _copy(world, client):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    other = world.app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def test_logout_ends_every_copy_of_the_session_cookie(world):
    _, username, secret = world.doctor("Logout Doctor")
    client = _client(world)
    assert _sign_in(client, username, secret).status_code == 302
    stolen = _copy(world, client)
    assert stolen.get("/queue").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/queue").get_data(as_text=True))})
    assert client.get("/queue").status_code == 302
    assert stolen.get("/queue").status_code == 302, "a copied cookie must die with the logout"


def test_password_reset_and_2fa_reset_end_all_sessions_and_refresh_tokens(world):
    uid, username, secret = world.doctor("Revoked Doctor", phone="+919833300077")
    browser = _client(world)
    assert _sign_in(browser, username, secret).status_code == 302
    stolen = _copy(world, browser)
    tokens = world.app.test_client().post("/api/v1/auth/token", json={"username": username, "password": PASSWORD,
                                                                      "totp": totp_now(secret, 1)}).get_json()
    phone, code = world.accounts.start_reset(username)
    assert world.accounts.finish_reset(username, code, "New-Password-77")
    assert stolen.get("/queue").status_code == 302 and browser.get("/queue").status_code == 302
    refreshed = world.app.test_client().post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401, "refresh tokens issued before the reset are dead too"
    with world.records.sessions() as s:
        assert s.scalars(select(RefreshToken).where(RefreshToken.user_id == uid,
                                                    RefreshToken.used_at.is_(None))).all() == []

    # an admin resets her second factor: every session ends again
    admin, _, _ = world.staff(Role.ADMIN)
    victim = world.client(uid)
    assert victim.get("/queue").status_code == 200
    admin_client = world.client(admin)
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert admin_client.post(f"/admin/users/{uid}/reset-2fa", data={"csrf_token": csrf_from(page),
                                                                   "confirm": "reset-2fa"}).status_code == 302
    assert victim.get("/queue").status_code == 302


def test_deactivation_ends_sessions_and_only_a_hash_of_the_id_is_stored(world):
    uid, username, secret = world.doctor("Hashed Doctor")
    client = _client(world)
    assert _sign_in(client, username, secret).status_code == 302
    from records.portal_models import StaffSession

    with client.session_transaction() as sess:
        sid = sess["sid"]
    with world.records.sessions() as s:
        rows = s.scalars(select(StaffSession).where(StaffSession.user_id == uid)).all()
    assert rows and all(r.full for r in rows) and sid not in {r.id_hash for r in rows}
    world.accounts.set_active(uid, False)
    assert client.get("/queue").status_code == 302
    world.accounts.set_active(uid, True)


def test_the_password_step_alone_opens_nothing_and_expires(world):
    _, username, _ = world.doctor("Pending Doctor")
    client = _client(world)
    assert _password(client, username).status_code == 302
    assert client.get("/queue").status_code == 302
    with client.session_transaction() as sess:
        assert "sid" not in sess and "pending" in sess
        pending = sess["pending"]
    with client.session_transaction() as sess:  # a pending id planted as a full one is refused
        sess["sid"] = pending
    assert client.get("/queue").status_code == 302


# ------------------------------------------------------------------ rate limits


def _reset(client, username: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/reset").get_data(as_text=True))
    return client.post("/reset", data={"username": username, "csrf_token": token})


def test_reset_codes_are_limited_per_account_with_a_message_in_the_browsers_language(world):
    phone = "+919833300088"
    _, username, _ = world.doctor("Flooded Doctor", phone=phone)
    before = len([m for m in world.standin.sent_messages() if m.get("To") == [phone]])
    for attempt in range(3):
        assert _reset(_client(world), username).status_code == 302, attempt  # each from another address
    refused = _reset(_client(world, language="pa"), username)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert _flash(refused) in {t("portal_rate_limited", "pa", minutes=m) for m in (59, 60)}
    world.standin.wait_for_messages(phone, before + 3)
    assert len([m for m in world.standin.sent_messages() if m.get("To") == [phone]]) == before + 3


def test_reset_codes_are_limited_per_address_whatever_the_username(world):
    client = _client(world, language="hi")
    for _ in range(10):
        assert _reset(client, "someone-" + uuid.uuid4().hex[:6]).status_code == 302
    refused = _reset(client, "someone-else")
    assert refused.status_code == 429 and "मिनट" in _flash(refused)


def test_failed_sign_ins_are_limited_per_address_on_the_page_and_the_api(world):
    _, username, secret = world.doctor("Throttled Doctor")
    client = _client(world)
    for i in range(20):  # many names, so no single account locks: only the address limit stops this
        assert _password(client, f"guess-{i}", "wrong-password-3").status_code == 401
    blocked = _password(client, username)  # the right password does not get through either
    assert blocked.status_code == 429 and _flash(blocked).startswith("Too many attempts")
    api = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD,
                                                  "totp": totp_now(secret)})
    assert api.status_code == 429 and api.get_json()["error"] == "rate_limited"
    assert _sign_in(_client(world), username, secret).status_code == 302  # another address is not affected


@pytest.mark.redis
def test_limits_are_shared_through_redis_between_portal_processes():
    from portal.throttle import Throttle

    rules = {"login_per_ip": "3 per minute", "reset_per_account": "1 per hour", "reset_per_ip": "5 per hour"}
    one, two = Throttle("redis://127.0.0.1:6379/0", **rules), Throttle("redis://127.0.0.1:6379/0", **rules)
    ip = "203.0.113." + str(uuid.uuid4().int % 250)
    for _ in range(3):
        assert one.wait_seconds("login-ip", ip) == 0
        one.hit("login-ip", ip)
    assert 0 < two.wait_seconds("login-ip", ip) <= 60
    name = "user-" + uuid.uuid4().hex
    assert two.take(("reset-account", name), ("reset-ip", ip)) == 0
    assert one.take(("reset-account", name), ("reset-ip", ip)) > 0


# ------------------------------------------------------------------ seed-demo


def test_seed_demo_prints_random_passwords_and_enrols_totp_itself(world, monkeypatch, capsys):
    from saathi.commands.portal import _seed

    outputs = []
    for _ in range(2):
        assert _seed(world.services) == 0
        outputs.append(capsys.readouterr().out)
    found = [re.findall(r"^(admin-\w+|doctor-\w+)  password: (\S+)\n  authenticator.*?: (otpauth://\S+)$", out, re.M)
             for out in outputs]
    assert all(len(f) == 2 for f in found), outputs
    passwords = [p for f in found for _, p, _ in f]
    assert len(set(passwords)) == 4 and "Demo-Password-1" not in passwords
    (name, password, uri), = [x for x in found[0] if x[0].startswith("admin-")]
    client = _client(world)
    r = _password(client, name, password)
    assert r.headers["Location"].endswith("/login/totp"), "enrolment is not left to the first sign-in"
    assert client.get("/login/enrol").headers["Location"].endswith("/login/totp")
    code = pyotp.parse_uri(uri).now()
    page = client.get("/login/totp").get_data(as_text=True)
    assert client.post("/login/totp", data={"code": code, "csrf_token": csrf_from(page)}).status_code == 302
    assert client.get("/admin/").status_code == 200


# ------------------------------------------------------------------ slots


def test_slot_ranges_are_bounded(world):
    doc, username, secret = world.doctor("Bounded Doctor")
    token = world.app.test_client().post("/api/v1/auth/token", json={
        "username": username, "password": PASSWORD, "totp": totp_now(secret)}).get_json()["access_token"]
    client, headers = world.app.test_client(), {"Authorization": f"Bearer {token}"}
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def post(start: dt.datetime, end: dt.datetime, minutes: object = 15, naive: bool = False):  # type: ignore[no-untyped-def]
        fmt = (lambda d: d.replace(tzinfo=None).isoformat()) if naive else (lambda d: d.isoformat())
        return client.post("/api/v1/slots", headers=headers,
                           json={"starts_at": fmt(start), "ends_at": fmt(end), "minutes": minutes})

    day = dt.timedelta(days=1)
    refused = {
        "past": post(now - 2 * day, now - 2 * day + dt.timedelta(hours=1)),
        "far ahead": post(now + 400 * day, now + 400 * day + dt.timedelta(hours=1)),
        "a year of slots": post(now + dt.timedelta(hours=1), now + 59 * day, 5),
        "one-minute slots": post(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2), 1),
        "huge slots": post(now + dt.timedelta(hours=1), now + dt.timedelta(hours=20), 100000),
        "minutes not a number": post(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2), "15"),
        "no time zone": post(now + dt.timedelta(hours=1), now + dt.timedelta(hours=2), naive=True),
        "year 9999": client.post("/api/v1/slots", headers=headers, json={"starts_at": "9999-12-31T23:59:00+00:00",
                                                                         "ends_at": "9999-12-31T23:59:59+00:00"}),
        "not an object": client.post("/api/v1/slots", headers=headers, json=["2030-01-01"]),
    }
    for what, r in refused.items():
        assert r.status_code == 400, (what, r.status_code, r.get_data(as_text=True)[:200])
        assert r.get_json()["error"] == "bad_request", what
    ok = post(now + 2 * day, now + 2 * day + dt.timedelta(hours=2), 30)
    assert ok.status_code == 201 and len(ok.get_json()["ids"]) == 4
    assert len(world.handoff.slots_of(doc)) == 4
