"""Administration: staff accounts (doctors, ASHA workers, pharmacists, admins) and their locks."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

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
