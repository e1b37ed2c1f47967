"""Links that Twilio fetches without a session, each a signed token that expires:
the PDF prescription (WhatsApp media) and the conference TwiML of the phone fallback."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort

from engine.handoff.service import PATIENT_LINK_LIFETIME
from engine.i18n import t
from portal.security import services
from records import AccessDenied, Actor, PatientNotFound, Purpose

bp = Blueprint("public", __name__)
TWIML_VOICE = {"hi": "hi-IN", "pa": "pa-IN", "en": "en-IN"}


@bp.get("/media/rx/<token>")
def prescription(token: str):  # type: ignore[no-untyped-def]
    payload = services().unsign(token, max_age=int(PATIENT_LINK_LIFETIME.total_seconds()))
    if not payload:
        abort(404)
    pid = uuid.UUID(payload["p"])
    try:  # the patient's own document, fetched on their behalf by their messaging channel
        meta, data = services().records.read_document(Actor.patient(pid), pid, uuid.UUID(payload["d"]),
                                                      purpose=Purpose.SELF_CARE)
    except (AccessDenied, PatientNotFound):
        abort(404)
    return Response(data, mimetype=meta.get("mime", "application/pdf"),
                    headers={"Content-Disposition": 'inline; filename="prescription.pdf"', "Cache-Control": "no-store"})


@bp.route("/voice/conference/<token>", methods=["GET", "POST"])
def conference(token: str):  # type: ignore[no-untyped-def]
    payload = services().unsign(token, max_age=3600)
    if not payload:
        abort(404)
    language = payload.get("l", "en")
    twiml = ('<?xml version="1.0" encoding="UTF-8"?><Response>'
             f'<Say language="{TWIML_VOICE.get(language, "en-IN")}">{escape(t("portal_call_intro", language))}</Say>'
             f'<Dial><Conference beep="false" endConferenceOnExit="true">{escape(payload["c"])}</Conference></Dial>'
             '</Response>')
    return Response(twiml, mimetype="application/xml")
