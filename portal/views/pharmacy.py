"""The pharmacist's pages: their shop's reservations (ready / picked up / cancel, or by pickup code),
the stock upload (CSV or Excel) and the mobile for SMS commands. Thin: everything is done by
``engine.pharmacy``."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from engine.pharmacy import PharmacyService, Status
from engine.pharmacy.inventory import CsvAdapter, ExcelAdapter, import_stock
from engine.pharmacy.models import Pharmacy, StockItem
from portal import feedback
from portal.security import role_required, services

bp = Blueprint("pharmacy", __name__, url_prefix="/pharmacy")
#: What the buttons on a reservation do.
ACTIONS = {"ready": Status.READY, "picked_up": Status.PICKED_UP, "cancel": Status.CANCELLED}
#: row problems listed after an upload (the rest are counted)
SHOWN_PROBLEMS = 10


def pharmacy_service() -> PharmacyService:
    """The portal process's pharmacy service (:func:`portal.services.compose`), on the records'
    engine (the pharmacy tables live beside the records), the patient told of each change."""
    return services().process.pharmacy


def my_shop(pharmacy_id: uuid.UUID) -> Pharmacy:
    with pharmacy_service().sessions() as session:
        shop = session.get(Pharmacy, pharmacy_id)
        if shop is None or shop.manager_user_id != g.user.id:
            abort(404)
        session.expunge(shop)
        return shop


@bp.get("/")
@role_required("pharmacist")
def index():  # type: ignore[no-untyped-def]
    service = pharmacy_service()
    service.sweep()
    with service.sessions() as session:
        shops = list(session.scalars(select(Pharmacy).where(Pharmacy.manager_user_id == g.user.id)
                                     .order_by(Pharmacy.name)))
        counts = dict(session.execute(select(StockItem.pharmacy_id, func.count()).where(
            StockItem.pharmacy_id.in_([s.id for s in shops]), StockItem.quantity > 0)
            .group_by(StockItem.pharmacy_id)).all())
        for shop in shops:
            session.expunge(shop)
    reservations = {shop.id: service.for_pharmacy(shop.id) for shop in shops}
    return render_template("pharmacy/index.html", shops=shops, counts=counts, reservations=reservations,
                           user=g.user)


@bp.post("/<uuid:pharmacy_id>/stock")
@role_required("pharmacist")
def upload(pharmacy_id: uuid.UUID):  # type: ignore[no-untyped-def]
    my_shop(pharmacy_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        feedback.say("portal_stock_choose_file", "error")
        return redirect(url_for("pharmacy.index"))
    data = file.read()
    adapter = ExcelAdapter(data) if file.filename.lower().endswith(".xlsx") else CsvAdapter(data)
    try:
        with pharmacy_service().sessions() as session:
            report = import_stock(session, pharmacy_id, adapter, replace=request.form.get("replace") == "1")
            if report.stored:  # an upload that saved nothing changes nothing (not even "replace")
                session.commit()
    except Exception as exc:  # a broken file is the pharmacist's to fix, not a server error
        current_app.logger.warning("stock upload could not be read (%s)", type(exc).__name__)
        feedback.say("portal_stock_unreadable", "error")
        return redirect(url_for("pharmacy.index"))
    if not report.read:
        feedback.say("portal_stock_nothing", "error")
    elif not report.stored:
        feedback.say("portal_stock_none_saved", "error")
    else:
        feedback.say("portal_stock_saved", stored=report.stored, read=report.read)
    for row, key, fields in report.problems[:SHOWN_PROBLEMS]:
        feedback.say(key, "error", row=row, **fields)
    if len(report.problems) > SHOWN_PROBLEMS:
        feedback.say("portal_stock_more_problems", "error", count=len(report.problems) - SHOWN_PROBLEMS)
    return redirect(url_for("pharmacy.index"))


@bp.post("/<uuid:pharmacy_id>/reservations/<uuid:reservation_id>/<action>")
@role_required("pharmacist")
def change(pharmacy_id: uuid.UUID, reservation_id: uuid.UUID, action: str):  # type: ignore[no-untyped-def]
    my_shop(pharmacy_id)
    service = pharmacy_service()
    found = service.get(reservation_id)
    if found is None or found.pharmacy_id != pharmacy_id or action not in ACTIONS:
        abort(404)
    done = service.change(reservation_id, ACTIONS[action])
    if done:
        feedback.say("portal_reservation_changed", code=found.code, status=done.status.replace("_", " "))
    else:
        feedback.say("portal_reservation_unchanged", "error", code=found.code)
    return redirect(url_for("pharmacy.index"))


@bp.post("/<uuid:pharmacy_id>/code")
@role_required("pharmacist")
def by_code(pharmacy_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """The patient shows the pickup code at the counter: hand over and mark it picked up."""
    my_shop(pharmacy_id)
    service = pharmacy_service()
    found = service.by_code(pharmacy_id, request.form.get("code", ""))
    done = service.change(found.id, Status.PICKED_UP) if found else None
    feedback.say("portal_handed_over" if done else "portal_no_open_reservation", "ok" if done else "error")
    return redirect(url_for("pharmacy.index"))


@bp.post("/<uuid:pharmacy_id>/sms-phone")
@role_required("pharmacist")
def sms_phone(pharmacy_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """The mobile whose SMS (STOCK, READY code …) act for this shop; only its salted hash is kept."""
    from records.identity import phone_hash

    my_shop(pharmacy_id)
    phone = request.form.get("phone", "").strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if request.form.get("remove") == "1":
        pharmacy_service().set_sms_phone(pharmacy_id, None)
        feedback.say("portal_shop_sms_off")
    elif not 10 <= len(digits) <= 13:
        feedback.say("portal_shop_phone_invalid", "error")
    elif pharmacy_service().set_sms_phone(pharmacy_id, phone_hash(phone, services().settings.sender_salt)):
        feedback.say("portal_shop_sms_on", digits=digits[-4:])
    else:
        feedback.say("portal_shop_phone_taken", "error")
    return redirect(url_for("pharmacy.index"))
