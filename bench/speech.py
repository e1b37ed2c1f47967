"""Speech-to-text benchmark: WER/CER and seconds per audio second on a synthetic speech set.

    .venv/bin/python bench/speech.py [--speeds 130 175] [--only pa] [--show-errors]

The set is built here with espeak-ng's hi, pa and en voices (the only offline TTS voices on these
machines): short utterances a patient says to the bot (symptoms, durations and ages, yes/no),
at several speeds, each as wideband 16 kHz (a WhatsApp voice note) and as 8 kHz narrowband with a
300-3400 Hz telephone band and a little line noise (an IVR recording). Each clip goes through
``engine.speech.transcribe`` exactly as the channels call it (guards included), once per decoding
setting: Hindi and English decode as themselves; Punjabi decodes as ``pa`` and as ``hi`` mapped to
Gurmukhi through the symptom lexicon (``engine.speech.script``); each with and without the
symptom-word ``initial_prompt``.

Scores: word and character error rate against the reference after removing punctuation, folding
nukta/case and writing Indic digits as ASCII; "refused" counts transcripts the guards turned into ""
(the caller is asked again; a refused clip counts as all words wrong); the starred columns add the
log-probability floor (``stt.MIN_LOGPROB``); "sec/sec" is transcription time per second of audio
(2 threads, int8), "p95 s" the 95th percentile seconds per clip.
espeak-ng is robotic, so absolute figures are pessimistic for real voices; they compare settings.
Not a test: it prints figures (see the README's speech section for the last run).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.speech import stt  # noqa: E402
from engine.speech.models import install_whisper_base  # noqa: E402

#: (kind, Hindi, Punjabi, English): the same meaning in each language, as a patient would say it.
UTTERANCES = [
    ("symptom", "मुझे बुखार है", "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", "I have fever"),
    ("symptom", "मुझे खांसी है", "ਮੈਨੂੰ ਖੰਘ ਹੈ", "I have a cough"),
    ("symptom", "सिर में दर्द है", "ਸਿਰ ਵਿੱਚ ਦਰਦ ਹੈ", "I have a headache"),
    ("symptom", "पेट में दर्द है", "ਢਿੱਡ ਵਿੱਚ ਦਰਦ ਹੈ", "I have stomach pain"),
    ("symptom", "दस्त लग रहे हैं", "ਦਸਤ ਲੱਗੇ ਹੋਏ ਹਨ", "I have loose motions"),
    ("symptom", "उल्टी हो रही है", "ਉਲਟੀ ਆ ਰਹੀ ਹੈ", "I am vomiting"),
    ("symptom", "सांस लेने में तकलीफ है", "ਸਾਹ ਲੈਣ ਵਿੱਚ ਤਕਲੀਫ ਹੈ", "I have difficulty breathing"),
    ("symptom", "सीने में दर्द है", "ਛਾਤੀ ਵਿੱਚ ਦਰਦ ਹੈ", "I have chest pain"),
    ("symptom", "चक्कर आ रहे हैं", "ਚੱਕਰ ਆ ਰਹੇ ਹਨ", "I feel dizzy"),
    ("symptom", "बदन दर्द और कमजोरी है", "ਸਰੀਰ ਦਰਦ ਅਤੇ ਕਮਜ਼ੋਰੀ ਹੈ", "body ache and weakness"),
    ("symptom", "गले में खराश है", "ਗਲੇ ਵਿੱਚ ਖਰਾਸ਼ ਹੈ", "I have a sore throat"),
    ("symptom", "बच्चे को तेज बुखार है", "ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ", "my child has high fever"),
    ("number", "दो दिन से", "ਦੋ ਦਿਨਾਂ ਤੋਂ", "for two days"),
    ("number", "तीन दिन से बुखार है", "ਤਿੰਨ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਹੈ", "fever for three days"),
    ("number", "एक हफ्ते से", "ਇੱਕ ਹਫ਼ਤੇ ਤੋਂ", "for one week"),
    ("number", "कल से", "ਕੱਲ੍ਹ ਤੋਂ", "since yesterday"),
    ("number", "मेरी उम्र पैंतालीस साल है", "ਮੇਰੀ ਉਮਰ ਪੰਤਾਲੀ ਸਾਲ ਹੈ", "I am forty five years old"),
    ("number", "पांच साल का बच्चा", "ਪੰਜ ਸਾਲ ਦਾ ਬੱਚਾ", "a five year old child"),
    ("yesno", "हां", "ਹਾਂ", "yes"),
    ("yesno", "नहीं", "ਨਹੀਂ", "no"),
    ("yesno", "हां सही है", "ਹਾਂ ਠੀਕ ਹੈ", "yes that is right"),
    ("yesno", "नहीं गलत है", "ਨਹੀਂ ਗਲਤ ਹੈ", "no that is wrong"),
]
LANGUAGES = {"hi": 1, "pa": 2, "en": 3}
VOICES = {"hi": "hi", "pa": "pa", "en": "en-us"}
#: (user language, decode as, with the symptom-word prompt) measured.
SETTINGS = [("hi", "hi", True), ("hi", "hi", False), ("en", "en", True), ("en", "en", False),
            ("pa", "pa", False), ("pa", "hi", True), ("pa", "hi", False)]
_DIGITS = str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789")


@dataclass(frozen=True)
class Clip:
    language: str
    text: str
    kind: str
    speed: int
    band: str  # "wide" (16 kHz voice note) or "phone" (8 kHz telephone band)
    path: Path


def _render(text: str, language: str, speed: int, band: str, path: Path) -> None:
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", VOICES[language], "-s", str(speed), "-w", str(raw), text], check=True)
    if band == "wide":
        args = ["-ar", "16000", "-ac", "1"]
    else:  # telephone: 300-3400 Hz, 8 kHz, a little noise mixed in
        args = ["-filter_complex",
                "[0:a]highpass=f=300,lowpass=f=3400,aresample=8000[v];"
                "anoisesrc=color=pink:amplitude=0.01:sample_rate=8000[n];"
                "[v][n]amix=inputs=2:duration=first:normalize=0",
                "-ar", "8000", "-ac", "1"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), *args, str(path)], check=True)
    raw.unlink()


def build_set(directory: Path, speeds: list[int], only: set[str]) -> list[Clip]:
    clips = []
    for index, (kind, *texts) in enumerate(UTTERANCES):
        for language, column in LANGUAGES.items():
            if only and language not in only:
                continue
            for speed in speeds:
                for band in ("wide", "phone"):
                    path = directory / f"{language}-{index:02d}-{speed}-{band}.wav"
                    _render(texts[column - 1], language, speed, band, path)
                    clips.append(Clip(language, texts[column - 1], kind, speed, band, path))
    return clips


def normal_words(text: str) -> list[str]:
    """Words compared: NFC, nukta folded, lowercased, punctuation (and danda) removed, ASCII digits."""
    text = unicodedata.normalize("NFD", text.translate(_DIGITS).lower())
    text = "".join(ch for ch in text if ch not in "\u093c\u0a3c")  # nukta
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch if (ch.isalnum() or unicodedata.category(ch).startswith("M")) else " " for ch in text)
    return kept.split()


def edits(ref: list, hyp: list) -> int:
    """Levenshtein distance between two sequences."""
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeds", type=int, nargs="+", default=[130, 175])
    parser.add_argument("--only", nargs="*", default=[], help="languages to run (default: all)")
    parser.add_argument("--show-errors", action="store_true", help="print each wrong transcript")
    parser.add_argument("--shipped", action="store_true",
                        help="only the setting engine.speech.stt ships per language (DECODE_AS, PROMPTED)")
    args = parser.parse_args()
    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is needed (apt-get install espeak-ng)")
    from config.settings import load

    install_whisper_base(load().effective_whisper_model_dir)
    engine = stt.backend()
    with tempfile.TemporaryDirectory() as tmp:
        clips = build_set(Path(tmp), args.speeds, set(args.only))
        per_language = {lang: sum(c.language == lang for c in clips) // (2 * len(args.speeds)) for lang in LANGUAGES}
        print(f"speech set: {len(clips)} clips; utterances per language {per_language}; "
              f"speeds {args.speeds}; bands wide (16 kHz) and phone (8 kHz, 300-3400 Hz, noise)", flush=True)
        engine.transcribe_wav(stt.convert(clips[0].path.read_bytes(), "wav16k"), "en", "", 32)  # warm-up
        print(f"{'language':8} {'decode':6} {'prompt':6} {'band':5} {'clips':>5} {'WER':>6} {'CER':>6} {'refused':>7} "
              f"{'WER*':>6} {'CER*':>6} {'refused*':>8} {'sec/sec':>7} {'p95 s':>6}")
        print(f"  (* = with the log-probability floor {stt.MIN_LOGPROB}; without it otherwise)")
        settings = SETTINGS
        if args.shipped:
            settings = [(lang, stt.DECODE_AS[lang], stt.PROMPTED[stt.DECODE_AS[lang]]) for lang in LANGUAGES]
        for language, decode, prompted in settings:
            for band in ("wide", "phone"):
                chosen = [c for c in clips if c.language == language and c.band == band]
                if chosen:
                    _score(engine, chosen, language, decode, prompted, band, args.show_errors)


def _score(engine, chosen: list[Clip], language: str, decode: str, prompted: bool, band: str, show: bool) -> None:
    words = chars = 0
    errors = {floor: [0, 0, 0] for floor in (False, True)}  # word errors, char errors, refused
    audio = spent = 0.0
    times = []
    for clip in chosen:
        start = time.perf_counter()
        result = stt.transcribe(clip.path, language, engine=engine, decode_as=decode, min_logprob=None,
                                prompted=prompted)
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
        audio += result.duration
        ref = normal_words(clip.text)
        words += len(ref)
        chars += len("".join(ref))
        for floor in (False, True):
            text = "" if floor and result.text and result.logprob < stt.MIN_LOGPROB[language] else result.text
            hyp = normal_words(text)
            errors[floor][0] += edits(ref, hyp)
            errors[floor][1] += edits(list("".join(ref)), list("".join(hyp)))
            errors[floor][2] += not text
        if show and ref != normal_words(result.text):
            print(f"    {language}/{decode}/{'p' if prompted else '-'}/{band}/{clip.speed}: {clip.text!r} -> {result.text!r} "
                  f"(logprob {result.logprob:.2f}; raw {result.raw[:60]!r})", flush=True)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    (w0, c0, r0), (w1, c1, r1) = errors[False], errors[True]
    print(f"{language:8} {decode:6} {'yes' if prompted else 'no':6} {band:5} {len(chosen):5d} {w0 / words:6.2f} {c0 / chars:6.2f} {r0:7d} "
          f"{w1 / words:6.2f} {c1 / chars:6.2f} {r1:8d} {spent / audio:7.2f} {p95:6.2f}", flush=True)


if __name__ == "__main__":
    main()
