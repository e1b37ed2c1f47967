"""engine/speech: real faster-whisper on espeak-ng speech, and our TTS in every language."""

from __future__ import annotations

import json
import subprocess

import pytest

from engine.speech import UnsupportedLanguage, synthesize, transcribe
from engine.speech.models import fingerprint, install_whisper_base, is_installed
from engine.speech.prompts import symptom_prompt
from saathi.settings import load

PHRASES = {"hi": "मुझे दो दिन से बुखार और खांसी है", "pa": "ਮੈਨੂੰ ਦੋ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਹੈ", "en": "I have fever and cough"}


def _probe(data: bytes, tmp_path, suffix: str) -> dict:
    path = tmp_path / f"probe.{suffix}"
    path.write_bytes(data)
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=format_name,duration", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["format"]


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
@pytest.mark.parametrize("fmt", ["mp3", "ogg"])
def test_tts_makes_a_playable_file_in_each_language(language, fmt, tmp_path):
    audio = synthesize(PHRASES[language], language, fmt, engines=("gtts", "espeak"))
    info = _probe(audio.data, tmp_path, fmt)
    assert audio.engine in {"gtts", "espeak"} and fmt in info["format_name"]
    assert float(info["duration"]) > 1.0


@pytest.fixture(scope="module")
def model_dir():
    directory = load().effective_whisper_model_dir
    install_whisper_base(directory)
    return directory


def test_model_install_is_idempotent(model_dir):
    before = (model_dir / "model.bin").stat().st_mtime_ns
    assert install_whisper_base(model_dir) == model_dir and is_installed(model_dir)
    assert (model_dir / "model.bin").stat().st_mtime_ns == before
    assert (model_dir / "model.bin").stat().st_size > 140_000_000 and len(fingerprint(model_dir)) == 12


@pytest.mark.timeout(180)
def test_faster_whisper_hears_english_words_in_an_espeak_clip(model_dir):
    clip = synthesize("I have had a fever and a headache since yesterday", "en", "ogg", engines=("espeak",))
    transcript = transcribe(clip.data, "en")
    words = transcript.text.lower()
    assert "fever" in words and "headache" in words, transcript.text
    assert transcript.backend == "faster-whisper" and transcript.duration > 1.5


def test_punjabi_transcription_is_refused_not_guessed():
    with pytest.raises(UnsupportedLanguage):
        transcribe(b"", "pa")


def test_initial_prompt_is_in_the_users_script():
    assert "बुखार" in symptom_prompt("hi") and "ਬੁਖਾਰ" in symptom_prompt("pa") and "fever" in symptom_prompt("en")
