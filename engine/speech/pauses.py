"""A long voice note cut into parts at its pauses, so that Whisper decodes each part on its own.

Whisper base loops on a long Hindi note: an espeak-ng note of 12 short sentences (13-26 s) came
back as "नटर टी" over and over to the token cap, and every one was refused (bench/speech.py
``--long``). One decode of the whole note has to carry 200+ tokens without losing its place; a
few seconds of speech at a time is what the model does best (most of the set's short clips end
well below their cap). So a note longer than ``stt.SPLIT_ABOVE`` seconds is cut where the speaker
pauses, into parts of at most ``stt.PART_SECONDS``, found by the Silero VAD model that
faster-whisper ships inside its package (``faster_whisper/assets/silero_vad_v6.onnx``: no download;
the same model ``vad_filter`` already runs on every decode). Each part keeps half the pause on each
side, so no word is clipped; a stretch of speech with no pause at all is cut at the part length
(Silero's own rule: at its last silence of 98 ms or more, else hard).
"""

from __future__ import annotations

import io
import struct
import wave

RATE = 16000


def samples(wav16k: bytes):
    """The 16-bit PCM samples of a 16 kHz mono WAV (ffmpeg's pipe output: its header sizes are
    not to be trusted, so the ``data`` chunk is found by name and read to the end)."""
    import numpy as np

    at = 12
    while at + 8 <= len(wav16k):
        name, size = wav16k[at:at + 4], struct.unpack("<I", wav16k[at + 4:at + 8])[0]
        if name == b"data":
            pcm = wav16k[at + 8:]
            return np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
        at += 8 + size + size % 2
    return np.frombuffer(wav16k[44:][: (len(wav16k) - 44) // 2 * 2], dtype="<i2")


def to_wav(pcm) -> bytes:
    """A 16 kHz mono 16-bit WAV of ``pcm`` (what :func:`engine.speech.audio.convert` would give)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.astype("<i2").tobytes())
    return buffer.getvalue()


def cuts(pcm, longest: float) -> list[tuple[int, int]]:
    """(first, last) sample of each part: Silero's speech stretches (each at most ``longest``
    seconds), joined while a part stays within ``longest``, each part reaching to the middle of the
    pauses around it. The whole clip when no speech is found."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(pcm.astype("float32") / 32768.0, VadOptions(
        max_speech_duration_s=longest, min_silence_duration_ms=100, speech_pad_ms=100))
    if not stamps:
        return [(0, len(pcm))]
    groups: list[list[int]] = []
    for stamp in stamps:
        if groups and stamp["end"] - groups[-1][0] <= longest * RATE:
            groups[-1][1] = stamp["end"]
        else:
            groups.append([stamp["start"], stamp["end"]])
    bounds = [0] + [(left[1] + right[0]) // 2 for left, right in zip(groups, groups[1:], strict=False)] + [len(pcm)]
    return list(zip(bounds, bounds[1:], strict=False))


def split(wav16k: bytes, longest: float) -> list[bytes]:
    """``wav16k`` as WAVs of at most about ``longest`` seconds of speech each, cut at pauses."""
    pcm = samples(wav16k)
    return [to_wav(pcm[first:last]) for first, last in cuts(pcm, longest)]
