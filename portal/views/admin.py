"""Administration: staff accounts (doctors, ASHA workers, pharmacists, admins) and their locks;
ASHA workers who work by SMS (register, one-time code to her phone, resend, deactivate).

Thin: registration and codes are :mod:`engine.asha.enrolment`, the same as ``saathi asha register``;
the code leaves through the portal's notifier (the channels' Twilio sender).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from engine.asha import AshaService, enrolment
from engine.asha.villages import parse_area
from portal.accounts import AccountError
from portal.security import role_required, services
from records import Role
from records.service import specialty_codes

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required("admin")
def index():  # type: ignore[no-untyped-def]
    return render_template("admin.html", accounts=services().accounts.listing(), user=g.user,
                           specialties=sorted(specialty_codes()))


def create_staff(form) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """Register the person in records (profile) and give them a portal login."""
    records, role = services().records, form.get("role", "")
    name = form.get("name", "").strip()
    if not name:
        raise AccountError("a name is needed")
    if role == Role.DOCTOR.value:
        languages = [x for x in ("hi", "pa", "en") if x in form.getlist("languages")] or ["hi", "en"]
        user_id = records.register_doctor(name=name, specialty=form.get("specialty") or "general_physician",
                                          registration_number=form.get("registration", "").strip(),
                                          languages=languages)
    elif role == Role.ASHA.value:
        user_id = records.register_asha(name=name, village=form.get("village", ""), area=form.get("area", ""))
    elif role in (Role.PHARMACIST.value, Role.ADMIN.value):
        user_id = records.register_staff(Role(role))
    else:
        raise AccountError("unknown role")
    services().accounts.create(user_id, form.get("username", ""), form.get("password", ""),
                               phone=form.get("phone") or None)
    return user_id


@bp.post("/users")
@role_required("admin")
def create():  # type: ignore[no-untyped-def]
    try:
        create_staff(request.form)
        flash("Account created. They set up two-factor sign-in at first login.", "ok")
    except (AccountError, ValueError) as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.index"))


@bp.post("/users/<uuid:user_id>/<action>")
@role_required("admin")
def act(user_id: uuid.UUID, action: str):  # type: ignore[no-untyped-def]
    accounts = services().accounts
    actions = {"unlock": accounts.unlock, "reset-2fa": accounts.reset_totp,
               "deactivate": lambda uid: accounts.set_active(uid, False),
               "activate": lambda uid: accounts.set_active(uid, True)}
    if action not in actions or user_id == g.user.id:
        flash("Not allowed.", "error")
    else:
        actions[action](user_id)
        flash("Done.", "ok")
    return redirect(url_for("admin.index"))


def asha_service() -> AshaService:
    """One per app, on the portal's database (the ASHA tables live beside the records)."""
    if "asha" not in current_app.extensions:
        records = services().records
        current_app.extensions["asha"] = AshaService(records.sessions, records)
    return current_app.extensions["asha"]


def _send_sms(to: str, body: str) -> bool:
    return services().handoff.notifier.send_message(to, body)


@bp.get("/asha")
@role_required("admin")
def asha_index():  # type: ignore[no-untyped-def]
    service, records = asha_service(), services().records
    workers = [{"w": w, "name": records.clinician_name(w.user_id) or "?"} for w in service.listing()]
    return render_template("admin_asha.html", workers=workers, user=g.user)


@bp.post("/asha")
@role_required("admin")
def asha_register():  # type: ignore[no-untyped-def]
    form = request.form
    village = form.get("village", "").strip()
    try:
        enrolment.enrol(asha_service(), _send_sms, services().settings.sender_salt, name=form.get("name", ""),
                        village=village, area=form.get("area_code", "").strip(), language=form.get("language", ""),
                        phone=form.get("phone", ""), serves=parse_area(form.get("area", "")) or [village])
        flash("ASHA registered. A one-time code went to her phone: she replies VERIFY and the code.", "ok")
    except ValueError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.asha_index"))


@bp.post("/asha/<uuid:user_id>/<action>")
@role_required("admin")
def asha_act(user_id: uuid.UUID, action: str):  # type: ignore[no-untyped-def]
    service = asha_service()
    if action == "resend":
        try:
            sent = enrolment.resend_code(service, _send_sms, user_id)
            flash("New code sent." if sent else "The code could not be sent; try again.", "ok" if sent else "error")
        except LookupError:
            flash("Not an active ASHA.", "error")
    elif action in ("deactivate", "activate"):
        active = action == "activate"
        if not service.set_active(user_id, active):
            flash("No such ASHA.", "error")
        else:
            services().accounts.set_active(user_id, active)  # a portal login of hers, if any, goes the same way
            flash("Done.", "ok")
    elif action == "area":
        kept = service.set_villages(user_id, parse_area(request.form.get("area", "")))
        flash(f"Area: {', '.join(kept) or 'none'}.", "ok")
    else:
        flash("Not allowed.", "error")
    return redirect(url_for("admin.asha_index"))
