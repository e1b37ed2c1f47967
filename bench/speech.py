"""Speech-to-text benchmark: WER/CER and seconds per audio second on a synthetic speech set.

    .venv/bin/python bench/speech.py [--shipped] [--only pa] [--show-errors] [--note]

The set is built here with espeak-ng's hi, pa and en voices (the only offline TTS voices on these
machines): 62 short utterances per language a patient says to the bot (symptoms, durations, ages
and readings, yes/no, village and town names), each spoken by one of several espeak-ng variants
(speed 120-180 words a minute, pitch 30-80, cycled over the utterances so every kind gets each),
each as wideband 16 kHz (a WhatsApp voice note) and as an 8 kHz phone line: 300-3400 Hz band,
pink line noise, G.711 mu-law (what an IVR recording went through). Each clip goes through
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
``--note`` also times a 10-second voice note per language (OGG/Opus, as WhatsApp sends it) through
``transcribe`` with the model already loaded (as in the media worker): the first reply to a voice
note is the "I heard: ..." confirmation, which waits only for this.
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
    ("symptom", "मुझे जुकाम है", "ਮੈਨੂੰ ਜ਼ੁਕਾਮ ਹੈ", "I have a cold"),
    ("symptom", "नाक बह रही है", "ਨੱਕ ਵਗ ਰਿਹਾ ਹੈ", "my nose is running"),
    ("symptom", "कमर में दर्द है", "ਕਮਰ ਵਿੱਚ ਦਰਦ ਹੈ", "I have back pain"),
    ("symptom", "घुटनों में दर्द है", "ਗੋਡਿਆਂ ਵਿੱਚ ਦਰਦ ਹੈ", "my knees hurt"),
    ("symptom", "पेशाब में जलन है", "ਪਿਸ਼ਾਬ ਵਿੱਚ ਜਲਣ ਹੈ", "it burns when I pass urine"),
    ("symptom", "भूख नहीं लगती", "ਭੁੱਖ ਨਹੀਂ ਲੱਗਦੀ", "I do not feel hungry"),
    ("symptom", "नींद नहीं आती", "ਨੀਂਦ ਨਹੀਂ ਆਉਂਦੀ", "I cannot sleep"),
    ("symptom", "शरीर पर दाने हैं", "ਸਰੀਰ ਉੱਤੇ ਦਾਣੇ ਹਨ", "I have a rash on my body"),
    ("symptom", "आंखों में जलन है", "ਅੱਖਾਂ ਵਿੱਚ ਜਲਣ ਹੈ", "my eyes are burning"),
    ("symptom", "कान में दर्द है", "ਕੰਨ ਵਿੱਚ ਦਰਦ ਹੈ", "I have ear pain"),
    ("symptom", "दांत में दर्द है", "ਦੰਦ ਵਿੱਚ ਦਰਦ ਹੈ", "I have a toothache"),
    ("symptom", "बहुत कमजोरी लग रही है", "ਬਹੁਤ ਕਮਜ਼ੋਰੀ ਲੱਗ ਰਹੀ ਹੈ", "I feel very weak"),
    ("symptom", "सूखी खांसी है", "ਸੁੱਕੀ ਖੰਘ ਹੈ", "I have a dry cough"),
    ("symptom", "बुखार के साथ ठंड लग रही है", "ਬੁਖਾਰ ਨਾਲ ਠੰਢ ਲੱਗ ਰਹੀ ਹੈ", "fever with chills"),
    ("symptom", "पैरों में सूजन है", "ਪੈਰਾਂ ਵਿੱਚ ਸੋਜ ਹੈ", "my feet are swollen"),
    ("symptom", "मुंह में छाले हैं", "ਮੂੰਹ ਵਿੱਚ ਛਾਲੇ ਹਨ", "I have mouth ulcers"),
    ("number", "चार दिन से", "ਚਾਰ ਦਿਨਾਂ ਤੋਂ", "for four days"),
    ("number", "दस दिन हो गए", "ਦਸ ਦਿਨ ਹੋ ਗਏ", "it has been ten days"),
    ("number", "आज सुबह से", "ਅੱਜ ਸਵੇਰ ਤੋਂ", "since this morning"),
    ("number", "एक महीने से", "ਇੱਕ ਮਹੀਨੇ ਤੋਂ", "for one month"),
    ("number", "मेरी उम्र साठ साल है", "ਮੇਰੀ ਉਮਰ ਸੱਠ ਸਾਲ ਹੈ", "I am sixty years old"),
    ("number", "बच्चा दो साल का है", "ਬੱਚਾ ਦੋ ਸਾਲ ਦਾ ਹੈ", "the child is two years old"),
    ("number", "मैं तीस साल की हूं", "ਮੈਂ ਤੀਹ ਸਾਲ ਦੀ ਹਾਂ", "I am thirty years old"),
    ("number", "बुखार एक सौ दो है", "ਬੁਖਾਰ ਇੱਕ ਸੌ ਦੋ ਹੈ", "the fever is one hundred and two"),
    ("number", "शुगर दो सौ है", "ਸ਼ੂਗਰ ਦੋ ਸੌ ਹੈ", "my sugar is two hundred"),
    ("number", "तीन बार उल्टी हुई", "ਤਿੰਨ ਵਾਰ ਉਲਟੀ ਹੋਈ", "I vomited three times"),
    ("yesno", "जी हां", "ਜੀ ਹਾਂ", "yes please"),
    ("yesno", "बिल्कुल नहीं", "ਬਿਲਕੁਲ ਨਹੀਂ", "not at all"),
    ("yesno", "हां डॉक्टर से बात करनी है", "ਹਾਂ ਡਾਕਟਰ ਨਾਲ ਗੱਲ ਕਰਨੀ ਹੈ", "yes I want to talk to a doctor"),
    ("yesno", "नहीं दवाई नहीं ली", "ਨਹੀਂ ਦਵਾਈ ਨਹੀਂ ਲਈ", "no I did not take the medicine"),
    ("yesno", "ठीक है", "ਠੀਕ ਹੈ", "okay"),
    ("yesno", "पता नहीं", "ਪਤਾ ਨਹੀਂ", "I do not know"),
    ("place", "मैं धूरी से हूं", "ਮੈਂ ਧੂਰੀ ਤੋਂ ਹਾਂ", "I am from Dhuri"),
    ("place", "संगरूर", "ਸੰਗਰੂਰ", "Sangrur"),
    ("place", "लुधियाना के पास", "ਲੁਧਿਆਣੇ ਦੇ ਨੇੜੇ", "near Ludhiana"),
    ("place", "गांव खन्ना", "ਪਿੰਡ ਖੰਨਾ", "Khanna village"),
    ("place", "बरनाला ज़िला", "ਬਰਨਾਲਾ ਜ਼ਿਲ੍ਹਾ", "Barnala district"),
    ("place", "मलेरकोटला से", "ਮਲੇਰਕੋਟਲੇ ਤੋਂ", "from Malerkotla"),
    ("place", "सुनाम में रहते हैं", "ਸੁਨਾਮ ਵਿੱਚ ਰਹਿੰਦੇ ਹਾਂ", "we live in Sunam"),
    ("place", "पटियाला अस्पताल", "ਪਟਿਆਲਾ ਹਸਪਤਾਲ", "Patiala hospital"),
]
LANGUAGES = {"hi": 1, "pa": 2, "en": 3}
VOICES = {"hi": "hi", "pa": "pa", "en": "en-us"}
#: espeak-ng (words per minute, pitch 0-99) variants; utterance i is spoken by variant i mod 4.
VARIANTS = [(150, 50), (120, 30), (180, 70), (135, 80)]
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
    pitch: int
    band: str  # "wide" (16 kHz voice note) or "phone" (8 kHz telephone band)
    path: Path


def _render(text: str, language: str, speed: int, pitch: int, band: str, path: Path, codec: list[str] | None = None) -> None:
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", VOICES[language], "-s", str(speed), "-p", str(pitch), "-w", str(raw), text],
                   check=True)
    if band == "wide":
        args = ["-ar", "16000", "-ac", "1"]
    else:  # telephone: 300-3400 Hz, 8 kHz, line noise mixed in, G.711 mu-law
        args = ["-filter_complex",
                "[0:a]highpass=f=300,lowpass=f=3400,aresample=8000[v];"
                "anoisesrc=color=pink:amplitude=0.01:sample_rate=8000[n];"
                "[v][n]amix=inputs=2:duration=first:normalize=0",
                "-ar", "8000", "-ac", "1", "-c:a", "pcm_mulaw"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), *args, *(codec or []), str(path)], check=True)
    raw.unlink()


def build_set(directory: Path, only: set[str], limit: int | None = None) -> list[Clip]:
    clips = []
    for index, (kind, *texts) in enumerate(UTTERANCES[:limit]):
        speed, pitch = VARIANTS[index % len(VARIANTS)]
        for language, column in LANGUAGES.items():
            if only and language not in only:
                continue
            for band in ("wide", "phone"):
                path = directory / f"{language}-{index:02d}-{band}.wav"
                _render(texts[column - 1], language, speed, pitch, band, path)
                clips.append(Clip(language, texts[column - 1], kind, speed, pitch, band, path))
    return clips


def time_note(engine, directory: Path, language: str, seconds: float = 10.0) -> None:
    """Seconds from a ~10 s OGG/Opus voice note to its transcript (the confirmation's only wait)."""
    column = LANGUAGES[language]
    texts = [row[column] for row in UTTERANCES[:12]]
    note = directory / f"note-{language}.ogg"
    _render(". ".join(texts), language, 150, 50, "wide", note, ["-t", str(seconds), "-c:a", "libopus", "-b:a", "24k"])
    start = time.perf_counter()
    result = stt.transcribe(note, language, engine=engine)
    elapsed = time.perf_counter() - start
    print(f"note {language}: {result.duration:.1f} s of audio -> transcript in {elapsed:.1f} s "
          f"({elapsed / result.duration:.2f}x the note's length; {'refused' if not result.text else 'read back'})",
          flush=True)


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
    parser.add_argument("--only", nargs="*", default=[], help="languages to run (default: all)")
    parser.add_argument("--show-errors", action="store_true", help="print each wrong transcript")
    parser.add_argument("--shipped", action="store_true",
                        help="only the setting engine.speech.stt ships per language (DECODE_AS, PROMPTED)")
    parser.add_argument("--setting", nargs="*", default=[], metavar="LANG:DECODE:PROMPT",
                        help="only these settings, e.g. pa:pa:no pa:hi:yes")
    parser.add_argument("--note", action="store_true", help="also time a 10 s voice note per language")
    parser.add_argument("--limit", type=int, help="only the first N utterances (a quick check of the bench itself)")
    args = parser.parse_args()
    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is needed (apt-get install espeak-ng)")
    from config.settings import load

    install_whisper_base(load().effective_whisper_model_dir)
    engine = stt.backend()
    with tempfile.TemporaryDirectory() as tmp:
        clips = build_set(Path(tmp), set(args.only), args.limit)
        per_language = {lang: sum(c.language == lang for c in clips) // 2 for lang in LANGUAGES}
        print(f"speech set: {len(clips)} clips; utterances per language {per_language}; espeak-ng (speed, pitch) "
              f"{VARIANTS}; bands wide (16 kHz) and phone (8 kHz, 300-3400 Hz, noise, mu-law)", flush=True)
        engine.transcribe_wav(stt.convert(clips[0].path.read_bytes(), "wav16k"), "en", "", 32)  # warm-up
        if args.note:
            for language in LANGUAGES:
                if not args.only or language in args.only:
                    time_note(engine, Path(tmp), language)
        print(f"{'language':8} {'decode':6} {'prompt':6} {'band':5} {'clips':>5} {'WER':>6} {'CER':>6} {'refused':>7} "
              f"{'WER*':>6} {'CER*':>6} {'refused*':>8} {'sec/sec':>7} {'p95 s':>6}")
        print(f"  (* = with the log-probability floor {stt.MIN_LOGPROB}; without it otherwise)")
        settings = SETTINGS
        if args.shipped:
            settings = [(lang, stt.DECODE_AS[lang], stt.PROMPTED[stt.DECODE_AS[lang]]) for lang in LANGUAGES]
        if args.setting:
            settings = [(lang, decode, prompt == "yes") for lang, decode, prompt in (s.split(":") for s in args.setting)]
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
            print(f"    {language}/{decode}/{'p' if prompted else '-'}/{band}/{clip.speed}/{clip.pitch}: {clip.text!r} -> {result.text!r} "
                  f"(logprob {result.logprob:.2f}; raw {result.raw[:60]!r})", flush=True)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    (w0, c0, r0), (w1, c1, r1) = errors[False], errors[True]
    print(f"{language:8} {decode:6} {'yes' if prompted else 'no':6} {band:5} {len(chosen):5d} {w0 / words:6.2f} {c0 / chars:6.2f} {r0:7d} "
          f"{w1 / words:6.2f} {c1 / chars:6.2f} {r1:8d} {spent / audio:7.2f} {p95:6.2f}", flush=True)


if __name__ == "__main__":
    main()
