"""Lock-out and the admin's list of logins (issue #18 item 5): a lock after wrong authenticator
codes lands on a sign-in page that says so with the time left; the list names each person and
shows who is locked and who is active; deactivation asks first and says what it did; activate
and unlock put people back."""

from __future__ import annotations

import html
import re

import pytest

from engine.i18n import t
from records import Role
from tests.support import portal as testing
from tests.support.portal import PASSWORD, csrf_from, totp_now

pytestmark = pytest.mark.postgres
world = testing.world


def _flashes(page: str) -> list[str]:
    return [html.unescape(x) for x in re.findall(r'<p class="flash \w+" role="status">([^<]*)</p>', page)]


def _row(page: str, username: str) -> str:
    return page.split(f'<tr data-user="{username}">')[1].split("</tr>")[0]


def test_lock_out_by_wrong_codes_says_locked_with_the_time_left(world):
    uid, username, secret = world.doctor("Code Locked Doctor")
    client = world.app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
    wrong = str((int(totp_now(secret)) + 1) % 1_000_000).zfill(6)
    token = csrf_from(client.get("/login/totp").get_data(as_text=True))  # the session was renewed
    for _ in range(world.settings.portal_lockout_attempts):
        r = client.post("/login/totp", data={"code": wrong, "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    minutes = world.settings.portal_lockout_minutes
    assert _flashes(page) == [t("portal_login_locked", "en", minutes=minutes)], "not a blank sign-in page"
    assert world.accounts.locked_until(uid) is not None


def test_admin_list_names_states_and_unlock(world):
    admin, admin_name, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    page = client.get("/admin/").get_data(as_text=True)
    r = client.post("/admin/users", data={"role": "pharmacist", "name": "Kuldeep Singh", "username": "chemist.k",
                                          "password": "Strong-Pass-123", "csrf_token": csrf_from(page)})
    assert r.status_code == 302
    doctor, doctor_user, _ = world.doctor("Listed Doctor")
    for _ in range(world.settings.portal_lockout_attempts):
        world.accounts.login(doctor_user, "wrong-password-1")
    page = client.get("/admin/").get_data(as_text=True)
    assert "<th>Name</th>" in page and "Kuldeep Singh" in _row(page, "chemist.k") and "Listed Doctor" in _row(page, doctor_user)
    row = _row(page, doctor_user)
    left = t("portal_admin_minutes_left", "en", minutes=world.settings.portal_lockout_minutes)
    assert 'class="badge ok">active' in row and "locked until" in row and left in row and "unlock" in row
    assert "locked until" not in _row(page, "chemist.k") and "unlock" not in _row(page, "chemist.k")
    assert "reset 2FA" not in _row(page, admin_name) and "deactivate" not in _row(page, admin_name), "not yourself"
    r = client.post(f"/admin/users/{doctor}/unlock", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert _flashes(r.get_data(as_text=True)) == [t("portal_admin_unlock", "en", user=doctor_user)]
    assert world.accounts.login(doctor_user, PASSWORD).user is not None


def test_deactivate_asks_first_then_says_what_it_did_and_activate_undoes_it(world):
    admin, _, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    uid, username, _ = world.doctor("Leaving Doctor")
    page = client.get("/admin/").get_data(as_text=True)
    row = _row(page, username)
    assert t("portal_admin_confirm_deactivate", "en", user=username) in html.unescape(row)
    assert 'name="confirm" value="deactivate"' in row
    unconfirmed = client.post(f"/admin/users/{uid}/deactivate", data={"csrf_token": csrf_from(page)},
                              follow_redirects=True).get_data(as_text=True)
    assert _flashes(unconfirmed) == [t("portal_admin_confirm_first", "en", user=username)]
    assert world.accounts.login(username, PASSWORD).user is not None, "nothing changed without confirmation"
    done = client.post(f"/admin/users/{uid}/deactivate", data={"csrf_token": csrf_from(page), "confirm": "deactivate"},
                       follow_redirects=True).get_data(as_text=True)
    assert _flashes(done) == [t("portal_admin_deactivate", "en", user=username)]
    assert world.accounts.login(username, PASSWORD).user is None
    row = _row(done, username)
    assert '<span class="badge">inactive</span>' in row and "activate</button>" in row
    back = client.post(f"/admin/users/{uid}/activate", data={"csrf_token": csrf_from(done)},
                       follow_redirects=True).get_data(as_text=True)
    assert _flashes(back) == [t("portal_admin_activate", "en", user=username)]
    assert world.accounts.login(username, PASSWORD).user is not None
