"""Delivery status callbacks: the latest status of each outbound message, by its SID only; a
message of engine.notify's outbox also gets it in its row (what the doctor's case page shows, and
WhatsApp's failure switching it to SMS: ``NotifyService.record_status``)."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from channels.pipeline.signature import twilio_signed
from channels.views.common import gateway

bp = Blueprint("status", __name__)
STATUS_TTL = 7 * 86400


@bp.post("/twilio/status")
@twilio_signed
def message_status():
    sid = (request.form.get("MessageSid") or request.form.get("SmsSid") or "").strip()
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").strip()
    if sid and status:
        gateway().store.set(f"status:{sid}", status, ttl=STATUS_TTL)
        if status in {"failed", "undelivered"}:
            current_app.logger.warning("message %s %s (error %s)", sid, status, request.form.get("ErrorCode", "-"))
        try:
            from engine.notify.jobs import service

            service().record_status(sid, status, (request.form.get("ErrorCode") or "").strip())
        except Exception as exc:  # noqa: BLE001 - the store has it; the outbox row catches up on the next callback
            current_app.logger.warning("status of %s not kept in the outbox: %s", sid, type(exc).__name__)
    return "", 204
