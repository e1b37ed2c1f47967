"""Our own speech audio, made once per text and served by the gateway (``/media/tts/<name>``).

The IVR ``<Play>``s it and WhatsApp voice replies link to it. Names are an HMAC of language and
text under ``SAATHI_TTS_SECRET`` (:func:`engine.speech.tts.cache_key`), so the same prompt is
synthesised once, while the URL, served without login, can be neither guessed from a sentence nor
traced back to one. Files named under an earlier secret (or the old unkeyed hash) are simply never
asked for again and go with the retention sweep. Files
unused for ``SAATHI_TTS_CACHE_DAYS`` are deleted (:mod:`channels.retention`) and made again on need.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from engine.speech.tts import cache_key, synthesize


def tts_dir(var_dir: Path) -> Path:
    return var_dir / "channels" / "tts"


def speech_file(var_dir: Path, text: str, language: str, fmt: str = "mp3", *, secret: str) -> str:
    """File name (under :func:`tts_dir`) of ``text`` spoken in ``language``; made if missing.
    ``secret`` is the settings' ``tts_secret``."""
    name = f"{cache_key(text, language, fmt, secret)}.{fmt}"
    path = tts_dir(var_dir) / name
    if path.exists():  # a hit counts as use: the retention sweep (channels/retention.py) keeps what is in use
        with contextlib.suppress(FileNotFoundError):  # pruned just now: made again below
            os.utime(path)
    if not path.exists():
        audio = synthesize(text, language, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(audio.data)
        tmp.replace(path)
    return name
