"""Patient history (consented patients only) and the ASHA worker's area page."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.security import role_required, services
from records import AccessDenied, Actor, PatientNotFound, Purpose
from records.models import AshaProfile, PatientProfile, User
from records.portal_models import PRIORITY, HandoffCase

bp = Blueprint("patients", __name__)
URGENCY = {v: k for k, v in PRIORITY.items()}


@bp.get("/patients/<uuid:patient_id>/history")
@role_required("doctor")
def history(patient_id: uuid.UUID):  # type: ignore[no-untyped-def]
    records = services().records
    actor = Actor.doctor(g.user.id)
    try:
        items = records.history(actor, patient_id, purpose=Purpose.TREATMENT)
        profile = records.patient_profile(actor, patient_id, purpose=Purpose.TREATMENT)
    except AccessDenied:
        abort(403)
    except PatientNotFound:
        abort(404)
    return render_template("history.html", items=list(reversed(items)), profile=profile, user=g.user)


def area_patients(asha_id: uuid.UUID) -> list[dict]:
    """Patients registered by ASHA workers of this ASHA's area, with their open cases (status only)."""
    records = services().records
    with records.sessions() as s:
        me = s.get(AshaProfile, asha_id)
        if me is None:
            return []
        colleagues = select(AshaProfile.user_id).where(AshaProfile.area == me.area)
        rows = s.execute(select(PatientProfile.user_id, PatientProfile.registered_by, User.created_at, User.language)
                         .join(User, User.id == PatientProfile.user_id)
                         .where(PatientProfile.registered_by.in_(colleagues))
                         .order_by(User.created_at.desc())).all()
        cases = {c.patient_id: c for c in s.scalars(select(HandoffCase).where(
            HandoffCase.patient_id.in_([r[0] for r in rows]),
            HandoffCase.status.in_(("waiting", "offered", "booked", "accepted"))))} if rows else {}
    out = []
    for pid, registrar, created, language in rows:
        try:
            profile = records.patient_profile(Actor.asha(asha_id), pid, purpose=Purpose.ASHA_CARE)
        except AccessDenied:
            profile = None
        case = cases.get(pid)
        out.append({"id": pid, "mine": registrar == asha_id, "registered": created, "language": language,
                    "profile": profile, "case": case, "urgency": URGENCY.get(case.priority) if case else None})
    return out


@bp.route("/asha", methods=["GET", "POST"])
@role_required("asha")
def asha():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        form = request.form
        try:
            services().records.create_patient_by_asha(
                Actor.asha(g.user.id), name=form.get("name", "").strip(), phone=form.get("phone") or None,
                language=form.get("language", "hi"), village=form.get("village") or None,
                birth_year=int(form["birth_year"]) if form.get("birth_year") else None, sex=form.get("sex") or None)
            flash("Patient registered.", "ok")
        except ValueError as exc:
            flash(str(exc), "error")
        return redirect(url_for("patients.asha"))
    return render_template("asha.html", patients=area_patients(g.user.id), user=g.user)
