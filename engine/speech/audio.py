"""Audio conversion with the ffmpeg command line: one place that knows the codecs.

WhatsApp voice notes arrive as OGG/Opus, SMS/MMS audio as AMR, Twilio recordings as WAV/MP3;
whisper wants 16 kHz mono and WhatsApp wants OGG/Opus back, so everything passes through here.

ffmpeg never guesses what a file from a stranger is: the container is recognised here from its
first bytes among the few we accept and named with ``-f`` (a playlist such as HLS, which can pull
other files or URLs into the decode, is never opened), and ``-protocol_whitelist file,pipe``
keeps any nested open off the network. ffmpeg runs under a memory ceiling (:mod:`engine.sandbox`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from engine.sandbox import run_limited

#: ffmpeg output options per target format.
_TARGETS = {
    "wav16k": ["-ar", "16000", "-ac", "1", "-f", "wav"],
    "mp3": ["-ac", "1", "-codec:a", "libmp3lame", "-b:a", "48k", "-f", "mp3"],
    "ogg": ["-ac", "1", "-codec:a", "libopus", "-b:a", "24k", "-f", "ogg"],
}


class AudioError(RuntimeError):
    """ffmpeg could not read or write the audio (corrupt file, unknown codec)."""


class AudioFormatRefused(AudioError):
    """Not one of the audio containers we accept (by its first bytes), so never given to ffmpeg."""


def input_format(data: bytes) -> str:
    """ffmpeg's demuxer name for ``data``: OGG (Opus voice notes), WAV, AMR, MP3, ADTS AAC or an
    MP4/M4A/3GP container; AudioFormatRefused for anything else (playlists, text, other containers)."""
    head = data[:12]
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head[4:8] == b"ftyp":
        return "mov"  # ffmpeg's demuxer for mp4, m4a and 3gp
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio frame sync
        return "aac" if head[1] & 0x06 == 0 else "mp3"  # layer bits 00: ADTS AAC
    raise AudioFormatRefused("not an audio format we accept")


def convert(data: bytes, target: str, timeout: float = 60.0) -> bytes:
    """Convert audio ``data`` (see :func:`input_format`) to ``target`` (wav16k, mp3 or ogg)."""
    if target not in _TARGETS:
        raise ValueError(f"unknown audio target {target!r}")
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise AudioError("ffmpeg is not installed")
    fmt = input_format(data)
    with tempfile.TemporaryDirectory(prefix="saathi-audio-") as tmp:
        source = Path(tmp) / "in"
        source.write_bytes(data)
        try:
            result = run_limited([ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-protocol_whitelist", "file,pipe",
                                  "-f", fmt, "-i", str(source), *_TARGETS[target], "pipe:1"], timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise AudioError(f"ffmpeg took longer than {timeout:.0f} s") from exc
    if result.returncode != 0 or not result.stdout:
        raise AudioError(f"ffmpeg failed ({result.returncode}): {result.stderr.decode(errors='replace')[:200]}")
    return result.stdout


def duration_seconds(wav16k: bytes) -> float:
    """Length of a 16 kHz mono 16-bit WAV made by :func:`convert` (header bytes ignored)."""
    return max(0.0, (len(wav16k) - 44) / 32000)
