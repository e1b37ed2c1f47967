"""What the portal tells staff after an action, in the browser's language (hi/pa/en, from the
message catalogue, ``data/messages/portal.yml``), and never more than happened.

Views call :func:`say` for the outcome of the action itself and :func:`delivery` for a message
or call it caused: sent and queued are reported as such, a failure says why (no Twilio account,
no phone number, refused, unreachable) in a red box, never in a green one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash

from engine.handoff.errors import InputError
from engine.handoff.notifier import FAILED, SCHEDULED, Delivery
from engine.i18n import t
from portal.security import page_language, services


def text(key: str, **fields: Any) -> str:
    """A catalogue sentence in the browser's language."""
    return t(key, page_language(), **fields)


def say(key: str, category: str = "ok", **fields: Any) -> None:
    flash(text(key, **fields), category)


def refusal(exc: Exception) -> str:
    """What a refused request says: a catalogue sentence in the browser's language when the refusal
    names one (InputError and AccountError), else the English text the engine gave."""
    return text(exc.key, **exc.fields) if isinstance(exc, InputError) else str(exc)


def delivery_text(outcome: Delivery | None) -> str:
    """One sentence for a delivery outcome; empty when nothing was meant to be sent."""
    if outcome is None:
        return ""
    if outcome.status == FAILED:
        return text(f"portal_delivery_failed_{outcome.reason or 'unreachable'}")
    if outcome.status == SCHEDULED:
        return text(f"portal_delivery_scheduled_{outcome.reason or 'retrying'}")
    return text(f"portal_delivery_{outcome.status}")


def delivery_now(stored: dict[str, str] | None) -> Delivery | None:
    """A delivery kept with a case (``{"status", "reason", "sid", "outbox"}``), brought up to date:
    from its outbox row (Twilio's status callbacks, a switch to SMS) when it has one, else from the
    gateway's store when the portal can see it (shared Redis)."""
    if not stored:
        return None
    kept = Delivery(**stored)
    if kept.outbox:
        handoff = services().handoff
        row = handoff.delivery_row(kept.outbox)
        if row is not None:
            return Delivery.from_outcome(handoff.patient_notify().outcome(row))
    return services().handoff.notifier.current(kept)


def message_line(row: Any) -> str:
    """One message of the case page's list, as the outbox and Twilio's callbacks tell it:
    "prescription: WhatsApp 10:42, delivered 10:43, read 10:50" / "not delivered: switched to SMS"."""
    from engine.handoff.service import when

    parts = [text(f"portal_msg_kind_{row.kind}") if row.kind in MESSAGE_KINDS else row.kind]
    if row.status == "sent":
        parts.append(text("portal_msg_sent", via=text(f"portal_msg_via_{row.via}"), time=when(row.sent_at)))
        if row.twilio_status in ("failed", "undelivered"):
            parts.append(text("portal_msg_not_delivered", code=row.error or "-"))
        if row.delivered_at:
            parts.append(text("portal_msg_delivered", time=when(row.delivered_at)))
        if row.read_at:
            parts.append(text("portal_msg_read", time=when(row.read_at)))
    elif row.status == SCHEDULED:
        parts.append(text("portal_msg_waiting", time=when(row.due_at)))
    else:
        parts.append(text(f"portal_delivery_failed_{FAILED_AS.get(row.error, 'refused')}"))
    if row.fallback == "sms":
        parts.append(text("portal_msg_switched_sms"))
    return " · ".join(parts)


MESSAGE_KINDS = ("prescription", "meeting", "call", "handoff", "appointment", "checkup", "medicine", "checkin")
FAILED_AS = {"no_twilio": "no_twilio", "no_phone": "no_phone", "opted_out": "opted_out", "unreachable": "unreachable"}


def delivery(outcome: Delivery | None) -> bool:
    """Flash what happened to a message (green when it left or is queued, red when it failed);
    True when it did not fail."""
    if outcome is not None:
        flash(delivery_text(outcome), "error" if not outcome else "ok")
    return outcome is None or bool(outcome)


def followup_line(entry: dict[str, Any]) -> str:
    """One answer to a check-in at home, for the doctor: when, what, and what the patient was told."""
    from engine.handoff.service import when
    from nlu.symptoms import catalogue

    at = when(dt.datetime.fromisoformat(entry["at"])) if entry.get("at") else ""
    verdict = text(f"portal_followup_verdict_{entry.get('verdict')}")
    if entry.get("kind") == "emergency":
        parts = [text("portal_followup_emergency", time=at)]
    elif entry.get("kind") == "adherence":
        parts = [text("portal_followup_adherence", medicine=entry.get("medicine", ""), time=at, verdict=verdict)]
    else:
        parts = [text("portal_followup_checkin", day=entry.get("day", ""), time=at, verdict=verdict)]
    names = catalogue()
    effect = entry.get("side_effect")
    if effect:
        symptom = names[effect["symptom"]].en if effect["symptom"] in names else effect["symptom"]
        parts.append(text("portal_followup_side_effect", symptom=symptom, medicine=effect["medicine"],
                          effect=effect["effect"].replace("_", " "), urgency=effect["urgency"]))
    elif entry.get("symptoms"):
        parts.append(text("portal_followup_symptoms", symptoms=", ".join(
            names[c].en if c in names else c for c in entry["symptoms"])))
    if entry.get("said") and entry.get("verdict") not in ("better", "same", "taken", "missed", "worse"):
        parts.append(text("portal_followup_said", said=entry["said"]))
    return " · ".join(parts)
