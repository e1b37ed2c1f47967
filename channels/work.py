"""The jobs: reading a photo or document, listening to a voice note, speaking a reply.

They run in the RQ worker (or a thread of the gateway) and answer through Twilio's REST API.
Nothing here logs a phone number or what the user said: only the kind of failure.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from channels import conversation
from channels.context import Gateway, worker_gateway
from channels.media import Downloaded, MediaRefused
from channels.rasa import BotMessage
from channels.render import split_long
from channels.safety import sounds_like_emergency
from channels.sms import render_sms
from channels.tts_cache import speech_file
from engine.i18n import t

log = logging.getLogger(__name__)
VOICE_PENDING_TTL = 1800
#: How long the medicines of a photo ride along with the sender's turns (``photo_medicines`` metadata).
PHOTO_MEDICINES_TTL = 1800


def _reply(gateway: Gateway, payload: dict[str, Any], text: str, media: list[str] | None = None) -> None:
    pieces = [render_sms([BotMessage(text=text)])] if payload.get("channel") == "sms" else split_long(text)
    for index, piece in enumerate(pieces or [""]):
        gateway.sender.send_message(payload["address"], piece, media if index == 0 else None,
                                    from_=payload.get("to") or None)


def process_media(payload: dict[str, Any]) -> None:
    gateway = worker_gateway()
    language = payload["language"]
    try:
        downloaded = gateway.fetcher.fetch(payload["url"], payload["content_type"])
    except MediaRefused as refused:
        log.warning("media refused: %s", refused.reason)
        if refused.reason == "too_large":
            kind = "image" if payload["content_type"].startswith("image/") else "audio"
            limit = str(round(gateway.fetcher.limit_for(kind) / 1_000_000))
            _reply(gateway, payload, t("channels_media_too_large", language, limit=limit))
        elif refused.reason == "unsupported":
            _reply(gateway, payload, t("channels_media_unsupported", language))
        else:
            _reply(gateway, payload, t("channels_media_failed", language))
        return
    if downloaded.kind == "audio":
        _listen(gateway, payload, downloaded)
    else:
        _read(gateway, payload, downloaded)


def _read(gateway: Gateway, payload: dict[str, Any], downloaded: Downloaded) -> None:
    language = payload["language"]
    try:
        from engine.ocr import read_document
    except ImportError:
        log.error("engine.ocr is not available: cannot read documents")
        _reply(gateway, payload, t("channels_photo_unavailable", language))
        return
    try:
        image = pdf_first_page(downloaded.data) if downloaded.kind == "pdf" else downloaded.data
        result = read_document(image)
        summary = summarise(result, language)
        remember_medicines(gateway, payload["sender"], result.medications)
    except Exception as exc:  # noqa: BLE001 - any OCR failure is "could not read", said politely
        log.warning("reading a document failed: %s", type(exc).__name__)
        summary = ""
    _reply(gateway, payload, summary.strip() or t("channels_photo_unreadable", language))


def remember_medicines(gateway: Gateway, sender: str, medications: list[Any]) -> None:
    """Keep what the photo said for the next turns, so "where can I get these?" has an answer.

    The bot never sees the photo (the job answers it directly), and nothing is written to the
    health record here (that needs the patient's consent, which the conversation holds): the
    names only ride along as ``photo_medicines`` metadata for half an hour, like a pending voice
    transcript, under the sender's salted hash."""
    items = [{k: getattr(m, k, None) for k in ("name", "generic", "strength", "form")} for m in medications]
    if items:
        gateway.store.set(f"photo:{sender}", items[:10], ttl=PHOTO_MEDICINES_TTL)


@lru_cache(maxsize=4)
def _records(database_url: str) -> Any:
    """One records service per database for this process (its engine and key provider are reused)."""
    from records import RecordsService

    return RecordsService.from_settings(worker_gateway().settings)


def remember_phone(payload: dict[str, Any]) -> None:
    """Job after the bot promised a later message (a pickup notice): the records patient, known to
    the bot only by the sender pseudonym, gets the phone identity notifications are sent to."""
    gateway = worker_gateway()
    try:
        _records(gateway.settings.effective_database_url).link_phone(payload["address"])
    except Exception as exc:  # noqa: BLE001 - by type only; the chat itself is already answered
        log.warning("could not link the phone to the record: %s", type(exc).__name__)


def summarise(result: Any, language: str) -> str:
    """engine.meds' summary of the document; until it exists, the medicine names we read."""
    try:
        from engine.meds import summarise_document
    except ImportError:
        names = [m.name + (f" {m.strength}" if m.strength else "") for m in result.medications]
        if not names:
            return ""
        return t("channels_document_medicines", language, medicines=", ".join(names), first=result.medications[0].name)
    return summarise_document(result, language)


def pdf_first_page(data: bytes, dpi: int = 200) -> bytes:
    """PNG of a PDF's first page (poppler's pdftoppm), which the OCR engine reads like a photo."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="saathi-pdf-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(Path(tmp) / "page")], check=True, capture_output=True, timeout=60)
        return (Path(tmp) / "page.png").read_bytes()


def _listen(gateway: Gateway, payload: dict[str, Any], downloaded: Downloaded) -> None:
    from engine.speech import TranscriptionError, UnsupportedLanguage, transcribe

    language = payload["language"]
    try:
        transcript = transcribe(downloaded.data, language)
    except UnsupportedLanguage:
        _reply(gateway, payload, t("channels_voice_language_unsupported", language))
        return
    except TranscriptionError as exc:
        log.warning("voice note not transcribed: %s", type(exc).__name__)
        _reply(gateway, payload, t("channels_voice_not_heard", language))
        return
    if not transcript.text:
        _reply(gateway, payload, t("channels_voice_not_heard", language))
        return
    if sounds_like_emergency(transcript.text):
        # No confirmation round trip for an emergency: the bot's advice goes out at once.
        turn = conversation.ask(gateway, payload["sender"], transcript.text, payload.get("channel", "whatsapp"))
        _reply(gateway, payload, "\n\n".join(m.text for m in turn.messages if m.text))
        send_voice_reply({**payload, "language": turn.language,
                          "text": "\n".join(m.text for m in turn.messages if m.text)})
        return
    # Recognition is rough: echo it back and wait for "1" before it reaches the bot.
    gateway.store.set(f"voice:{payload['sender']}", transcript.text, ttl=VOICE_PENDING_TTL)
    _reply(gateway, payload, t("channels_voice_confirm", language, text=transcript.text))


def send_voice_reply(payload: dict[str, Any]) -> None:
    """The bot's answer to a voice note, also as a voice note (OGG/Opus, what WhatsApp plays)."""
    gateway = worker_gateway()
    name = speech_file(gateway.settings.var_dir, payload["text"], payload["language"], "ogg")
    gateway.sender.send_message(payload["address"], "", [gateway.public_url(f"/media/tts/{name}")],
                                from_=payload.get("to") or None)


