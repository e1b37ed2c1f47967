"""Speech for the voice channels: speech-to-text (faster-whisper) and text-to-speech (gTTS, espeak-ng).

Plain Python, no Flask or Rasa: the gateway, the RQ worker and the IVR all call these functions.
"""

from engine.speech.stt import (
    Transcript,
    TranscriptionError,
    UnsupportedAudio,
    UnsupportedLanguage,
    transcribe,
)
from engine.speech.tts import SpeechAudio, synthesize

__all__ = [
    "SpeechAudio",
    "Transcript",
    "TranscriptionError",
    "UnsupportedAudio",
    "UnsupportedLanguage",
    "synthesize",
    "transcribe",
]
