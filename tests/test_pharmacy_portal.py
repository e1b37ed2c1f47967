"""The pharmacist's portal page: only their shop, stock upload, confirming and handing over reservations."""

from __future__ import annotations

import io
import uuid

from engine.pharmacy import migrate
from engine.pharmacy.models import Pharmacy, StockItem
from engine.pharmacy.testing import add_shop
from portal.testing import csrf_from, world  # noqa: F401  (module-scoped fixture)
from portal.views.pharmacy import pharmacy_service
from records import Role


def _setup(world):  # noqa: F811
    migrate(world.records.sessions.kw["bind"].url.render_as_string(hide_password=False))
    uid, _username, _secret = world.staff(Role.PHARMACIST)
    with world.app.app_context():
        service = pharmacy_service()
    with service.sessions() as s:
        mine = add_shop(s, "Sharma Medical", 1, [("paracetamol", "650 mg", "Dolo 650", 30, 5)])
        other = add_shop(s, "Someone Else", 2, [])
        s.get(Pharmacy, mine).manager_user_id = uid
        s.commit()
        stock_id = s.query(StockItem).filter_by(pharmacy_id=mine).one().id
    return uid, service, mine, other, stock_id


def test_pharmacist_page_upload_and_reservation_flow(world):  # noqa: F811
    uid, service, mine, other, stock_id = _setup(world)
    client = world.client(uid)
    page = client.get("/pharmacy/")
    assert page.status_code == 200 and "Sharma Medical" in page.text and "Someone Else" not in page.text
    token = csrf_from(page.text)

    csv = b"medicine,strength,form,brand,price,quantity\nPan 40,40 mg,tablet,Pan 40,95,12\nxyz,1,tablet,,1,1\n"
    done = client.post(f"/pharmacy/{mine}/stock", data={"csrf_token": token, "file": (io.BytesIO(csv), "s.csv")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "1 products saved, 1 rows skipped" in done.text
    assert client.post(f"/pharmacy/{other}/stock", data={"csrf_token": token,
                       "file": (io.BytesIO(csv), "s.csv")}, content_type="multipart/form-data").status_code == 404

    view = service.reserve(mine, uuid.uuid4(), [(stock_id, 1)], "hi")
    page = client.get("/pharmacy/")
    assert view.code in page.text and "reserved" in page.text
    client.post(f"/pharmacy/{mine}/reservations/{view.id}/ready", data={"csrf_token": token})
    assert service.get(view.id).status == "ready"
    handed = client.post(f"/pharmacy/{mine}/code", data={"csrf_token": token, "code": view.code},
                         follow_redirects=True)
    assert "Handed over" in handed.text and service.get(view.id).status == "picked_up"


def test_other_roles_cannot_see_the_pharmacy_page(world):  # noqa: F811
    uid, *_ = world.doctor()
    assert world.client(uid).get("/pharmacy/").status_code == 403


def test_pharmacist_links_the_mobile_for_sms_commands(world):  # noqa: F811
    from channels.identity import sender_id
    from portal.security import services

    uid, service, mine, other, _stock_id = _setup(world)
    client = world.client(uid)
    token = csrf_from(client.get("/pharmacy/").text)
    linked = client.post(f"/pharmacy/{mine}/sms-phone", data={"csrf_token": token, "phone": "099887 76655"},
                         follow_redirects=True)
    assert "ending 6655" in linked.text and "99887" not in linked.text
    with world.app.app_context():
        salt = services().settings.sender_salt
    with service.sessions() as s:
        assert s.get(Pharmacy, mine).sms_phone_hash == sender_id("whatsapp:+919988776655", salt)
    assert "Turn SMS off" in linked.text
    bad = client.post(f"/pharmacy/{mine}/sms-phone", data={"csrf_token": token, "phone": "12"}, follow_redirects=True)
    assert "10-digit" in bad.text
    assert client.post(f"/pharmacy/{other}/sms-phone", data={"csrf_token": token, "phone": "9876543211"}
                       ).status_code == 404  # not their shop
    off = client.post(f"/pharmacy/{mine}/sms-phone", data={"csrf_token": token, "remove": "1"}, follow_redirects=True)
    assert "SMS commands are off" in off.text
    with service.sessions() as s:
        assert s.get(Pharmacy, mine).sms_phone_hash is None
