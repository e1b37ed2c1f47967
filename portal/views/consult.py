"""During the consultation: SOAP notes, the confirmed diagnosis (ICD-10), the e-prescription.

A refused value never costs the doctor what she typed: the case page is rendered again from the
posted form (:mod:`portal.forms`) with the reason next to the field (HTTP 422).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, request, url_for

from engine.handoff import icd, prescribing
from engine.handoff.errors import InputError
from engine.handoff.service import draft_lines
from portal import feedback, forms
from portal.security import role_required, services
from portal.views.queue import case_page
from records import AccessDenied

bp = Blueprint("consult", __name__)


@bp.post("/cases/<uuid:case_id>/notes")
@role_required("doctor")
def notes(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    form = request.form
    try:
        code = services().handoff.save_notes(
            g.user.id, case_id, soap={k: form.get(k, "") for k in forms.SOAP},
            diagnosis=form.get("diagnosis_pick") or form.get("diagnosis"), follow_up=forms.parse_date(form.get("follow_up")))
    except AccessDenied:
        abort(403)
    except InputError as exc:
        return _refused(case_id, exc, notes_typed=form, error=("notes", exc))
    if code:
        feedback.say("portal_notes_saved_code", code=code)
    else:
        feedback.say("portal_notes_saved")
    return redirect(url_for("queue.case", case_id=case_id))


def _refused(case_id: uuid.UUID, exc: InputError, **typed: Any):  # type: ignore[no-untyped-def]
    """A refused form: about the case, not a field (it is closed), said above the case page;
    about a field, the page again with what was typed and the error beside it."""
    if not exc.field:
        feedback.say(exc.key, "error")
        return redirect(url_for("queue.case", case_id=case_id))
    return case_page(case_id, status=422, **typed)


@bp.post("/cases/<uuid:case_id>/prescribe")
@role_required("doctor")
def prescribe(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    form = request.form
    try:
        done = services().handoff.prescribe(g.user.id, case_id, forms.prescription_items(form),
                                            advice=form.get("advice", ""), follow_up=forms.parse_date(form.get("follow_up")),
                                            as_written=frozenset(form.getlist("as_written")), **forms.rx_safety(form))
    except AccessDenied:
        abort(403)
    except InputError as exc:
        return _refused(case_id, exc, rx_typed=form, error=("rx", exc))
    feedback.say("portal_rx_saved")
    feedback.delivery(done.delivery)
    return redirect(url_for("queue.case", case_id=case_id, _anchor="issued"))  # the PDF, one click away


@bp.post("/cases/<uuid:case_id>/rx-check")
@role_required("doctor")
def rx_check(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """The medicine check of the form as typed so far (portal.js shows it while the doctor writes);
    saving checks again and decides."""
    form = request.form
    try:
        age = forms.parse_age(form.get("age"))
    except InputError:
        age = None
    try:
        warnings = services().handoff.check_prescription(g.user.id, case_id, draft_lines(forms.prescription_items(form)),
                                                         age=age, pregnant=form.get("pregnant") == "yes")
    except AccessDenied:
        abort(403)
    language = feedback.page_language()
    return jsonify({"warnings": [{"code": w.code, "kind": w.kind, "serious": w.serious, "text": w.text(language)}
                                 for w in warnings]})


@bp.post("/cases/<uuid:case_id>/allergies")
@role_required("doctor")
def add_allergy(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        made = services().handoff.add_allergy(g.user.id, case_id, request.form.get("substance", ""))
    except AccessDenied:
        abort(403)
    except InputError as exc:
        feedback.say(exc.key, "error")
    else:
        feedback.say("rx_allergy_added" if made else "rx_allergy_known")
    return redirect(url_for("queue.case", case_id=case_id, _anchor="allergies"))


@bp.post("/cases/<uuid:case_id>/allergies/<uuid:allergy_id>/delete")
@role_required("doctor")
def remove_allergy(case_id: uuid.UUID, allergy_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        removed = services().handoff.remove_allergy(g.user.id, case_id, allergy_id)
    except AccessDenied:
        abort(403)
    feedback.say("rx_allergy_removed" if removed else "rx_allergy_not_found", "ok" if removed else "error")
    return redirect(url_for("queue.case", case_id=case_id, _anchor="allergies"))


@bp.get("/icd")
@role_required("doctor")
def icd_search():  # type: ignore[no-untyped-def]
    return jsonify(icd.search(request.args.get("q", ""), limit=15))


@bp.get("/medicines")
@role_required("doctor", "pharmacist")
def medicines():  # type: ignore[no-untyped-def]
    """Generics by name or alias first ("ors"), then brands with their composition ("Dolo 650")."""
    return jsonify(prescribing.suggest(request.args.get("q", "")[:100]))
