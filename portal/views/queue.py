"""The doctor's queue, a case, accepting it (Jitsi), the phone fallback, availability, .ics."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from engine.handoff import calendar
from engine.handoff.errors import InputError
from engine.handoff.service import slot_times, when
from portal import feedback, forms
from portal.security import as_doctor, role_required, services
from records import AccessDenied
from records.portal_models import AvailabilitySlot

bp = Blueprint("queue", __name__)


@bp.app_template_filter("when")
def _when(value: dt.datetime | str | None) -> str:
    """India time of a datetime, or of an ISO string as sealed case records keep them."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if value else None
    return when(value) if value else ""


@bp.app_template_filter("starts_in")
def _starts_in(value: dt.datetime | None, now: dt.datetime) -> str:
    """'in 25 min' for a slot ahead, 'now' once it has started (never 'in -6 min')."""
    if value is None:
        return ""
    left = _aware(value) - _aware(now)
    return feedback.text("portal_slot_now") if left.total_seconds() <= 0 else f"in {_duration(left)}"


@bp.app_template_filter("has_started")
def _has_started(value: dt.datetime, now: dt.datetime) -> bool:
    return _aware(value) <= _aware(now)


def _aware(value: dt.datetime) -> dt.datetime:
    """Times from SQLite come back naive; they are UTC."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


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


def case_page(case_id: uuid.UUID, *, notes_typed: Any = None, rx_typed: Any = None,
              error: tuple[str, InputError] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    """The case page; after a refused form, with what was typed in it and the reason
    (``error``: which form, and the refusal)."""
    view = as_doctor(services().handoff.case_view, case_id)
    details = view["details"]
    problem = None
    if error:
        which, exc = error
        problem = {"form": which, "field": exc.field, "key": exc.key, "text": feedback.text(exc.key, **exc.fields),
                   "choices": exc.choices, "fields": exc.fields,
                   "warnings": [{"code": w.code, "kind": w.kind, "serious": w.serious,
                                 "text": w.text(feedback.page_language())} for w in getattr(exc, "warnings", [])]}
    return render_template("case.html", v=view, now=services().handoff.now(), user=g.user, problem=problem,
                           notes=forms.notes_values(details.get("notes"), details.get("text") or "", notes_typed),
                           rows=forms.rx_rows(rx_typed), rx=rx_typed or {},
                           as_written=rx_typed.getlist("as_written") if rx_typed is not None else [],
                           rx_age=rx_typed.get("age", "") if rx_typed is not None else
                           (f"{view['age']:g}" if view.get("age") is not None else "")), status


@bp.get("/cases/<uuid:case_id>")
@role_required("doctor")
def case(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return case_page(case_id)


def _meeting(step: Callable[[Any, uuid.UUID], Any], case_id: uuid.UUID) -> Any:
    """``step(doctor, case)`` of the video handoff (accept, or view the room), or the page shown
    instead (aborting): 403 / 404 for a case the doctor may not see or that is gone, and back to the
    case when Jitsi is not (or no longer) configured, with nothing changed."""
    try:
        return as_doctor(step, case_id)
    except ValueError:
        feedback.say("portal_video_not_configured", "error")
        abort(redirect(url_for("queue.case", case_id=case_id)))


@bp.post("/cases/<uuid:case_id>/accept")
@role_required("doctor")
def accept(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    meeting = _meeting(services().handoff.accept, case_id)
    feedback.say("portal_accepted")
    if meeting.channel != "whatsapp":
        feedback.say("portal_accepted_sms")
    return redirect(url_for("queue.video", case_id=case_id))  # a reload shows the room, never accepts again


@bp.get("/cases/<uuid:case_id>/video")
@role_required("doctor")
def video(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    meeting = _meeting(services().handoff.meeting_view, case_id)
    return render_template("accepted.html", meeting=meeting, case_id=case_id, user=g.user,
                           delivery=feedback.delivery_text(meeting.delivery))


@bp.post("/cases/<uuid:case_id>/call")
@role_required("doctor")
def call(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    handoff = services().handoff
    try:
        outcome = handoff.phone_call(g.user.id, case_id, handoff.staff_phone(g.user.id) or "")
    except AccessDenied:
        abort(403)
    if outcome:
        feedback.say("portal_call_started")
    else:
        feedback.delivery(outcome)
    return redirect(url_for("queue.case", case_id=case_id))


@bp.post("/cases/<uuid:case_id>/offer")
@role_required("doctor")
def offer(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        outcome = services().handoff.offer_slot(g.user.id, case_id, uuid.UUID(request.form.get("slot_id", "")))
    except (ValueError, LookupError):
        abort(400)
    if outcome is None:
        feedback.say("portal_offer_impossible", "error")
    else:
        feedback.say("portal_offer_sent" if outcome else "portal_offer_not_sent", "ok" if outcome else "error")
        feedback.delivery(outcome)
    return redirect(url_for("queue.index"))


@bp.route("/slots", methods=["GET", "POST"])
@role_required("doctor")
def slots():  # type: ignore[no-untyped-def]
    handoff = services().handoff
    if request.method == "POST":
        form = request.form
        try:
            start, end, minutes = forms.slot_block(form)
            made = handoff.add_slots(g.user.id, start, end, minutes)
        except InputError as exc:  # shown beside the form, with what was typed
            return render_template("slots.html", slots=handoff.slots_of(g.user.id), user=g.user, now=handoff.now(),
                                   typed=form, problem=feedback.text(exc.key, **exc.fields)), 422
        skipped = len(slot_times(start, end, minutes)) - len(made)
        if made:
            feedback.say("portal_slots_added", count=len(made), start=when(start))
        if skipped:
            feedback.say("portal_slots_duplicates", "error" if not made else "ok", skipped=skipped)
        return redirect(url_for("queue.slots"))
    return render_template("slots.html", slots=handoff.slots_of(g.user.id), user=g.user, now=handoff.now(), typed={})


@bp.post("/slots/<uuid:slot_id>/delete")
@role_required("doctor")
def delete_slot(slot_id: uuid.UUID):  # type: ignore[no-untyped-def]
    if not services().handoff.delete_slot(g.user.id, slot_id):
        feedback.say("portal_slot_not_deleted", "error")
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
