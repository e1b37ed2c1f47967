"""During the consultation: SOAP notes, the confirmed diagnosis (ICD-10), the e-prescription."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, abort, flash, g, jsonify, redirect, request, url_for

from engine.handoff import icd
from engine.meds.kb import load as load_kb
from portal.security import role_required, services
from records import AccessDenied

bp = Blueprint("consult", __name__)


def _date(raw: str | None) -> dt.date | None:
    return dt.date.fromisoformat(raw) if raw else None


@bp.post("/cases/<uuid:case_id>/notes")
@role_required("doctor")
def notes(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    form = request.form
    try:
        services().handoff.save_notes(
            g.user.id, case_id, soap={k: form.get(k, "") for k in ("subjective", "objective", "assessment", "plan")},
            diagnosis=(form.get("diagnosis") or "").strip().upper() or None, follow_up=_date(form.get("follow_up")))
        flash("Notes saved.", "ok")
    except AccessDenied:
        abort(403)
    except ValueError as exc:
        flash(str(exc), "error")
    return redirect(url_for("queue.case", case_id=case_id))


def prescription_items(form) -> list[dict]:  # type: ignore[no-untyped-def]
    """Rows of the builder form: parallel lists generic[], dose[], frequency[], days[], instructions[]."""
    rows = zip(form.getlist("generic"), form.getlist("dose"), form.getlist("frequency"), form.getlist("days"),
               form.getlist("instructions"), strict=False)
    return [{"generic": g_, "dose": d, "frequency": f, "duration_days": n or 0, "instructions": i}
            for g_, d, f, n, i in rows if g_.strip()]


@bp.post("/cases/<uuid:case_id>/prescribe")
@role_required("doctor")
def prescribe(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        services().handoff.prescribe(g.user.id, case_id, prescription_items(request.form),
                                     advice=request.form.get("advice", ""), follow_up=_date(request.form.get("follow_up")))
        flash("Prescription saved and sent to the patient.", "ok")
    except AccessDenied:
        abort(403)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("queue.case", case_id=case_id))
    return redirect(url_for("queue.index"))


@bp.get("/icd")
@role_required("doctor")
def icd_search():  # type: ignore[no-untyped-def]
    return jsonify(icd.search(request.args.get("q", ""), limit=15))


@bp.get("/medicines")
@role_required("doctor", "pharmacist")
def medicines():  # type: ignore[no-untyped-def]
    q = request.args.get("q", "").strip().lower()
    names = sorted(n for n in load_kb().generics if q and q in n)
    return jsonify(names[:20])
