"""The portal admin registers an SMS ASHA (PostgreSQL, Flask test client, CSRF on): her phone gets
the one-time code (stand-in Twilio), she verifies it through the gateway's hook, the admin sees
her verified, can send a new code, change her area and deactivate her."""

from __future__ import annotations

import re

from channels import asha as hook
from channels.services import GatewayServices
from engine.asha import migrate
from engine.i18n import t
from records import Role
from records.identity import sender_id
from tests.support import portal as testing
from tests.support.asha import new_phone
from tests.support.portal import csrf_from

world = testing.world  # the module's fixture (tests/support/portal.py)


def _row(page: str, name: str) -> str:
    """The listing's table row of the ASHA called ``name``."""
    return next(r for r in page.split("<tr>") if name in r)


def test_admin_registers_an_asha_who_verifies_by_sms(world):
    migrate(world.records.sessions.kw["bind"].url.render_as_string(hide_password=False), world.records)
    admin, _, _ = world.staff(Role.ADMIN)
    client = world.client(admin)
    page = client.get("/admin/asha").get_data(as_text=True)
    assert "Register an ASHA" in page
    phone = new_phone()
    typed = f"{phone[3:8]} {phone[8:]}"  # the way an admin types it: "98xxx xxxxx"
    form = {"name": "Paramjit Kaur", "phone": typed, "language": "pa", "village": "Dhuri",
            "area": "Dhuri, ਧੂਰੀ; Kanjhla", "area_code": "Dhuri-1"}
    assert client.post("/admin/asha", data=form).status_code == 400  # no CSRF token
    assert world.standin.sent_messages(phone) == []
    assert client.post("/admin/asha", data={**form, "csrf_token": csrf_from(page)}).status_code == 302

    (sms,) = world.standin.wait_for_messages(phone)
    number = re.search(r"\d{6}", sms["Body"][0]).group()
    assert sms["Body"][0] == t("asha_otp", "pa", number=number)
    listing = client.get("/admin/asha").get_data(as_text=True)
    row = _row(listing, "Paramjit Kaur")
    assert "unverified" in row and "dhuri, kanjhla, ਧੂਰੀ" in row and phone not in listing

    service = world.app.extensions["asha"]
    services = GatewayServices(world.settings, asha=service)  # the gateway's, with the portal's ASHA service
    me = sender_id(phone, world.settings.sender_salt)  # how the gateway knows her when she texts
    assert hook.asha_reply(services, me, "VERIFY 000000") == t("asha_verify_failed", "pa") \
        or number == "000000"
    assert hook.asha_reply(services, me, f"ਤਸਦੀਕ {number}") == t("asha_verified", "pa")
    assert "verified" in _row(client.get("/admin/asha").get_data(as_text=True), "Paramjit Kaur").replace(
        "unverified", "")
    worker = service.worker(me)
    assert worker.verified and worker.language == "pa"

    # a new code on request; the same phone cannot be registered twice
    client.post(f"/admin/asha/{worker.user_id}/resend", data={"csrf_token": csrf_from(listing)})
    assert len(world.standin.wait_for_messages(phone, count=2)) == 2
    again = client.post("/admin/asha", data={**form, "csrf_token": csrf_from(listing)}, follow_redirects=True)
    assert "already registered" in again.get_data(as_text=True)

    client.post(f"/admin/asha/{worker.user_id}/area", data={"area": "Barnala", "csrf_token": csrf_from(listing)})
    assert service.villages(worker.user_id) == ["barnala"]

    # deactivated: her commands go to the bot again, no code can be sent
    client.post(f"/admin/asha/{worker.user_id}/deactivate", data={"csrf_token": csrf_from(listing)})
    assert "deactivated" in _row(client.get("/admin/asha").get_data(as_text=True), "Paramjit Kaur")
    assert hook.asha_reply(services, me, "LIST") is None
    client.post(f"/admin/asha/{worker.user_id}/resend", data={"csrf_token": csrf_from(listing)})
    assert len(world.standin.sent_messages(phone)) == 2

    doctor, _, _ = world.doctor()
    assert world.client(doctor).get("/admin/asha").status_code == 403
