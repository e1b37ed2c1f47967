"""Audio conversion with the ffmpeg command line: one place that knows the codecs.

WhatsApp voice notes arrive as OGG/Opus, SMS/MMS audio as AMR, Twilio recordings as WAV/MP3;
whisper wants 16 kHz mono and WhatsApp wants OGG/Opus back, so everything passes through here.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: ffmpeg output options per target format.
_TARGETS = {
    "wav16k": ["-ar", "16000", "-ac", "1", "-f", "wav"],
    "mp3": ["-ac", "1", "-codec:a", "libmp3lame", "-b:a", "48k", "-f", "mp3"],
    "ogg": ["-ac", "1", "-codec:a", "libopus", "-b:a", "24k", "-f", "ogg"],
}


class AudioError(RuntimeError):
    """ffmpeg could not read or write the audio (corrupt file, unknown codec)."""


def convert(data: bytes, target: str, timeout: float = 60.0) -> bytes:
    """Convert audio ``data`` (any format ffmpeg reads) to ``target`` (wav16k, mp3 or ogg)."""
    if target not in _TARGETS:
        raise ValueError(f"unknown audio target {target!r}")
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise AudioError("ffmpeg is not installed")
    with tempfile.TemporaryDirectory(prefix="saathi-audio-") as tmp:
        source = Path(tmp) / "in"
        source.write_bytes(data)
        result = subprocess.run(
            [ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(source), *_TARGETS[target], "pipe:1"],
            capture_output=True, timeout=timeout, check=False,
        )
    if result.returncode != 0 or not result.stdout:
        raise AudioError(f"ffmpeg failed ({result.returncode}): {result.stderr.decode(errors='replace')[:200]}")
    return result.stdout


def duration_seconds(wav16k: bytes) -> float:
    """Length of a 16 kHz mono 16-bit WAV made by :func:`convert` (header bytes ignored)."""
    return max(0.0, (len(wav16k) - 44) / 32000)
