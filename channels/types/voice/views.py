"""Twilio Voice webhooks: the IVR steps, through the shared pipeline (``channels.pipeline``).

Every step is signed; each answer is cached by call, step and input, so a retried request gets the
same TwiML back without the turn being processed twice (the pipeline's de-duplication)."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable

from flask import Blueprint, Response, request

from channels import pipeline
from channels.pipeline.signature import twilio_signed
from channels.types.voice import TYPE
from channels.types.voice.ivr import Ivr
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
        if pipeline.admit(gateway(), TYPE, key + ":seen", ttl=REPLAY_TTL) is pipeline.Admission.DUPLICATE:
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


#: The IVR's steps: URL path (and endpoint) -> the :class:`Ivr` method that answers it. Every step
#: is signed by Twilio and idempotent (a retried request gets the first answer back).
STEPS = {
    "incoming": Ivr.language_menu,
    "language": Ivr.choose_language,
    "turn": Ivr.turn,
    "silence": Ivr.silence,
    "recording": Ivr.recording,
    "confirm": Ivr.confirmed,
    "number": Ivr.number_confirmed,
    "emergency": Ivr.emergency,
}
for _path, _answer in STEPS.items():
    bp.add_url_rule(f"/{_path}", endpoint=_path, view_func=twilio_signed(idempotent(_answer)), methods=["POST"])


@bp.post("/status")
@twilio_signed
def call_status():
    Ivr(gateway(), request.form.to_dict()).ended()
    return "", 204
