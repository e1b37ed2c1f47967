"""``/simulator``: a phone-like web chat for demos, with photo and voice uploads.

Only registered for local use (``SAATHI_SIMULATOR``; "auto" = no public URL configured), because
it injects messages without a Twilio signature. Simulated numbers start with ``+000`` (not a
real number), so replies made later by jobs land in the simulator's outbox, never at Twilio.
"""

from __future__ import annotations

import mimetypes
import secrets
import uuid
from pathlib import Path

from flask import Blueprint, jsonify, render_template, request

from channels import messaging
from channels.erasure import remember_upload
from channels.inbound import InboundMessage, Media
from channels.types.whatsapp.location import parse_location
from channels.views.common import gateway
from engine.i18n import LANGUAGES, t
from engine.outbound import SIMULATOR_PREFIX
from records.identity import sender_id

PACKAGE = Path(__file__).resolve().parent.parent
bp = Blueprint("simulator", __name__, url_prefix="/simulator", static_folder=str(PACKAGE / "static"),
               static_url_path="/static", template_folder=str(PACKAGE / "templates"))
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf", "audio/ogg": "ogg",
               "audio/mpeg": "mp3", "audio/amr": "amr", "audio/mp4": "m4a", "audio/wav": "wav", "audio/x-wav": "wav",
               "audio/webm": "ogg"}


def _number() -> str:
    number = (request.values.get("number") or "").strip().replace(" ", "")
    if not number.startswith(SIMULATOR_PREFIX) or not number[1:].isdigit():
        number = SIMULATOR_PREFIX + str(uuid.uuid4().int)[:9]
    return number


def _language() -> str:
    """?lang=hi|pa|en, else the browser's language, else the deployment's default."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=gateway().settings.default_language) or "hi"


@bp.get("")
@bp.get("/")
def page():
    """The chat page at /simulator and /simulator/ (its script calls url_for-made absolute paths)."""
    return render_template("simulator.html", lang=_language(), t=t)


@bp.post("/send")
def send():
    gw = gateway()
    number = _number()
    channel = "sms" if request.form.get("channel") == "sms" else "whatsapp"
    address = f"whatsapp:{number}" if channel == "whatsapp" else number
    media: list[Media] = []
    upload = request.files.get("file")
    if upload and upload.filename:
        content_type = (upload.mimetype or mimetypes.guess_type(upload.filename)[0] or "").split(";")[0]
        name = f"{secrets.token_hex(16)}.{_EXTENSIONS.get(content_type, 'bin')}"
        folder = gw.media_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        upload.save(folder / name)
        remember_upload(gw, sender_id(address, gw.settings.sender_salt), name)  # erasure deletes it
        media.append(Media(url=gw.public_url(f"/media/uploads/{name}"), content_type=content_type))
    location = parse_location({"Latitude": request.form.get("latitude", ""),  # the 📍 button
                               "Longitude": request.form.get("longitude", ""), "Label": request.form.get("label", "")})
    message = InboundMessage(channel=channel, address=address, to="simulator", sid=f"SMsim{uuid.uuid4().hex}",
                             text=(request.form.get("text") or "").strip(), media=tuple(media),
                             location=location if channel == "whatsapp" else None)
    outgoing = messaging.handle(gw, message)
    return jsonify(number=number, texts=outgoing.texts, media=outgoing.media)


@bp.post("/outbox")
def outbox():
    """Messages other local processes (the portal) send to simulator numbers, for the page's poll.
    Only +000 numbers: nothing here reaches Twilio."""
    to = (request.form.get("to") or "").strip()
    bare = to.removeprefix("whatsapp:")
    if not bare.startswith(SIMULATOR_PREFIX) or not bare[1:].isdigit():
        return jsonify(error="not a simulator number"), 400
    result = gateway().sender.send_message(to, request.form.get("body", ""), request.form.getlist("media") or None)
    return jsonify(sid=result.sid)


@bp.get("/poll")
def poll():
    gw = gateway()
    key = f"outbox:{sender_id(_number_or_empty(), gw.settings.sender_salt)}"
    items = gw.store.get(key) or []
    gw.store.delete(key)
    return jsonify(messages=items)


def _number_or_empty() -> str:
    number = "+" + (request.args.get("number") or "").strip().lstrip("+")  # an unencoded "+" arrives as " "
    return number if number.startswith(SIMULATOR_PREFIX) else SIMULATOR_PREFIX
