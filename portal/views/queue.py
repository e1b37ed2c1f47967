"""The doctor's queue, a case, accepting it (Jitsi), the phone fallback, availability, .ics."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from engine.handoff import calendar
from portal.handoff import IST, when
from portal.security import role_required, services
from records import AccessDenied
from records.portal_models import AvailabilitySlot

bp = Blueprint("queue", __name__)


@bp.app_template_filter("when")
def _when(value: dt.datetime | None) -> str:
    return when(value) if value else ""


@bp.app_template_filter("duration")
def _duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "-"
    minutes = int(value.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{sign}{minutes} min"


@bp.get("/queue")
@role_required("doctor")
def index():  # type: ignore[no-untyped-def]
    handoff = services().handoff
    items = handoff.queue(g.user.id)
    free = [s for s in handoff.slots_of(g.user.id) if s.case_id is None]
    return render_template("queue.html", items=items, now=handoff.now(), free=free, user=g.user)


@bp.post("/duty")
@role_required("doctor")
def duty():  # type: ignore[no-untyped-def]
    services().accounts.set_on_duty(g.user.id, request.form.get("on_duty") == "1")
    return redirect(url_for("queue.index"))


@bp.get("/cases/<uuid:case_id>")
@role_required("doctor")
def case(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        view = services().handoff.case_view(g.user.id, case_id)
    except AccessDenied:
        abort(403)
    except LookupError:
        abort(404)
    return render_template("case.html", v=view, now=services().handoff.now(), user=g.user)


@bp.post("/cases/<uuid:case_id>/accept")
@role_required("doctor")
def accept(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        meeting = services().handoff.accept(g.user.id, case_id)
    except AccessDenied:
        abort(403)
    except ValueError as exc:  # Jitsi not configured
        flash(f"Video is not configured: {exc}", "error")
        return redirect(url_for("queue.case", case_id=case_id))
    if meeting.channel != "whatsapp":
        flash("Accepted. This patient uses SMS or voice: use \"Phone call instead\" to reach them.", "ok")
    else:
        flash("Accepted. The patient has been sent the link." if meeting.patient_notified
              else "Accepted. The patient could not be messaged; use the phone call.", "ok")
    return render_template("accepted.html", meeting=meeting, case_id=case_id, user=g.user)


@bp.post("/cases/<uuid:case_id>/call")
@role_required("doctor")
def call(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    handoff = services().handoff
    try:
        ok = handoff.phone_call(g.user.id, case_id, handoff.staff_phone(g.user.id) or "")
    except AccessDenied:
        abort(403)
    flash("Calling you and the patient now." if ok else "The call could not be placed (phone numbers?).",
          "ok" if ok else "error")
    return redirect(url_for("queue.case", case_id=case_id))


@bp.post("/cases/<uuid:case_id>/offer")
@role_required("doctor")
def offer(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        ok = services().handoff.offer_slot(g.user.id, case_id, uuid.UUID(request.form.get("slot_id", "")))
    except (ValueError, LookupError):
        abort(400)
    flash("Time offered to the patient." if ok else "That time could not be offered.", "ok" if ok else "error")
    return redirect(url_for("queue.index"))


@bp.route("/slots", methods=["GET", "POST"])
@role_required("doctor")
def slots():  # type: ignore[no-untyped-def]
    handoff = services().handoff
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.form["day"])
            start = dt.datetime.combine(day, dt.time.fromisoformat(request.form["start"]), IST)
            end = dt.datetime.combine(day, dt.time.fromisoformat(request.form["end"]), IST)
            handoff.add_slots(g.user.id, start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")),
                              int(request.form.get("minutes") or 15))
            flash("Availability added.", "ok")
        except (KeyError, ValueError) as exc:
            flash(f"Could not add: {exc}", "error")
        return redirect(url_for("queue.slots"))
    return render_template("slots.html", slots=handoff.slots_of(g.user.id), user=g.user)


@bp.post("/slots/<uuid:slot_id>/delete")
@role_required("doctor")
def delete_slot(slot_id: uuid.UUID):  # type: ignore[no-untyped-def]
    if not services().handoff.delete_slot(g.user.id, slot_id):
        flash("Booked or unknown slots cannot be deleted.", "error")
    return redirect(url_for("queue.slots"))


@bp.get("/slots/<uuid:slot_id>.ics")
@role_required("doctor")
def ics(slot_id: uuid.UUID):  # type: ignore[no-untyped-def]
    with services().records.sessions() as s:
        slot = s.get(AvailabilitySlot, slot_id)
    if slot is None or slot.doctor_id != g.user.id:
        abort(404)
    link = url_for("queue.case", case_id=slot.case_id, _external=True) if slot.case_id else ""
    body = calendar.invitation(str(slot.id), slot.starts_at, slot.ends_at, summary="Sehat Saathi teleconsultation",
                               url=link, description="Open the case in the portal to start the call.")
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="saathi-{slot.id}.ics"'})
