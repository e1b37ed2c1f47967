"""The pharmacist's portal page: only their shop, stock upload, confirming and handing over reservations."""

from __future__ import annotations

import html
import io
import uuid

from engine.i18n import t
from engine.pharmacy import migrate
from engine.pharmacy.models import Pharmacy, StockItem
from portal.views.pharmacy import pharmacy_service
from records import Role
from tests.support.pharmacy import add_shop
from tests.support.portal import csrf_from, world  # noqa: F401  (module-scoped fixture)


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
    assert t("portal_stock_saved", "en", stored=1, read=2) in done.text
    assert html.unescape(t("portal_stock_row_unknown", "en", row=2, medicine="xyz")) in html.unescape(done.text)
    assert client.post(f"/pharmacy/{other}/stock", data={"csrf_token": token,
                       "file": (io.BytesIO(csv), "s.csv")}, content_type="multipart/form-data").status_code == 404

    view = service.reserve(mine, uuid.uuid4(), [(stock_id, 1)], "hi")
    page = client.get("/pharmacy/")
    assert view.code in page.text and "reserved" in page.text
    assert f'<td class="code nowrap">{view.code}</td>' in page.text  # a pickup code never wraps on a phone
    client.post(f"/pharmacy/{mine}/reservations/{view.id}/ready", data={"csrf_token": token})
    assert service.get(view.id).status == "ready"
    handed = client.post(f"/pharmacy/{mine}/code", data={"csrf_token": token, "code": view.code},
                         follow_redirects=True)
    assert "Handed over" in handed.text and service.get(view.id).status == "picked_up"


def test_other_roles_cannot_see_the_pharmacy_page(world):  # noqa: F811
    uid, *_ = world.doctor()
    assert world.client(uid).get("/pharmacy/").status_code == 403


def test_pharmacist_links_the_mobile_for_sms_commands(world):  # noqa: F811
    from portal.security import services
    from records.identity import sender_id

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


def test_failed_uploads_are_reported_as_failed_in_plain_words(world):  # noqa: F811
    """Issue #18 item 7: garbage is a failure, not "0 products saved"; bad rows say what is wrong
    in words (no Python error text); nothing is saved (nor zeroed) when nothing could be read."""
    uid, service, mine, _other, stock_id = _setup(world)
    client = world.client(uid)
    token = csrf_from(client.get("/pharmacy/").text)

    def upload(content: bytes, name: str = "s.csv", **extra):
        return client.post(f"/pharmacy/{mine}/stock", data={"csrf_token": token, "file": (io.BytesIO(content), name),
                                                             **extra},
                           content_type="multipart/form-data", follow_redirects=True)

    def flashes(r) -> list[tuple[str, str]]:
        import re

        return [(c, html.unescape(x)) for c, x in re.findall(r'<p class="flash (\w+)" role="status">([^<]*)</p>', r.text)]

    assert flashes(upload(b"hello world, this is not stock")) == [("error", t("portal_stock_nothing", "en"))]
    bad = upload(b"medicine,strength,form,brand,price,quantity\nparacetamol,500,tablet,,abc,10\n,1,tablet,,1,1\n"
                 b"paracetamol,500,tablet,,-5,1\n", replace="1")
    assert flashes(bad) == [("error", t("portal_stock_none_saved", "en")),
                            ("error", t("portal_stock_row_number", "en", row=1, column="price", value="abc")),
                            ("error", t("portal_stock_row_no_medicine", "en", row=2)),
                            ("error", t("portal_stock_row_negative", "en", row=3))]
    assert "could not convert" not in bad.text
    with service.sessions() as s:
        assert s.get(StockItem, stock_id).quantity == 5, "a failed full-list upload zeroes nothing"
    assert flashes(upload(b"\x00\xff\xfe garbage", "s.xlsx")) == [("error", t("portal_stock_unreadable", "en"))]
    page = client.get("/pharmacy/").text
    assert '<label>Stock file (CSV or Excel) <input type="file"' in page
