"""Text-to-speech: gTTS where Google is reachable, espeak-ng offline, ffmpeg to MP3/OGG.

The engine order is a setting (``SAATHI_TTS_ENGINES``, default ``gtts,espeak``); gTTS fails at
once without internet and the next engine is tried. espeak-ng is robotic but always there and
has Hindi, Punjabi and English voices. The output formats are what the channels need: MP3 for
Twilio ``<Play>``, OGG/Opus for WhatsApp voice notes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import shutil
import subprocess
from dataclasses import dataclass

from engine.speech.audio import convert

ESPEAK_VOICES = {"hi": "hi", "pa": "pa", "en": "en-us"}
GTTS_LANGS = {"hi": "hi", "pa": "pa", "en": "en"}
_SYMBOLS = re.compile(r"[\u2600-\u27BF\U0001F300-\U0001FAFF\uFE0F•·*_#]+")


class SpeechSynthesisError(RuntimeError):
    """No engine could speak the text."""


@dataclass(frozen=True)
class SpeechAudio:
    data: bytes
    format: str
    engine: str


def speakable(text: str) -> str:
    """Text without emoji and menu symbols, which engines read out literally ("bullet")."""
    return re.sub(r"\s+", " ", _SYMBOLS.sub(" ", text)).strip()


def cache_key(text: str, language: str, fmt: str, secret: str) -> str:
    """Stable name for the audio of ``text`` (the IVR caches and serves audio by this).

    An HMAC under a server secret (``SAATHI_TTS_SECRET``), not a plain hash: the audio is served
    without login and speaks health text ("your dengue test is positive"), so anyone able to hash
    a guessed sentence could otherwise fetch it, or tell from a name which sentence was spoken.
    128 bits of it are kept: enough that a name can be neither guessed nor collide."""
    if not secret:
        raise ValueError("the TTS naming secret is empty")
    message = f"{language}\x00{fmt}\x00{speakable(text)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _gtts(text: str, language: str) -> bytes:
    import io

    from gtts import gTTS

    buffer = io.BytesIO()
    gTTS(text, lang=GTTS_LANGS[language], timeout=5).write_to_fp(buffer)
    return buffer.getvalue()  # MP3


def _espeak(text: str, language: str) -> bytes:
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if not binary:
        raise SpeechSynthesisError("espeak-ng is not installed")
    result = subprocess.run(
        [binary, "-v", ESPEAK_VOICES[language], "-s", "150", "--stdout", text],
        capture_output=True, timeout=60, check=False,
    )
    if result.returncode != 0 or not result.stdout:
        raise SpeechSynthesisError(f"espeak-ng failed: {result.stderr.decode(errors='replace')[:200]}")
    return result.stdout  # WAV


_ENGINES = {"gtts": _gtts, "espeak": _espeak}


def synthesize(text: str, language: str, fmt: str = "mp3", engines: tuple[str, ...] | None = None) -> SpeechAudio:
    """Speak ``text`` in ``language`` (hi, pa, en) as ``fmt`` (mp3, ogg or wav16k)."""
    if engines is None:
        from config.settings import load

        engines = tuple(e.strip() for e in load().tts_engines.split(",") if e.strip())
    language = language if language in ESPEAK_VOICES else "en"
    clean = speakable(text)
    if not clean:
        raise SpeechSynthesisError("nothing to say")
    errors: list[str] = []
    for name in engines:
        try:
            raw = _ENGINES[name](clean, language)
            return SpeechAudio(data=convert(raw, fmt), format=fmt, engine=name)
        except Exception as exc:  # noqa: BLE001 - try the next engine; report all at the end
            errors.append(f"{name}: {type(exc).__name__}")
    raise SpeechSynthesisError("; ".join(errors) or "no TTS engine configured")
