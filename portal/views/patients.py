"""Patient history (consented patients only) and the ASHA worker's area page."""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from engine.asha.service import consent_in_person
from portal import feedback
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


@bp.get("/consultations")
@role_required("doctor")
def consultations():  # type: ignore[no-untyped-def]
    """Past consultations, newest first; search by name, village or the phone's last digits
    among the patients whose consent still lasts."""
    query = request.args.get("q", "")[:100]
    items = services().handoff.past_consultations(g.user.id, query)
    return render_template("consultations.html", items=items, q=query, user=g.user)


@bp.get("/patients/<uuid:patient_id>/documents/<uuid:document_id>")
@role_required("doctor")
def document(patient_id: uuid.UUID, document_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """A document of the patient's record (the prescription just issued, a report), under the
    patient's consent and audited; opened in the browser to print, or ``?download=1`` to save."""
    try:
        meta, data = services().records.read_document(Actor.doctor(g.user.id), patient_id, document_id,
                                                      purpose=Purpose.TREATMENT)
    except AccessDenied:
        abort(403)
    except (PatientNotFound, LookupError):
        abort(404)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", meta.get("filename") or "document")
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(data, mimetype=meta.get("mime") or "application/octet-stream",
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"})


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
        records = services().records
        try:
            pid = records.create_patient_by_asha(
                Actor.asha(g.user.id), name=form.get("name", "").strip(), phone=form.get("phone") or None,
                language=form.get("language", "hi"), village=form.get("village") or None,
                birth_year=int(form["birth_year"]) if form.get("birth_year") else None, sex=form.get("sex") or None)
        except ValueError as exc:
            flash(str(exc), "error")
            return render_template("asha.html", patients=area_patients(g.user.id), user=g.user, typed=form), 422
        consent_in_person(records, pid, g.user.id)  # as REG by SMS: she sees whom she registered
        feedback.say("portal_patient_registered")
        return redirect(url_for("patients.asha"))
    return render_template("asha.html", patients=area_patients(g.user.id), user=g.user, typed={})
