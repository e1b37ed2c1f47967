"""Files Twilio fetches from us: our speech audio, the symptom picture cards, simulator uploads."""

from __future__ import annotations

import re

from flask import Blueprint, abort, send_from_directory

from channels import symptom_menu
from channels.tts_cache import tts_dir
from channels.views.common import gateway
from engine.i18n import LANGUAGES

bp = Blueprint("media", __name__, url_prefix="/media")
_NAME = re.compile(r"^[0-9a-f]{16,64}\.(mp3|ogg|wav|png|jpg|jpeg|pdf|amr|m4a)$")
_TYPES = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav", "png": "image/png", "jpg": "image/jpeg",
          "jpeg": "image/jpeg", "pdf": "application/pdf", "amr": "audio/amr", "m4a": "audio/mp4"}


def _safe(name: str) -> str:
    if not _NAME.match(name):
        abort(404)
    return name


@bp.get("/tts/<name>")
def tts(name: str):
    name = _safe(name)
    return send_from_directory(tts_dir(gateway().settings.var_dir), name, mimetype=_TYPES[name.rsplit(".", 1)[1]])


@bp.get("/cards/symptoms-<language>.png")
def card(language: str):
    if language not in LANGUAGES:
        abort(404)
    path = symptom_menu.card_path(gateway().settings.var_dir, language)
    return send_from_directory(path.parent, path.name, mimetype="image/png")


@bp.get("/uploads/<name>")
def upload(name: str):
    name = _safe(name)
    return send_from_directory(gateway().media_dir / "uploads", name, mimetype=_TYPES[name.rsplit(".", 1)[1]])
