"""Speech-to-text benchmark: WER/CER and seconds per audio second on a synthetic speech set.

    .venv/bin/python bench/speech.py [--shipped] [--only pa] [--half tune|held] [--save F.jsonl] [--note]
    .venv/bin/python bench/speech.py --floors F.jsonl [F2.jsonl ...]   # choose the floors, no decoding

The set is built here with espeak-ng's hi, pa and en voices (the only offline TTS voices on these
machines): 62 short utterances per language a patient says to the bot (symptoms, durations, ages
and readings, yes/no, village and town names), each spoken by one of several espeak-ng variants
(speed 120-180 words a minute, pitch 30-80, cycled over the utterances so every kind gets each),
each as wideband 16 kHz (a WhatsApp voice note) and as an 8 kHz phone line: 300-3400 Hz band,
pink line noise, G.711 mu-law (what an IVR recording went through). Each clip goes through
``engine.speech.transcribe`` exactly as the channels call it (guards included), once per decoding
setting: Hindi and English decode as themselves; Punjabi decodes as ``pa`` and as ``hi`` mapped to
Gurmukhi through the symptom lexicon (``engine.speech.script``); each with and without the
symptom-word ``initial_prompt`` and the ``hotwords`` (places, answer and number words from data/,
``engine.speech.prompts``).

Tuning and held-out halves: utterance i is in the tuning half when (i + i // 4) is even, so each
half has every kind and every espeak-ng variant. Settings and the log-probability floors are chosen
on the tuning half only (``--half tune``, then ``--floors`` over the saved records); the held-out
half (``--half held``) is run with what was chosen and reported beside it.

Scores: word and character error rate against the reference after removing punctuation, folding
nukta/case and writing Indic digits as ASCII; "refused" counts transcripts the guards turned into ""
(the caller is asked again; a refused clip counts as all words wrong); the starred columns add the
log-probability floor (``stt.MIN_LOGPROB``); "sec/sec" is transcription time per second of audio
(2 threads, int8), "p95 s" the 95th percentile seconds per clip.
espeak-ng is robotic, so absolute figures are pessimistic for real voices; they compare settings.
``--note`` (alone) times a 10-second voice note per language (OGG/Opus, as WhatsApp sends it) stage
by stage, as the media worker handles it with the model already loaded (``time_note``): the first
reply to a voice note is the "I heard: ..." confirmation, which waits only for these stages.
Not a test: it prints figures (see the README's speech section for the last run).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.speech import closed, stt  # noqa: E402
from engine.speech import symptoms as speech_symptoms  # noqa: E402
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
#: Festival voices (Debian festvox-*; ``--voice festival``): a second, differently made voice. Debian
#: has a Hindi one (festvox-hi-nsk, a diphone voice from IIIT Hyderabad), none for Punjabi.
FESTIVAL_VOICES = {"hi": "voice_hindi_NSK_diphone"}
#: espeak-ng (words per minute, pitch 0-99) variants; utterance i is spoken by variant i mod 4.
VARIANTS = [(150, 50), (120, 30), (180, 70), (135, 80)]
#: (user language, decode as, with the symptom-word prompt) measured.
SETTINGS = [("hi", "hi", True, False), ("hi", "hi", True, True), ("hi", "hi", False, True),
            ("en", "en", True, False), ("en", "en", True, True),
            ("pa", "hi", True, False), ("pa", "hi", True, True), ("pa", "pa", True, True), ("pa", "pa", False, True),
            ("pa", "pa", False, False)]
#: A read-back transcript is "right" (the caller can confirm it) at or below this character error rate.
RIGHT_CER = 0.25
#: Floors tried by --floors (None: no floor).
FLOORS = [None, -1.2, -1.0, -0.9, -0.8, -0.7, -0.6, -0.55, -0.5, -0.45, -0.4, -0.35, -0.3]
#: The answer each utterance gives to the closed question of its kind (yes/no, a number, the picture
#: menu's symptom groups, a town of the gazetteer); an index not listed answers none of them (chest
#: pain is not on the menu, "since yesterday" has no number, Patiala is not a served town), so
#: anything heard for it is wrong. Labels of the test set, the same meaning in every language.
CLOSED_GOLD = {
    0: "1", 1: "2", 2: "3", 3: "4", 4: "5", 5: "6", 6: "8", 9: "7", 11: "1", 29: "9", 34: "2", 35: "1",
    12: "2", 13: "3", 14: "1", 16: "45", 17: "5", 38: "4", 39: "10", 41: "1", 42: "60", 43: "2", 44: "30",
    45: "102", 46: "200", 47: "3",
    18: "yes", 19: "no", 20: "yes", 21: "no", 48: "yes", 49: "no", 50: "yes", 51: "no", 52: "yes",
    54: "Dhuri", 55: "Sangrur", 56: "Ludhiana", 57: "Khanna", 60: "Sunam",
}
#: The symptoms each utterance names (data/symptoms.tsv codes, labelled by hand from the sentences'
#: meaning, the same in every language; either of two codes where both fit: "कमजोरी" is weakness,
#: fatigue, "आंखों में जलन" red or painful eyes), with the general codes they imply. An utterance not
#: listed names none: any symptom read back for it is wrong.
SYMPTOM_GOLD: dict[int, tuple[str, ...]] = {
    0: ("fever",), 1: ("cough",), 2: ("headache",), 3: ("abdominal_pain",), 4: ("diarrhoea",), 5: ("vomiting",),
    6: ("breathlessness",), 7: ("chest_pain",), 8: ("dizziness",), 9: ("body_ache", "fatigue"),
    10: ("sore_throat",), 11: ("fever",), 13: ("fever",), 22: ("runny_nose", "sneezing"), 23: ("runny_nose",),
    24: ("back_pain",), 25: ("joint_pain",), 26: ("burning_urination",), 27: ("loss_of_appetite",),
    28: ("insomnia",), 29: ("rash",), 30: ("eye_pain", "eye_redness"), 31: ("ear_pain",), 32: ("toothache",),
    33: ("fatigue",), 34: ("dry_cough", "cough"), 35: ("fever", "chills"), 36: ("swelling_legs",),
    37: ("mouth_ulcer",), 45: ("fever",), 46: ("high_blood_sugar",), 47: ("vomiting",),
}
#: Guards tried by --symptoms: log-probability floors (None: none) and the most symptoms per read-back.
SYMPTOM_FLOORS = [None, -1.5, -1.2, -1.0, -0.9, -0.8, -0.7, -0.6, -0.5]
SYMPTOM_MOST = [1, 2, 3, 5]
#: Least evidence (nats, engine.speech.symptoms.Route.evidence) tried by --symptoms (None: not scored).
SYMPTOM_EVIDENCE = [None, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0]
#: Similarities tried by --symptoms (engine.speech.symptoms.Route.similar; with None, exact forms only).
SYMPTOM_SIMILAR = list(speech_symptoms.SIMILARITIES)
#: A wrong symptom read back costs this many right ones (the caller says "2" and is asked again, but
#: a tired caller may confirm it): the guards are chosen for right - WRONG_COST * wrong.
WRONG_COST = 3
#: Scored with the end of transcript after each answer (True) or as its start only (False); the end
#: token cost more than the answer itself on the first clips tried (-28 on "ਹਾਂ ਜੀ"), so only False.
ENDINGS = (False,)
#: Leads (nats) over the next answer tried by --closed-report.
MARGINS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
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
    index: int = 0

    @property
    def half(self) -> str:
        return half(self.index)


def half(index: int) -> str:
    """"tune" or "held" for utterance ``index`` (alternating within each run of the four variants)."""
    return "tune" if (index + index // 4) % 2 == 0 else "held"


def _festival(text: str, language: str, speed: int, pitch: int, raw: Path) -> None:
    """Festival's diphone voice: speed as a duration stretch (150 words a minute is 1.0), pitch 0-99
    as a falling contour from 90-140 Hz (festival's DuffInt: the voice's own intonation tree is
    missing from the Debian package, without which it says nothing)."""
    start = 90 + pitch // 2
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        subprocess.run(["text2wave", "-eval", f"({FESTIVAL_VOICES[language]})",
                        "-eval", "(Parameter.set 'Int_Method 'DuffInt)",
                        "-eval", f"(set! duffint_params '((start {start}) (end {start - 30})))",
                        "-eval", f"(Parameter.set 'Duration_Stretch {150 / speed:.2f})",
                        handle.name, "-o", str(raw)], check=True, capture_output=True)


def _render(text: str, language: str, speed: int, pitch: int, band: str, path: Path, codec: list[str] | None = None,
            voice: str = "espeak") -> None:
    raw = path.with_suffix(".raw.wav")
    if voice == "festival":
        _festival(text, language, speed, pitch, raw)
    else:
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


def build_set(directory: Path, only: set[str], limit: int | None = None, which: str = "all",
              voice: str = "espeak") -> list[Clip]:
    clips = []
    for index, (kind, *texts) in enumerate(UTTERANCES[:limit]):
        if which != "all" and half(index) != which:
            continue
        speed, pitch = VARIANTS[index % len(VARIANTS)]
        for language, column in LANGUAGES.items():
            if (only and language not in only) or (voice == "festival" and language not in FESTIVAL_VOICES):
                continue
            for band in ("wide", "phone"):
                path = directory / f"{language}-{index:02d}-{band}.wav"
                _render(texts[column - 1], language, speed, pitch, band, path, voice=voice)
                clips.append(Clip(language, texts[column - 1], kind, speed, pitch, band, path, index))
    return clips


def _cpu() -> tuple[float, float]:
    """(this process's CPU seconds, all threads; its finished children's CPU seconds: ffmpeg)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


class Stages:
    """CPU seconds (this process + children) and wall seconds per named stage, summed over repeats."""

    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = {}
        self.wall: dict[str, list[float]] = {}

    def run(self, name: str, call, *args, **kwargs):
        own, kids = _cpu()
        start = time.perf_counter()
        result = call(*args, **kwargs)
        wall = time.perf_counter() - start
        own2, kids2 = _cpu()
        self.cpu.setdefault(name, []).append(own2 - own + kids2 - kids)
        self.wall.setdefault(name, []).append(wall)
        return result

    def report(self, title: str, audio_seconds: float) -> None:
        print(f"  {title}: median of {len(next(iter(self.cpu.values())))} runs, load {os.getloadavg()[0]:.1f} "
              f"(1 min), {audio_seconds:.1f} s of audio", flush=True)
        print(f"    {'stage':44} {'CPU s':>7} {'wall s':>7} {'CPU/2':>6}", flush=True)
        for name in self.cpu:
            cpu, wall = statistics.median(self.cpu[name]), statistics.median(self.wall[name])
            print(f"    {name:44} {cpu:7.2f} {wall:7.2f} {cpu / 2:6.2f}", flush=True)


def render_note(directory: Path, language: str, seconds: float = 10.0) -> Path:
    """A ~``seconds`` OGG/Opus voice note (what WhatsApp sends) of the first symptom utterances."""
    column = LANGUAGES[language]
    texts = [row[column] for row in UTTERANCES[:12]]
    note = directory / f"note-{language}.ogg"
    _render(". ".join(texts), language, 150, 50, "wide", note, ["-t", str(seconds), "-c:a", "libopus", "-b:a", "24k"])
    return note


def _cleaned(pieces: list, duration: float, language: str, decode: str) -> str:
    """What ``stt.transcribe`` makes of a decode before the floor (the lexicon mapping for Punjabi)."""
    from engine.speech.script import hindi_decoded_as_punjabi

    text = stt.clean(pieces, duration, None, decode)
    return hindi_decoded_as_punjabi(text) if language != decode else text


def time_note(engine, directory: Path, language: str, seconds: float = 10.0, repeats: int = 3) -> None:
    """A 10 s voice note through what the media worker does before its first reply
    (channels.work._listen), stage by stage, as CPU seconds (load-independent; with 2 cores, CPU/2
    is the quiet-machine floor of wall time) and wall seconds: loading Whisper (RQ forks a work horse
    per job, so every voice note loads the model: CTranslate2 hangs in a child forked after the
    parent used it, so it cannot be loaded once before the fork), ffmpeg's conversion, Whisper's
    transcription (then its parts again one by one: audio decoding, VAD, log-Mel features, the
    encoder over the 30 s window, the decoder by difference), cleaning and the lexicon mapping, the
    emergency check, the closed-answer scores (only when the transcript is refused and the last
    question was yes/no or the symptom menu; "before": the priors computed, as in every fresh work
    horse, and the clip converted again; "after": the stored priors and the transcript's WAV),
    the confirmation's text. The media download (Twilio's network) is not counted."""
    import dataclasses
    import io

    import numpy as np
    from faster_whisper.audio import decode_audio, pad_or_trim
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    from channels import closed_questions
    from channels.safety import sounds_like_emergency
    from config.settings import load
    from engine.i18n import t
    from engine.speech.prompts import symptom_prompt

    note = render_note(directory, language, seconds)
    data = note.read_bytes()
    decode = stt.DECODE_AS[language]
    sounds_like_emergency("warm-up")  # the red-flag tables: imported by the worker before it forks
    stages = Stages()
    kinds = [kind for kind in ("yesno", "symptom") if (language, kind) in closed.HOW]
    for _ in range(repeats):
        stages.run("0 Whisper model load (every work horse)", stt.FasterWhisperBackend,
                   load().effective_whisper_model_dir)
        wav = stages.run("1 ffmpeg ogg -> 16 kHz wav", stt.convert, data, "wav16k")
        duration = stt.duration_seconds(wav)
        prompt = symptom_prompt(decode) if stt.PROMPTED[decode] else ""
        pieces = stages.run("2 Whisper transcribe (2a-2e)", engine.transcribe_wav, wav, decode, prompt,
                            stt.token_cap(duration, decode, language), stt.hotwords_for(language, decode))
        model = engine.model
        audio = stages.run("  2a audio decode (PyAV)", decode_audio, io.BytesIO(wav), sampling_rate=16000)
        spans = stages.run("  2b VAD (Silero)", get_speech_timestamps, audio, VadOptions())
        speech = np.concatenate(collect_chunks(audio, spans)[0], axis=0) if spans else audio
        features = stages.run("  2c log-Mel features", model.feature_extractor, speech)
        stages.run("  2d encoder, 30 s window", model.encode, pad_or_trim(features))
        text = stages.run("3 clean + lexicon mapping", _cleaned, pieces, duration, language, decode)
        transcript = stt.Transcript(text, language, duration, engine.name,
                                    logprob=stt.mean_logprob(stt._kept(pieces)), wav16k=wav)
        usable = stt.confident_text(transcript)
        stages.run("4 emergency check (red flags)", sounds_like_emergency, usable or text)
        for kind in kinds:  # before and after, interleaved
            closed._PRIORS.clear()  # a fresh work horse
            fingerprint, engine.fingerprint = engine.fingerprint, None  # the stored priors unused
            stages.run(f"5 closed {kind}, before", closed_questions.hear, data, language, kind,
                       dataclasses.replace(transcript, wav16k=b""), "")
            engine.fingerprint = fingerprint
            closed._PRIORS.clear()
            stages.run(f"5 closed {kind}, after", closed_questions.hear, data, language, kind, transcript, "")
        stages.run("6 confirmation text", t, "channels_voice_confirm", language, text=usable or "...")
    cpu, wall = stages.cpu, stages.wall
    parts = ["  2a audio decode (PyAV)", "  2b VAD (Silero)", "  2c log-Mel features", "  2d encoder, 30 s window"]
    cpu["  2e decoder (by difference)"] = [total - sum(cpu[p][i] for p in parts)
                                           for i, total in enumerate(cpu["2 Whisper transcribe (2a-2e)"])]
    wall["  2e decoder (by difference)"] = [0.0] * repeats
    stages.report(f"note {language} ({'refused' if not usable else 'read back'}, {len(text.split())} words)", duration)
    first = ["0 Whisper model load (every work horse)", "1 ffmpeg ogg -> 16 kHz wav", "2 Whisper transcribe (2a-2e)",
             "3 clean + lexicon mapping", "4 emergency check (red flags)", "6 confirmation text"]
    total_cpu = sum(statistics.median(cpu[s]) for s in first)
    total_wall = sum(statistics.median(wall[s]) for s in first)
    print(f"    first reply (transcript read back): CPU {total_cpu:.2f} s (floor {total_cpu / 2:.2f} s wall on 2 "
          f"cores), wall {total_wall:.2f} s = {total_wall / duration:.2f}x the note", flush=True)
    for kind in kinds:
        before, after = (statistics.median(cpu[f"5 closed {kind}, {when}"]) for when in ("before", "after"))
        walls = [statistics.median(wall[f"5 closed {kind}, {when}"]) for when in ("before", "after")]
        print(f"    refused, {kind} question: + CPU {before:.2f} -> {after:.2f} s; first reply wall "
              f"{(total_wall + walls[0]) / duration:.2f}x -> {(total_wall + walls[1]) / duration:.2f}x the note",
              flush=True)


#: Utterances per long note (--long): about 18-26 s of espeak-ng speech with its sentence pauses.
LONG_UTTERANCES = 10


def long_note_texts(language: str, which: str, count: int) -> list[tuple[int, list[int], str]]:
    """``count`` long notes per half (``which``: tune, held or all): (note number, the utterances
    it strings together, the text). Each half's notes use only that half's symptom and number
    utterances (22 each), :data:`LONG_UTTERANCES` in a row from a different place for each note."""
    column = LANGUAGES[language]
    notes = []
    for part in ("tune", "held"):
        if which not in ("all", part):
            continue
        pool = [i for i, row in enumerate(UTTERANCES) if row[0] in ("symptom", "number") and half(i) == part]
        for k in range(count):
            chosen = [pool[(k * 7 + j) % len(pool)] for j in range(LONG_UTTERANCES)]
            notes.append((k, chosen, ". ".join(UTTERANCES[i][column] for i in chosen)))
    return notes


class _Remembered:
    """An engine whose decodes are remembered, so that the same part under two join rules
    (``SECONDS:all`` and ``SECONDS:drop``) is decoded once; everything else passes through."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.memo: dict[tuple, list] = {}

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str, max_tokens: int, hotwords: str = "") -> list:
        import hashlib

        key = (hashlib.sha256(wav16k).hexdigest(), language, prompt, max_tokens, hotwords)
        if key not in self.memo:
            self.memo[key] = self.engine.transcribe_wav(wav16k, language, prompt, max_tokens, hotwords)
        return self.memo[key]


def _split_setting(name: str) -> tuple[float | None, float, str]:
    """(stt.SPLIT_ABOVE, stt.PART_SECONDS, stt.PART_REFUSED) for a --splits name: "none" (one
    decode of the whole note) or "SECONDS:all|drop" (parts of at most SECONDS, every note split)."""
    if name == "none":
        return None, stt.PART_SECONDS, stt.PART_REFUSED
    seconds, refused = name.split(":")
    return 0.0, float(seconds), refused


def long_notes(engine, directory: Path, languages: list[str], count: int, which: str, splits: list[str],
               bands: list[str], save: Path | None) -> None:
    """``count`` long notes per language, half and band (:func:`long_note_texts`, each note in its
    own espeak-ng variant), each decoded once per ``splits`` setting (interleaved note by note, so
    load changes hit them alike) through ``stt.transcribe`` as the channels call it: WER and CER
    without and with the shipped floor, refusals, right / wrong read-backs (CER <= / > RIGHT_CER),
    for a language with a symptom route (Punjabi) the symptoms read back from a refused transcript
    (right when every one is named by the note's utterances), and CPU per audio second (this
    process and its ffmpeg children)."""
    from engine.speech import symptoms

    kept = stt.SPLIT_ABOVE, stt.PART_SECONDS, stt.PART_REFUSED
    records = []
    engine = _Remembered(engine)
    try:
        for language in languages:
            for k, chosen, text in long_note_texts(language, which, count):
                speed, pitch = VARIANTS[k % len(VARIANTS)]
                part = half(chosen[0])
                gold = {code for i in chosen for code in SYMPTOM_GOLD.get(i, ())}
                for band in bands:
                    path = directory / f"long-{language}-{part}-{k}-{band}.wav"
                    _render(text, language, speed, pitch, band, path)
                    engine.memo.clear()
                    first_cpu: dict[str, float] = {}  # a remembered decode costs what its first run did
                    for name in splits:
                        stt.SPLIT_ABOVE, stt.PART_SECONDS, stt.PART_REFUSED = _split_setting(name)
                        own, kids = _cpu()
                        start = time.perf_counter()
                        result = stt.transcribe(path, language, engine=engine, min_logprob=None)
                        wall = time.perf_counter() - start
                        own2, kids2 = _cpu()
                        usable = stt.confident_text(result)
                        codes = [] if usable else symptoms.heard(result, engine=engine)
                        record = {"setting": f"{language}:split {name}", "language": language, "band": band,
                                  "half": part, "index": k, "ref": text, "text": result.text, "raw": result.raw,
                                  "logprob": result.logprob, "duration": result.duration, "seconds": wall,
                                  "cpu": first_cpu.setdefault(name.split(":")[0], own2 - own + kids2 - kids),
                                  "symptoms": codes,
                                  "symptoms_right": bool(codes) and set(codes) <= gold,
                                  "symptoms_wrong": bool(codes) and not set(codes) <= gold}
                        records.append(record)
                        if save:
                            with save.open("a", encoding="utf-8") as out:
                                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                        print(f"  {language}-{part}-{k}-{band} {name}: {result.duration:.1f} s, "
                              f"{record['cpu'] / result.duration:.2f} CPU s/s, refused {not result.text}, "
                              f"read back {bool(usable)}, symptoms {codes}", flush=True)
    finally:
        stt.SPLIT_ABOVE, stt.PART_SECONDS, stt.PART_REFUSED = kept
    long_report(records)


def long_report(records: list[dict]) -> None:
    """One row per setting, half and band of :func:`long_notes`'s records (also from --long-report)."""
    _header(f"with the shipped floor {stt.MIN_LOGPROB}; long notes")
    for setting in dict.fromkeys(r["setting"] for r in records):
        mine = [r for r in records if r["setting"] == setting]
        for _, _, rows in _halves_and_bands(mine):
            _row(rows, stt.MIN_LOGPROB[rows[0]["language"]])
            if any("symptoms" in r for r in rows):
                print(f"    symptoms read back from refused transcripts: right {sum(r['symptoms_right'] for r in rows)}, "
                      f"wrong {sum(r['symptoms_wrong'] for r in rows)} of {len(rows)} notes", flush=True)


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


def _setting_name(setting: tuple[str, str, bool, bool | str]) -> str:
    language, decode, prompted, hot = setting
    hot_name = "sym" if hot == "symptoms" else "yes" if hot else "no"
    return f"{language}:{decode}:{'yes' if prompted else 'no'}:{hot_name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="languages to run (default: all)")
    parser.add_argument("--show-errors", action="store_true", help="print each wrong transcript")
    parser.add_argument("--shipped", action="store_true",
                        help="only the setting engine.speech.stt ships per language (DECODE_AS, PROMPTED, HOTWORDS)")
    parser.add_argument("--setting", nargs="*", default=[], metavar="LANG:DECODE:PROMPT:HOTWORDS",
                        help="only these settings, e.g. pa:pa:no:yes pa:hi:yes:no (HOTWORDS sym: the symptom names)")
    parser.add_argument("--long", type=int, default=0, metavar="N",
                        help="only decode N long notes (18-26 s) per language, half and band, once per --splits "
                             "setting: WER/CER, refusals, read-backs, CPU per audio second")
    parser.add_argument("--splits", nargs="*", default=["none", f"{stt.PART_SECONDS:g}:{stt.PART_REFUSED}"],
                        metavar="none|SECONDS:all|drop", help="with --long: one decode, or parts cut at pauses")
    parser.add_argument("--bands", nargs="*", default=["wide", "phone"], help="with --long: the bands")
    parser.add_argument("--long-report", nargs="*", type=Path, default=[], metavar="F.jsonl",
                        help="no decoding: the long-note rows of records saved by --long --save")
    parser.add_argument("--symptom-scores", nargs="*", type=Path, default=[], metavar="F.jsonl",
                        help="score the symptoms found in these saved transcripts against their clips (rendered "
                             "again) and write F.scored.jsonl for --symptoms")
    parser.add_argument("--symptoms", nargs="*", type=Path, default=[], metavar="F.jsonl",
                        help="no decoding: symptoms read back from the saved transcripts (engine.speech.symptoms); "
                             "choose its guards on the tuning half and print both halves")
    parser.add_argument("--scoring-only", action="store_true",
                        help="with --symptoms: choose only how symptoms are scored and their evidence threshold, "
                             "the shipped route's other guards kept")
    parser.add_argument("--half", choices=("tune", "held", "all"), default="all",
                        help="the tuning half, the held-out half or both (default)")
    parser.add_argument("--save", type=Path, help="append one JSON line per decoded clip (for --floors)")
    parser.add_argument("--floors", nargs="*", type=Path, default=[],
                        help="no decoding: choose each setting's log-probability floor on the tuning half of these "
                             "saved records and print both halves with it")
    parser.add_argument("--closed", type=Path, metavar="F.jsonl",
                        help="closed questions: save each clip's transcript and answer scores to F.jsonl")
    parser.add_argument("--closed-report", nargs="*", type=Path, default=[], metavar="F.jsonl",
                        help="no decoding: choose the closed-answer thresholds on the tuning half and report")
    parser.add_argument("--kinds", nargs="*", default=["yesno", "symptom", "number", "place"],
                        help="with --closed: the kinds of question, in this order")
    parser.add_argument("--voice", choices=("espeak", "festival"), default="espeak",
                        help="the synthetic voice of the set (festival: Hindi only)")
    parser.add_argument("--note", action="store_true",
                        help="only time a 10 s voice note per language, stage by stage (CPU and wall seconds)")
    parser.add_argument("--repeats", type=int, default=3, help="with --note: runs per note (medians reported)")
    parser.add_argument("--limit", type=int, help="only the first N utterances (a quick check of the bench itself)")
    parser.add_argument("--tokens", action="store_true",
                        help="no decoding: decoder tokens a right transcript needs per second of each clip")
    parser.add_argument("--token-rates", nargs="*", default=[], metavar="RATE",
                        help="with --shipped: decode every clip once per rate (stt.TOKENS_PER_SECOND of the "
                             "language, 'none' for the per-word cap alone), interleaved clip by clip")
    args = parser.parse_args()
    if args.closed_report:
        closed_report([json.loads(line) for path in args.closed_report
                       for line in path.read_text(encoding="utf-8").splitlines()], args.shipped)
        return
    if args.symptom_scores:
        for path in args.symptom_scores:
            score_symptoms(path)
        return
    if args.symptoms:
        symptom_report([json.loads(line) for path in args.symptoms
                        for line in path.read_text(encoding="utf-8").splitlines()], args.shipped, args.scoring_only)
        return
    if args.long_report:
        long_report([json.loads(line) for path in args.long_report for line in path.read_text(encoding="utf-8").splitlines()])
        return
    if args.floors:
        records = [json.loads(line) for path in args.floors for line in path.read_text(encoding="utf-8").splitlines()]
        choose_floors(records)
        return
    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is needed (apt-get install espeak-ng)")
    if args.voice == "festival" and not shutil.which("text2wave"):
        sys.exit("festival is needed (apt-get install festival festvox-hi-nsk)")
    from config.settings import load

    install_whisper_base(load().effective_whisper_model_dir)
    engine = stt.backend()
    if args.long:
        with tempfile.TemporaryDirectory() as tmp:
            long_notes(engine, Path(tmp), [lang for lang in LANGUAGES if not args.only or lang in args.only], args.long,
                       args.half, args.splits, args.bands, args.save)
        return
    if args.note:
        with tempfile.TemporaryDirectory() as tmp:
            engine.transcribe_wav(stt.convert(render_note(Path(tmp), "en", 2.0).read_bytes(), "wav16k"), "en", "", 32)
            for language in LANGUAGES:
                if not args.only or language in args.only:
                    time_note(engine, Path(tmp), language, repeats=args.repeats)
        return
    with tempfile.TemporaryDirectory() as tmp:
        clips = build_set(Path(tmp), set(args.only), args.limit, args.half, args.voice)
        per_language = {lang: sum(c.language == lang for c in clips) // 2 for lang in LANGUAGES}
        print(f"speech set ({args.half}): {len(clips)} clips; utterances per language {per_language}; {args.voice} "
              f"(speed, pitch) {VARIANTS}; bands wide (16 kHz) and phone (8 kHz, 300-3400 Hz, noise, mu-law)",
              flush=True)
        if args.tokens:
            token_needs(engine, clips)
            return
        engine.transcribe_wav(stt.convert(clips[0].path.read_bytes(), "wav16k"), "en", "", 32)  # warm-up
        if args.closed:
            run_closed(engine, clips, args.closed, args.kinds)
            return
        settings = SETTINGS
        if args.shipped:
            settings = [(lang, stt.DECODE_AS[lang], stt.PROMPTED[stt.DECODE_AS[lang]], stt.HOTWORDS[lang])
                        for lang in LANGUAGES]
        if args.setting:
            settings = [(lang, decode, prompt == "yes", "symptoms" if hot == "sym" else hot == "yes")
                        for lang, decode, prompt, hot in (s.split(":") for s in args.setting)]
        _header(f"with the shipped floor {stt.MIN_LOGPROB}")
        for setting in settings:
            if args.only and setting[0] not in args.only:
                continue
            for band in ("wide", "phone"):
                chosen = [c for c in clips if c.language == setting[0] and c.band == band]
                if chosen and args.token_rates:
                    compare_rates(engine, chosen, setting, args.token_rates, args.save, args.show_errors)
                elif chosen:
                    records = [_decode(engine, clip, setting, args.show_errors) for clip in chosen]
                    if args.save:
                        with args.save.open("a", encoding="utf-8") as out:
                            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
                    _row(records, stt.MIN_LOGPROB[setting[0]])


def token_needs(engine, clips: list[Clip]) -> None:
    """Per language, half and band: the decoder tokens the reference needs in the decoding script
    (Punjabi decodes as Hindi: its reference written in Devanagari), per second of the clip, and the
    lowest ``stt.TOKENS_PER_SECOND`` (with ``stt.TOKENS_SLACK``) that leaves room for every clip."""
    from engine.speech.script import gurmukhi_to_devanagari

    encode = engine.model.hf_tokenizer.encode
    print(f"{'lang':4} {'half':4} {'band':5} {'clips':>5} {'s p50':>6} {'tok p50':>7} {'tok max':>7} "
          f"{'tok/s p50':>9} {'tok/s max':>9} {'rate needed':>11}")
    for language in LANGUAGES:
        for part in ("tune", "held"):
            for band in ("wide", "phone"):
                mine = [c for c in clips if c.language == language and c.half == part and c.band == band]
                if not mine:
                    continue
                rows = []
                for clip in mine:
                    text = gurmukhi_to_devanagari(clip.text) if stt.DECODE_AS[language] == "hi" else clip.text
                    duration = stt.duration_seconds(stt.convert(clip.path.read_bytes(), "wav16k"))
                    rows.append((duration, len(encode(" " + text).ids)))
                rates = [n / d for d, n in rows]
                needed = max((n - stt.TOKENS_SLACK) / d for d, n in rows)
                print(f"{language:4} {part:4} {band:5} {len(rows):5d} {statistics.median(d for d, _ in rows):6.2f} "
                      f"{statistics.median(n for _, n in rows):7.1f} {max(n for _, n in rows):7d} "
                      f"{statistics.median(rates):9.1f} {max(rates):9.1f} {needed:11.1f}", flush=True)


def compare_rates(engine, clips: list[Clip], setting: tuple[str, str, bool, bool], rates: list[str],
                  save: Path | None, show: bool) -> None:
    """Each clip decoded once per token rate (interleaved, so load changes hit them alike); a row per
    rate with the shipped floor. The rate is restored afterwards."""
    language = setting[0]
    kept = stt.TOKENS_PER_SECOND.get(language)
    records: dict[str, list[dict]] = {rate: [] for rate in rates}
    try:
        for clip in clips:
            for rate in rates:
                stt.TOKENS_PER_SECOND.pop(language, None)
                if rate != "none":
                    stt.TOKENS_PER_SECOND[language] = float(rate)
                record = _decode(engine, clip, setting, show)
                record["setting"] += f"@{rate}"
                records[rate].append(record)
    finally:
        stt.TOKENS_PER_SECOND.pop(language, None)
        if kept is not None:
            stt.TOKENS_PER_SECOND[language] = kept
    for rate in rates:
        if save:
            with save.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records[rate])
        for part in ("tune", "held"):
            rows = [r for r in records[rate] if r["half"] == part]
            if rows:
                _row(rows, stt.MIN_LOGPROB[language])


def _decode(engine, clip: Clip, setting: tuple[str, str, bool, bool], show: bool) -> dict:
    """One clip through ``transcribe`` as the channels call it, without the floor (applied when scoring)."""
    language, decode, prompted, hot = setting
    own, kids = _cpu()
    start = time.perf_counter()
    result = stt.transcribe(clip.path, language, engine=engine, decode_as=decode, min_logprob=None,
                            prompted=prompted, hotwords=hot)
    elapsed = time.perf_counter() - start
    own2, kids2 = _cpu()
    if show and normal_words(clip.text) != normal_words(result.text):
        print(f"    {_setting_name(setting)}/{clip.band}/{clip.speed}/{clip.pitch}: {clip.text!r} -> {result.text!r} "
              f"(logprob {result.logprob:.2f}; raw {result.raw[:60]!r})", flush=True)
    return {"setting": _setting_name(setting), "language": language, "band": clip.band, "index": clip.index,
            "half": clip.half, "ref": clip.text, "text": result.text, "raw": result.raw, "logprob": result.logprob,
            "seconds": elapsed, "cpu": own2 - own + kids2 - kids, "duration": result.duration,
            "tokens": len(engine.model.hf_tokenizer.encode(" " + result.raw).ids) if result.raw else 0,
            "cap": stt.token_cap(result.duration, decode, language)}


def _score(records: list[dict], floor: float | None) -> dict:
    """Error rates of ``records`` with a transcript below ``floor`` refused (a refusal is all words wrong)."""
    words = chars = word_errors = char_errors = refused = right = wrong = 0
    for record in records:
        text = "" if floor is not None and record["text"] and record["logprob"] < floor else record["text"]
        ref, hyp = normal_words(record["ref"]), normal_words(text)
        ref_chars = list("".join(ref))
        char_edits = edits(ref_chars, list("".join(hyp)))
        words += len(ref)
        chars += len(ref_chars)
        word_errors += edits(ref, hyp)
        char_errors += char_edits
        refused += not text
        if text:
            right += char_edits <= RIGHT_CER * len(ref_chars)
            wrong += char_edits > RIGHT_CER * len(ref_chars)
    return {"wer": word_errors / words, "cer": char_errors / chars, "refused": refused, "right": right, "wrong": wrong}


def _header(floors: str) -> None:
    print(f"{'setting (lang:decode:prompt:hotwords)':38} {'half':4} {'band':5} {'clips':>5} {'WER':>6} {'CER':>6} "
          f"{'refused':>7} {'WER*':>6} {'CER*':>6} {'refused*':>8} {'right*':>6} {'wrong*':>6} {'sec/sec':>7} {'p95 s':>6} {'cpu/sec':>7} {'tokens':>6}")
    print(f"  (* = {floors}; without a floor otherwise; right/wrong = read back with CER <= / > {RIGHT_CER})")


def _row(records: list[dict], floor: float | None) -> None:
    bare, floored = _score(records, None), _score(records, floor)
    times = [r["seconds"] for r in records]
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    halves = {r["half"] for r in records}
    first = records[0]
    print(f"{first['setting']:38} {halves.pop() if len(halves) == 1 else 'all':4} {first['band']:5} {len(records):5d} "
          f"{bare['wer']:6.2f} {bare['cer']:6.2f} {bare['refused']:7d} {floored['wer']:6.2f} {floored['cer']:6.2f} "
          f"{floored['refused']:8d} {floored['right']:6d} {floored['wrong']:6d} "
          f"{sum(times) / sum(r['duration'] for r in records):7.2f} {p95:6.2f} "
          f"{sum(r.get('cpu', 0.0) for r in records) / sum(r['duration'] for r in records):7.2f} "
          f"{sum(r.get('tokens', 0) for r in records) / len(records):6.1f}", flush=True)


def choose_floors(records: list[dict]) -> dict[str, float | None]:
    """Per setting, the floor (from FLOORS) that maximises right minus wrong read-backs on the tuning
    half, both bands together: a wrong read-back costs the caller a "no" and risks a confirmed wrong
    word, a refusal costs only a retry. Prints both halves scored with it."""
    chosen: dict[str, float | None] = {}
    _header("with the floor chosen on the tuning half")
    for setting in dict.fromkeys(r["setting"] for r in records):
        mine = [r for r in records if r["setting"] == setting]
        tune = [r for r in mine if r["half"] == "tune"]
        if not tune:
            continue

        def gain(floor: float | None, tune: list[dict] = tune) -> tuple[int, int]:
            score = _score(tune, floor)
            return score["right"] - score["wrong"], -score["wrong"]

        chosen[setting] = max(FLOORS, key=gain)
        print(f"{setting}: floor {chosen[setting]}", flush=True)
        for part in ("tune", "held"):
            for band in ("wide", "phone"):
                rows = [r for r in mine if r["half"] == part and r["band"] == band]
                if rows:
                    _row(rows, chosen[setting])
    return chosen



def closed_choices(kind: str) -> closed.Choices:
    """The answers a question of this kind allows (the picture menu as channels.symptom_menu has it)."""
    if kind == "symptom":
        from channels.symptom_menu import categories

        return closed.symptoms({str(c.number): list(c.codes) for c in categories()})
    return {"yesno": closed.yes_no, "place": closed.places, "number": closed.numbers}[kind]()


def run_closed(engine, clips: list[Clip], save: Path, kinds: list[str]) -> None:
    """Each clip as the answer to a closed question of its kind: the shipped transcript (no floor),
    and Whisper's scores of every answer's forms. One JSON line per clip, ``kinds`` in that order
    (clips already in ``save`` are skipped, so a stopped run goes on); --closed-report chooses and scores."""
    done = set()
    if save.exists():
        done = {(r["language"], r["index"], r["band"]) for r in map(json.loads, save.read_text(encoding="utf-8").splitlines())}
    clips = sorted((c for c in clips if c.kind in kinds and (c.language, c.index, c.band) not in done),
                   key=lambda c: kinds.index(c.kind))
    for clip in clips:
        choices = closed_choices(clip.kind)
        audio = clip.path.read_bytes()
        start = time.perf_counter()
        result = stt.transcribe(audio, clip.language, engine=engine, min_logprob=None)
        transcribed = time.perf_counter() - start
        record = {"setting": _setting_name((clip.language, stt.DECODE_AS[clip.language], True, False)),
                  "language": clip.language, "band": clip.band, "index": clip.index, "half": clip.half,
                  "kind": clip.kind, "gold": CLOSED_GOLD.get(clip.index), "ref": clip.text, "text": result.text,
                  "raw": result.raw, "logprob": result.logprob, "seconds": transcribed, "duration": result.duration}
        if clip.kind != "number":
            decode = stt.DECODE_AS[clip.language]
            pairs = closed.scored_forms(choices, clip.language, decode)
            wav = stt.convert(audio, "wav16k")
            for ending in ENDINGS:
                start = time.perf_counter()
                scores = engine.score(wav, decode, [form for _, form in pairs], ending=ending)
                record[f"score_seconds_{ending}"] = time.perf_counter() - start
                record[f"scores_{ending}"] = [(v, total, n) for (v, _), (total, n) in zip(pairs, scores, strict=True)]
        with save.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"  {clip.language}-{clip.index:02d}-{clip.band} {clip.kind}: {transcribed:.1f} s", flush=True)


def _closed_answer(record: dict, how: str, margin: float) -> str | None:
    """What the closed recogniser says for a saved record: "text" (transcript only), "score" (scores
    only) or "both" (transcript, then scores); ``record["evidence"]`` holds the scores less the priors."""
    choices = closed_choices(record["kind"])
    if how == "off":
        return None
    if record["kind"] == "number":
        return closed.number_in([record["text"], record["raw"]])
    if how in ("text", "both"):
        value = closed.match_text([record["text"], record["raw"]], choices)
        if value is not None or how == "text":
            return value
    return closed.decide(record["evidence"], margin).value


def _halves_and_bands(records: list[dict]) -> Iterator[tuple[str, str, list[dict]]]:
    """(half, band, records) for each half of the set and each band that has records, in print order."""
    for part in ("tune", "held"):
        for band in ("wide", "phone"):
            rows = [r for r in records if r["half"] == part and r["band"] == band]
            if rows:
                yield part, band, rows


def _closed_tally(records: list[dict], how: str, margin: float) -> dict[str, int]:
    tally = {"right": 0, "wrong": 0, "refused": 0}
    for record in records:
        value = _closed_answer(record, how, margin)
        tally["refused" if value is None else "right" if value == record["gold"] else "wrong"] += 1
    return tally


def _with_evidence(records: list[dict]) -> None:
    """Adds each record's evidence: its saved scores less each form's score on silence."""
    engine = stt.backend()
    for record in records:
        if record["kind"] == "number":
            continue
        forms = closed.scored_forms(closed_choices(record["kind"]), record["language"], stt.DECODE_AS[record["language"]])
        priors = closed.priors(engine, stt.DECODE_AS[record["language"]], [form for _, form in forms])
        record["evidence"] = [(value, total - prior)
                              for (value, total, _), prior in zip(record["scores_False"], priors, strict=True)]


def closed_report(records: list[dict], shipped: bool = False) -> dict[tuple[str, str], tuple[str, float]]:
    """Per language and kind of question, the way (transcript, scores or both) and the lead margin
    with the most right minus wrong answers on the tuning half (both bands; ties: fewer wrong), or
    with ``shipped`` what engine.speech.closed.HOW ships; then right/wrong/refused per band and half
    with it, beside the transcript alone; then the transcripts' WER with the shipped floor."""
    _with_evidence(records)
    _header(f"with the shipped floor {stt.MIN_LOGPROB}")
    for setting in dict.fromkeys(r["setting"] for r in records):
        for part in ("tune", "held"):
            for band in ("wide", "phone"):
                rows = [r for r in records if r["setting"] == setting and r["half"] == part and r["band"] == band]
                if rows:
                    _row(rows, stt.MIN_LOGPROB[rows[0]["language"]])
    chosen: dict[tuple[str, str], tuple[str, float]] = {}
    print(f"  {'language/kind':14} {'half':4} {'band':5} {'clips':>5} | transcript only: right wrong refused | "
          f"chosen: right wrong refused")
    for language in dict.fromkeys(r["language"] for r in records):
        for kind in ("yesno", "number", "symptom", "place"):
            mine = [r for r in records if r["language"] == language and r["kind"] == kind]
            tune = [r for r in mine if r["half"] == "tune"]
            if not mine or not (tune or shipped):
                continue
            options = [("off", 0.0), ("text", 0.0)] if kind == "number" else [("off", 0.0), ("text", 0.0)] + [
                (how, margin) for how in ("score", "both") for margin in MARGINS]

            def gain(option, tune=tune):
                tally = _closed_tally(tune, *option)
                return tally["right"] - tally["wrong"], -tally["wrong"]

            best = closed.HOW.get((language, kind), ("off", 0.0)) if shipped else max(options, key=gain)
            chosen[(language, kind)] = best
            print(f"{language}/{kind}: {'shipped' if shipped else 'chosen on the tuning half'}: {best[0]}, "
                  f"lead >= {best[1]}", flush=True)
            for part, band, rows in _halves_and_bands(mine):
                text, it = _closed_tally(rows, "text", 0.0), _closed_tally(rows, *best)
                print(f"  {language + '/' + kind:14} {part:4} {band:5} {len(rows):5d} | {text['right']:5d} "
                      f"{text['wrong']:5d} {text['refused']:7d} | {it['right']:5d} {it['wrong']:5d} "
                      f"{it['refused']:7d}", flush=True)
        seconds = sorted(r["seconds"] + r.get("score_seconds_False", 0.0) for r in records if r["language"] == language)
        print(f"  {language}: seconds per clip (transcript + scores) p50 {seconds[len(seconds) // 2]:.2f}, "
              f"max {seconds[-1]:.2f}", flush=True)
    return chosen


def score_symptoms(path: Path) -> None:
    """Each saved decode of ``path`` whose transcript names symptoms (any count, no floor): its clip
    rendered again (espeak-ng is deterministic) and each symptom's evidence in it
    (engine.speech.symptoms.evidence), scored as the start of what was said and right after the
    transcript's words before it (``evidence_after``), written with the record to ``path``.scored.jsonl."""
    from engine.speech import symptoms

    engine = stt.backend()
    out = path.with_suffix(".scored.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as tmp, out.open("w", encoding="utf-8") as handle:
        for record in records:
            codes = symptoms.candidates(record["text"], record["logprob"], record["language"],
                                        symptoms.Route(None, 99, min(SYMPTOM_SIMILAR)))[:symptoms.MOST_SCORED]
            if codes:
                speed, pitch = VARIANTS[record["index"] % len(VARIANTS)]
                clip = Path(tmp) / "clip.wav"
                _render(record["ref"], record["language"], speed, pitch, record["band"], clip)
                wav = stt.convert(clip.read_bytes(), "wav16k")
                own, kids = _cpu()
                record["symptom_evidence"] = symptoms.evidence(codes, wav, record["language"], engine)
                own2, kids2 = _cpu()
                record["symptom_evidence_after"] = symptoms.evidence_after(codes, wav, record["language"], engine,
                                                                           record["text"])
                own3, kids3 = _cpu()
                record["symptom_cpu"] = own2 - own + kids2 - kids
                record["symptom_cpu_after"] = own3 - own2 + kids3 - kids2
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{out}: {sum('symptom_evidence' in r for r in records)} of {len(records)} decodes scored", flush=True)


def _symptom_scores(record: dict, where: str) -> dict[str, float]:
    """A scored record's evidence per code the way ``where`` (engine.speech.symptoms.WHERE) says."""
    start, after = record.get("symptom_evidence", {}), record.get("symptom_evidence_after", {})
    if where == "start":
        return start
    if where == "after":
        return after
    return {code: max(start.get(code, -math.inf), after.get(code, -math.inf)) for code in {*start, *after}}


def _symptom_tally(records: list[dict], route, floor: float | None) -> dict[str, int]:
    """What callers get from each saved decode with the shipped text floor ``floor`` and, when the
    transcript is refused, the symptom read-back ``route``: "right" (every symptom read back is one
    the utterance names), "wrong" (one is not), "none" (asked again); and "text" (the transcript was
    read back instead: scored by _score's right/wrong), split as text_right / text_wrong."""
    from engine.speech import symptoms

    tally = {"right": 0, "wrong": 0, "none": 0, "text_right": 0, "text_wrong": 0}
    for record in records:
        if record["text"] and (floor is None or record["logprob"] >= floor):
            score = _score([record], None)
            tally["text_right"] += score["right"]
            tally["text_wrong"] += score["wrong"]
            continue
        codes = symptoms.candidates(record["text"], record["logprob"], record["language"], route)
        codes = symptoms.decide(codes[:symptoms.MOST_SCORED], _symptom_scores(record, route.where), route)
        gold = set(SYMPTOM_GOLD.get(record["index"], ()))
        tally["none" if not codes else "right" if set(codes) <= gold else "wrong"] += 1
    return tally


def symptom_report(records: list[dict], shipped: bool = False, scoring_only: bool = False):
    """Per setting: the symptom guards (floor, most) with the most right - WRONG_COST * wrong symptom
    read-backs on the tuning half (both bands; ties: fewer wrong), or with ``shipped`` those
    engine.speech.symptoms.ROUTES ships; then per half and band right / wrong / none, the
    transcripts read back instead, and CPU per audio second of the decode. ``scoring_only``: keep the
    shipped route's floor, most and similar, and choose only how symptoms are scored (``where``) and
    the evidence they need (of the tied thresholds, the middle one)."""
    from engine.speech import symptoms

    print(f"  {'setting':20} {'half':4} {'band':5} {'clips':>5} | symptoms: right wrong none | text: right wrong | "
          f"cpu/sec  (guards chosen on the tuning half; WRONG_COST {WRONG_COST})")
    for setting in dict.fromkeys(r["setting"] for r in records):
        mine = [r for r in records if r["setting"] == setting]
        language = mine[0]["language"]
        floor = stt.MIN_LOGPROB[language]
        tune = [r for r in mine if r["half"] == "tune"]
        scored = all("symptom_evidence" in r for r in mine
                     if symptoms.candidates(r["text"], r["logprob"], language, symptoms.Route(None, 99)))
        options = [symptoms.Route(f, m, similar, e, where) for f in SYMPTOM_FLOORS for m in SYMPTOM_MOST
                   for similar, e, where in ([(x, y, w) for x in [None, *SYMPTOM_SIMILAR] for y in SYMPTOM_EVIDENCE
                                              for w in symptoms.WHERE]
                                             if scored else [(None, None, "start")])]

        def gain(route, tune=tune, floor=floor):
            tally = _symptom_tally(tune, route, floor)
            return tally["right"] - WRONG_COST * tally["wrong"], -tally["wrong"]

        if scoring_only and language in symptoms.ROUTES:
            options = [dataclasses.replace(symptoms.ROUTES[language], where=w, evidence=e)
                       for w in symptoms.WHERE for e in SYMPTOM_EVIDENCE if e is not None]
        best = symptoms.ROUTES.get(language) if shipped else max(options, key=gain) if tune else None
        if scoring_only and best is not None and not shipped:
            tied = [r for r in options if r.where == best.where and gain(r) == gain(best)]
            best = tied[len(tied) // 2]
        if best is None:
            continue
        print(f"{setting}: {'shipped' if shipped else 'chosen'} floor {best.floor}, at most {best.most}, "
              f"similar {best.similar}, evidence {best.evidence} ({best.where})", flush=True)
        if not shipped:
            _tied(tune, best, floor, gain(best))
            for where in symptoms.WHERE if best.evidence is not None else ():
                ways = [dataclasses.replace(best, where=where, evidence=e) for e in SYMPTOM_EVIDENCE if e is not None]
                tied = [w for w in ways if gain(w) == max(map(gain, ways))]
                way = tied[len(tied) // 2]  # the middle of the tied thresholds
                tallies = [_symptom_tally([r for r in mine if r["half"] == part], way, floor) for part in ("tune", "held")]
                print(f"    scored {where}, evidence >= {way.evidence} (the middle of its best on the tuning half): tuning "
                      f"{tallies[0]['right']}/{tallies[0]['wrong']}, held-out {tallies[1]['right']}/{tallies[1]['wrong']}",
                      flush=True)
        for part, band, rows in _halves_and_bands(mine):
            it = _symptom_tally(rows, best, floor)
            scoring = {"start": ("symptom_cpu",), "after": ("symptom_cpu_after",),
                       "best": ("symptom_cpu", "symptom_cpu_after")}[best.where] if best.evidence is not None else ()
            cpu = sum(r.get("cpu", 0.0) + sum(r.get(k, 0.0) for k in scoring)
                      for r in rows) / sum(r["duration"] for r in rows)
            print(f"  {setting:20} {part:4} {band:5} {len(rows):5d} | {it['right']:14d} {it['wrong']:5d} "
                  f"{it['none']:4d} | {it['text_right']:11d} {it['text_wrong']:5d} | {cpu:7.2f}", flush=True)


def _tied(tune: list[dict], best, floor: float | None, gain: tuple[int, int]) -> None:
    """The evidence thresholds that tie with the chosen one on the tuning half (same route
    otherwise): a choice at the edge of its tied range is one clip from another answer."""
    import dataclasses

    from engine.speech import symptoms

    tied = [e for e in SYMPTOM_EVIDENCE if e is not None and best.evidence is not None
            and (lambda t: (t["right"] - WRONG_COST * t["wrong"], -t["wrong"]))(
                _symptom_tally(tune, dataclasses.replace(best, evidence=e), floor)) == gain]
    print(f"    evidence thresholds tied on the tuning half ({best.where}): {tied}; "
          f"per way: " + ", ".join(f"{w} {_best_gain(tune, best, floor, w)}" for w in symptoms.WHERE), flush=True)


def _best_gain(tune: list[dict], best, floor: float | None, where: str) -> str:
    """The best right / wrong over evidence thresholds when symptoms are scored ``where``."""
    import dataclasses

    tallies = [(_symptom_tally(tune, dataclasses.replace(best, evidence=e, where=where), floor), e)
               for e in SYMPTOM_EVIDENCE if e is not None]
    tally, e = max(tallies, key=lambda te: (te[0]["right"] - WRONG_COST * te[0]["wrong"], -te[0]["wrong"]))
    return f"{tally['right']}/{tally['wrong']} at {e}"


if __name__ == "__main__":
    main()
