"""The jobs: reading a photo or document, listening to a voice note, speaking a reply.

They run in the RQ worker (or a thread of the gateway) and answer through Twilio's REST API.
Nothing here logs a phone number or what the user said: only the kind of failure.
"""

from __future__ import annotations

import logging
from typing import Any

from channels import closed_questions, conversation
from channels.context import Gateway, worker_gateway
from channels.media import Downloaded, MediaRefused
from channels.rasa import BotMessage
from channels.safety import sounds_like_emergency
from channels.tts_cache import speech_file
from channels.types.sms.render import render_sms
from channels.types.whatsapp.render import split_long
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
        from engine.ocr import ImageTooLarge, read_document
    except ImportError:
        log.error("engine.ocr is not available: cannot read documents")
        _reply(gateway, payload, t("channels_photo_unavailable", language))
        return
    try:
        image = pdf_first_page(downloaded.data) if downloaded.kind == "pdf" else downloaded.data
        result = read_document(image)
        summary = summarise(result, language)
        remember_medicines(gateway, payload["sender"], result.medications)
    except ImageTooLarge as exc:  # refused from the header: nothing was decoded
        log.warning("photo refused: more pixels than the limit")
        _reply(gateway, payload, t("channels_photo_too_many_pixels", language,
                                   megapixels=str(round(exc.limit / 1_000_000))))
        return
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


def remember_phone(payload: dict[str, Any]) -> None:
    """Job after the bot promised a later message (a pickup notice): the records patient, known to
    the bot only by the sender pseudonym, gets the phone identity notifications are sent to."""
    gateway = worker_gateway()
    try:
        gateway.services.records.link_phone(payload["address"])
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


#: the longer side of a rendered PDF page, in pixels: what OCR works at (engine.ocr.preprocess)
PDF_PAGE_PIXELS = 2000


def pdf_first_page(data: bytes, long_side: int = PDF_PAGE_PIXELS) -> bytes:
    """PNG of a PDF's first page (poppler's pdftoppm), which the OCR engine reads like a photo.

    Scaled to ``long_side`` pixels whatever the page size says (a fixed DPI turned a 200-inch page
    into a 40000-pixel square), under the helpers' memory ceiling and a time limit."""
    import tempfile
    from pathlib import Path

    from engine.sandbox import run_limited

    with tempfile.TemporaryDirectory(prefix="saathi-pdf-") as tmp:
        source, page = Path(tmp) / "in.pdf", Path(tmp) / "page"
        source.write_bytes(data)
        done = run_limited(["pdftoppm", "-png", "-scale-to", str(long_side), "-f", "1", "-l", "1", "-singlefile",
                            str(source), str(page)], timeout=60)
        if done.returncode != 0 or not page.with_suffix(".png").exists():
            raise ValueError(f"pdftoppm failed ({done.returncode})")
        return page.with_suffix(".png").read_bytes()


def _listen(gateway: Gateway, payload: dict[str, Any], downloaded: Downloaded) -> None:
    from engine.speech import TranscriptionError, UnsupportedAudio, UnsupportedLanguage, transcribe
    from engine.speech.stt import confident_text

    language = payload["language"]
    try:
        transcript = transcribe(downloaded.data, language, min_logprob=None)
        text = confident_text(transcript)
        kind = gateway.store.get(closed_questions.ASKED_KEY.format(sender=payload["sender"]))
        emergency = bool(text) and sounds_like_emergency(text)  # answered at once, as said
        heard = None if emergency else closed_questions.hear(downloaded.data, language, kind, transcript, text)
    except UnsupportedLanguage:
        _reply(gateway, payload, t("channels_voice_language_unsupported", language))
        return
    except UnsupportedAudio:  # e.g. a playlist posing as a voice note: never handed to ffmpeg to guess
        log.warning("voice note refused: not an audio format we accept")
        _reply(gateway, payload, t("channels_media_unsupported", language))
        return
    except TranscriptionError as exc:
        log.warning("voice note not transcribed: %s", type(exc).__name__)
        _reply(gateway, payload, t("channels_voice_not_heard", language))
        return
    if heard:  # one of the last question's answers was said (channels.closed_questions)
        gateway.store.set(f"voice:{payload['sender']}", heard.sent, ttl=VOICE_PENDING_TTL)
        _reply(gateway, payload, t("channels_voice_confirm", language, text=heard.said))
        return
    if not text:
        _reply(gateway, payload, t("channels_voice_not_heard", language))
        return
    if sounds_like_emergency(text):
        # No confirmation round trip for an emergency: the bot's advice goes out at once.
        turn = conversation.ask(gateway, payload["sender"], text, payload.get("channel", "whatsapp"))
        _reply(gateway, payload, "\n\n".join(m.text for m in turn.messages if m.text))
        send_voice_reply({**payload, "language": turn.language,
                          "text": "\n".join(m.text for m in turn.messages if m.text)})
        return
    # Recognition is rough: echo it back and wait for "1" before it reaches the bot.
    gateway.store.set(f"voice:{payload['sender']}", text, ttl=VOICE_PENDING_TTL)
    _reply(gateway, payload, t("channels_voice_confirm", language, text=text))


def send_voice_reply(payload: dict[str, Any]) -> None:
    """The bot's answer to a voice note, also as a voice note (OGG/Opus, what WhatsApp plays)."""
    gateway = worker_gateway()
    name = speech_file(gateway.settings.var_dir, payload["text"], payload["language"], "ogg",
                       secret=gateway.settings.tts_secret)
    gateway.sender.send_message(payload["address"], "", [gateway.public_url(f"/media/tts/{name}")],
                                from_=payload.get("to") or None)


