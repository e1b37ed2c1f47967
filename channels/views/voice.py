"""Twilio Voice webhooks: the IVR steps. Each answer is cached by call, step and input, so a
retried request gets the same TwiML back without the turn being processed twice."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable

from flask import Blueprint, Response, request

from channels.ivr import Ivr
from channels.security import twilio_signed
from channels.views.common import gateway, twiml

bp = Blueprint("voice", __name__, url_prefix="/voice")
REPLAY_TTL = 3600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _step_key() -> str:
    form = request.form
    inputs = "\x00".join(f"{k}={form.get(k, '')}" for k in ("Digits", "SpeechResult", "RecordingSid", "CallStatus"))
    digest = hashlib.sha256(f"{request.path}\x00{request.query_string!r}\x00{inputs}".encode()).hexdigest()[:24]
    return f"twiml:{form.get('CallSid', '-')}:{digest}"


def idempotent(step: Callable[[Ivr], object]) -> Callable[[], Response]:
    @functools.wraps(step)
    def view() -> Response:
        store = gateway().store
        key = _step_key()
        if not store.add_once(key + ":seen", ttl=REPLAY_TTL):
            return Response(_answer_of_first_attempt(store, key), mimetype="application/xml")
        try:
            ivr = Ivr(gateway(), request.form.to_dict())
            response = twiml(step(ivr))
            ivr.save()
        except Exception:
            store.delete(key + ":seen")  # let Twilio's retry do the step again
            raise
        store.set(key, response.get_data(as_text=True), ttl=REPLAY_TTL)
        return response

    return view


def _answer_of_first_attempt(store, key: str, wait: float = 10.0) -> str:
    """The TwiML given to the first attempt; a retry that overtakes it (slow transcription) waits."""
    deadline = time.monotonic() + wait
    while (answer := store.get(key)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return answer or EMPTY_TWIML


@bp.post("/incoming", endpoint="incoming")
@twilio_signed
@idempotent
def incoming(ivr: Ivr):
    return ivr.language_menu()


@bp.post("/language", endpoint="language")
@twilio_signed
@idempotent
def language(ivr: Ivr):
    return ivr.choose_language()


@bp.post("/turn", endpoint="turn")
@twilio_signed
@idempotent
def turn(ivr: Ivr):
    return ivr.turn()


@bp.post("/silence", endpoint="silence")
@twilio_signed
@idempotent
def silence(ivr: Ivr):
    return ivr.silence()


@bp.post("/recording", endpoint="recording")
@twilio_signed
@idempotent
def recording(ivr: Ivr):
    return ivr.recording()


@bp.post("/confirm", endpoint="confirm")
@twilio_signed
@idempotent
def confirm(ivr: Ivr):
    return ivr.confirmed()


@bp.post("/emergency", endpoint="emergency")
@twilio_signed
@idempotent
def emergency(ivr: Ivr):
    return ivr.emergency()


@bp.post("/status")
@twilio_signed
def call_status():
    Ivr(gateway(), request.form.to_dict()).ended()
    return "", 204
