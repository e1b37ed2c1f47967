"""Administration: staff accounts (doctors, ASHA workers, pharmacists, admins) and their locks;
ASHA workers who work by SMS (register, one-time code to her phone, resend, deactivate).

Thin: registration and codes are :mod:`engine.asha.enrolment`, the same as ``saathi asha register``;
the code leaves through the portal's notifier (the channels' Twilio sender).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from engine.asha import AshaService, enrolment
from engine.asha.villages import parse_area
from engine.handoff.notifier import Delivery
from portal import feedback
from portal.accounts import AccountError
from portal.security import role_required, services
from records import Role
from records.service import specialty_codes

bp = Blueprint("admin", __name__, url_prefix="/admin")
#: actions the list asks to confirm (they sign the person out or stop them signing in)
CONFIRM = ("deactivate", "reset-2fa")


@bp.get("/")
@role_required("admin")
def index():  # type: ignore[no-untyped-def]
    return _index_page()


def _index_page(typed: Any = None, status: int = 200):  # type: ignore[no-untyped-def]
    """The list and the new-account form; after a refusal, the form as typed (never the password)."""
    accounts = services().accounts
    return render_template("admin.html", accounts=accounts.admin_listing(), user=g.user, now=accounts.now(),
                           specialties=sorted(specialty_codes()), typed=typed or {},
                           languages=typed.getlist("languages") if typed else ["hi", "en"]), status


def create_staff(form) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """Register the person in records (profile) and give them a portal login."""
    records, role = services().records, form.get("role", "")
    name = form.get("name", "").strip()
    if not name:
        raise AccountError("portal_account_name_needed", "name")
    # before anyone is registered: a refused login must not leave a half-made staff member behind
    services().accounts.check_new(form.get("username", ""), form.get("password", ""))
    if role == Role.DOCTOR.value:
        languages = [x for x in ("hi", "pa", "en") if x in form.getlist("languages")] or ["hi", "en"]
        user_id = records.register_doctor(name=name, specialty=form.get("specialty") or "general_physician",
                                          registration_number=form.get("registration", "").strip(),
                                          languages=languages)
    elif role == Role.ASHA.value:
        user_id = records.register_asha(name=name, village=form.get("village", ""), area=form.get("area", ""))
    elif role in (Role.PHARMACIST.value, Role.ADMIN.value, Role.PROGRAMME.value):
        user_id = records.register_staff(Role(role))
    elif role == Role.SURVEILLANCE.value:
        from portal.views.surveillance import register_officer

        user_id = register_officer(records, form.get("district", ""))
    else:
        raise AccountError("portal_account_unknown_role", "role")
    services().accounts.create(user_id, form.get("username", ""), form.get("password", ""),
                               phone=form.get("phone") or None, name=name)
    return user_id


@bp.post("/users")
@role_required("admin")
def create():  # type: ignore[no-untyped-def]
    try:
        create_staff(request.form)
    except (AccountError, ValueError) as exc:
        flash(feedback.refusal(exc), "error")
        return _index_page(request.form, 422)
    feedback.say("portal_account_created")
    return redirect(url_for("admin.index"))


@bp.post("/users/<uuid:user_id>/<action>")
@role_required("admin")
def act(user_id: uuid.UUID, action: str):  # type: ignore[no-untyped-def]
    accounts = services().accounts
    actions = {"unlock": accounts.unlock, "reset-2fa": accounts.reset_totp,
               "deactivate": lambda uid: accounts.set_active(uid, False),
               "activate": lambda uid: accounts.set_active(uid, True)}
    target = next((a for a in accounts.admin_listing() if a.id == user_id), None)
    if action not in actions or user_id == g.user.id or target is None:
        feedback.say("portal_admin_not_allowed", "error")
    elif action in CONFIRM and request.form.get("confirm") != action:  # the page asks first
        feedback.say("portal_admin_confirm_first", "error", user=target.username)
    else:
        actions[action](user_id)
        feedback.say(f"portal_admin_{action.replace('-', '_')}", user=target.username)
    return redirect(url_for("admin.index"))


def asha_service() -> AshaService:
    """The app's, built by the app factory on the portal's records (the ASHA tables live beside them)."""
    return current_app.extensions["asha"]


def _send_sms(to: str, body: str) -> Delivery:
    return services().handoff.notifier.send_message(to, body)


@bp.get("/asha")
@role_required("admin")
def asha_index():  # type: ignore[no-untyped-def]
    return _asha_page()


def _asha_page(typed: Any = None, status: int = 200):  # type: ignore[no-untyped-def]
    service, records = asha_service(), services().records
    workers = [{"w": w, "name": records.clinician_name(w.user_id) or "?"} for w in service.listing()]
    return render_template("admin_asha.html", workers=workers, user=g.user, typed=typed or {}), status


@bp.post("/asha")
@role_required("admin")
def asha_register():  # type: ignore[no-untyped-def]
    form = request.form
    village = form.get("village", "").strip()
    sent: list[Delivery] = []  # what became of her code, told as it is

    def send(to: str, body: str) -> Delivery:
        sent.append(_send_sms(to, body))
        return sent[-1]

    try:
        enrolment.enrol(asha_service(), send, services().settings.sender_salt, name=form.get("name", ""),
                        village=village, area=form.get("area_code", "").strip(), language=form.get("language", ""),
                        phone=form.get("phone", ""), serves=parse_area(form.get("area", "")) or [village])
        feedback.say("portal_asha_registered")
        if not feedback.delivery(sent[-1] if sent else None):
            feedback.say("portal_asha_code_failed", "error")
    except ValueError as exc:
        flash(str(exc), "error")
        return _asha_page(form, 422)
    return redirect(url_for("admin.asha_index"))


@bp.post("/asha/<uuid:user_id>/<action>")
@role_required("admin")
def asha_act(user_id: uuid.UUID, action: str):  # type: ignore[no-untyped-def]
    service = asha_service()
    if action == "resend":
        try:
            feedback.delivery(enrolment.resend_code(service, _send_sms, user_id))
        except LookupError:
            feedback.say("portal_asha_not_active", "error")
    elif action in ("deactivate", "activate"):
        active = action == "activate"
        if not service.set_active(user_id, active):
            feedback.say("portal_asha_unknown", "error")
        else:
            services().accounts.set_active(user_id, active)  # a portal login of hers, if any, goes the same way
            feedback.say("portal_asha_activated" if active else "portal_asha_deactivated")
    elif action == "area":
        kept = service.set_villages(user_id, parse_area(request.form.get("area", "")))
        feedback.say("portal_asha_area", villages=", ".join(kept) or "-")
    else:
        feedback.say("portal_admin_not_allowed", "error")
    return redirect(url_for("admin.asha_index"))
