"""Speech-to-text behind a small adapter interface.

The default backend is faster-whisper (CTranslate2, int8 on CPU, no torch). openai-whisper can be
plugged in where its weights exist (``SAATHI_WHISPER_BACKEND=openai-whisper``). Decoding options
come from measurements on these machines (see /work/shared/facts.md): the language is always
forced (auto-detection called Hindi "Thai"), ``temperature=0`` and
``condition_on_previous_text=False`` (the temperature fallback loop took 36-54 s on a 1.2 s clip),
``vad_filter=True``, and an ``initial_prompt`` of symptom words in the user's script.
Punjabi from the base model is unusable, so it is refused with :class:`UnsupportedLanguage` and
the channels offer the keypad or text instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from engine.speech.audio import convert, duration_seconds
from engine.speech.models import ModelMissing, is_installed
from engine.speech.prompts import symptom_prompt

#: Languages the base model transcribes well enough to be worth confirming with the user.
SUPPORTED = ("hi", "en")


class TranscriptionError(RuntimeError):
    """The audio could not be transcribed (unreadable file, model missing)."""


class UnsupportedLanguage(TranscriptionError):
    """The installed model cannot transcribe this language usefully."""


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration: float
    backend: str


class Backend(Protocol):
    name: str

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str) -> str: ...


class FasterWhisperBackend:
    """faster-whisper on CPU; the model is loaded once per process (1.5 s) and shared."""

    name = "faster-whisper"

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        if not is_installed(model_dir):
            raise ModelMissing(f"no speech model in {model_dir}; run `saathi models install`")
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads)
        self._lock = threading.Lock()  # CTranslate2 models are not meant for concurrent generate calls

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str) -> str:
        import io

        with self._lock:
            segments, _info = self.model.transcribe(
                io.BytesIO(wav16k), language=language, initial_prompt=prompt, vad_filter=True,
                temperature=0.0, condition_on_previous_text=False, beam_size=1,
            )
            return " ".join(segment.text.strip() for segment in segments).strip()


class OpenAIWhisperBackend:
    """openai-whisper (torch), for machines that have its weights; same options."""

    name = "openai-whisper"

    def __init__(self, model_name: str = "base") -> None:
        import whisper  # type: ignore[import-not-found]

        self.model = whisper.load_model(model_name)

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str) -> str:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".wav") as handle:
            handle.write(wav16k)
            handle.flush()
            result = self.model.transcribe(
                handle.name, language=language, initial_prompt=prompt, temperature=0.0,
                condition_on_previous_text=False, fp16=False,
            )
        return str(result.get("text", "")).strip()


_BACKENDS: dict[tuple[str, str], Backend] = {}
_BACKENDS_LOCK = threading.Lock()


def backend(name: str | None = None, model_dir: Path | None = None) -> Backend:
    """The process-wide backend for these settings (loaded on first use)."""
    from saathi.settings import load

    settings = load()
    name = name or settings.whisper_backend
    model_dir = model_dir or settings.effective_whisper_model_dir
    key = (name, str(model_dir))
    with _BACKENDS_LOCK:
        if key not in _BACKENDS:
            if name == "openai-whisper":
                _BACKENDS[key] = OpenAIWhisperBackend()
            elif name == "faster-whisper":
                _BACKENDS[key] = FasterWhisperBackend(model_dir)
            else:
                raise TranscriptionError(f"unknown speech backend {name!r}")
        return _BACKENDS[key]


def transcribe(audio: bytes | Path, language: str, engine: Backend | None = None) -> Transcript:
    """Text spoken in ``audio`` (any format ffmpeg reads), in ``language`` (hi or en)."""
    if language not in SUPPORTED:
        raise UnsupportedLanguage(language)
    data = audio.read_bytes() if isinstance(audio, Path) else audio
    try:
        wav = convert(data, "wav16k")
    except Exception as exc:  # noqa: BLE001 - any decoding failure means "could not hear it"
        raise TranscriptionError(str(exc)) from exc
    engine = engine or backend()
    text = engine.transcribe_wav(wav, language, symptom_prompt(language))
    return Transcript(text=text, language=language, duration=duration_seconds(wav), backend=engine.name)
