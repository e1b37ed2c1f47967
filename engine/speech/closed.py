"""Closed questions by voice: which of the answers the question allows did the caller say?

Whisper base cannot transcribe Punjabi (no Punjabi clip of bench/speech.py's set was read back
right) and often not Hindi, but a question with a few possible answers (yes/no, a symptom of the
picture menu, a number, a town) needs much less than a transcript. Two ways, cheapest first:

1. **In the transcript** (:func:`match_text`): the lexicon's forms of each answer, in every script
   (Devanagari, Gurmukhi, Latin), are looked for as whole words in what Whisper wrote, both before
   and after the Punjabi mapping, compared in one script (Gurmukhi written as Devanagari, nukta and
   candrabindu folded). The answer whose form starts earliest wins (replies lead with the answer:
   "नहीं गलत है" is a no although "है" is a yes word elsewhere); two answers at the same word, none.
2. **Scored against the audio** (:func:`score_choices`): Whisper's decoder is forced through each
   answer's first forms as the start of the reply (CTranslate2's ``align``, the pass faster-whisper
   uses for word timestamps; the encoder runs once, on the clip's own length), and each form's
   log-probability given the clip less the same given a second of silence (Whisper's prior for the
   words) is its evidence. The best answer counts when its evidence leads the next answer's by the
   margin :data:`HOW` gives (chosen on the tuning half of bench/speech.py's set).

Which of the two, or neither, each language and kind of question uses is :data:`HOW`.
Whatever is heard is still read back ("I heard: ਹਾਂ. 1 yes · 2 no") before it counts; nothing heard
asks again, and the channels move to the keypad after two misses, as for any voice answer.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from config.paths import ROOT
from engine.speech.script import gurmukhi_to_devanagari

SLOTS_TSV = ROOT / "data" / "lexicon" / "slots.tsv"
NUMBERS_TSV = ROOT / "data" / "lexicon" / "numbers.tsv"
LEXICON_TSV = ROOT / "data" / "symptom_lexicon.tsv"
GAZETTEER_TSV = ROOT / "data" / "pharmacy" / "gazetteer.tsv"

#: Forms scored against the audio per answer: the first ones the lexicon lists in the decoding
#: script (its main spellings; every form costs a decoder pass), none of a single letter.
SCORED_FORMS = 4
#: How each (language, kind of question) is heard, and the lead in nats the scored answer needs over
#: the next: "text" (the transcript only), "score" (Whisper's scores only), "both" (the transcript,
#: then the scores) or "off" (not at all: the caller is asked again, as without this module). Chosen on the tuning half of bench/speech.py's set (``--closed-report``); see the
#: README's voice section for both halves. Numbers are read from the transcript only.
#: Measured 2026-12-07 (espeak-ng set, both bands): yes/no held-out right/wrong/refused pa 8/1/1,
#: hi 10/0/0 (the transcript alone: 0/0/10 each); menu symptoms pa 3/3/22, hi 4/0/24 of 28;
#: numbers read from the transcript: 0 right, 1 wrong of 32 tuning-half clips (held-out 1 and 0 of 32), so off.
#: English was not measured: off (its transcripts are read back as before).
HOW: dict[tuple[str, str], tuple[str, float]] = {
    ("pa", "yesno"): ("score", 0.5), ("hi", "yesno"): ("score", 1.0),
    ("pa", "symptom"): ("score", 3.0), ("hi", "symptom"): ("score", 6.0),
    ("pa", "number"): ("off", 0.0), ("hi", "number"): ("off", 0.0),
}

_LETTERS = re.compile(r"[\w\u0900-\u0a7f]+")


@dataclass(frozen=True)
class Choices:
    """The answers a question allows: (value, the forms that say it, in any script)."""

    kind: str
    options: tuple[tuple[str, tuple[str, ...]], ...]

    def values(self) -> list[str]:
        return [value for value, _ in self.options]


@dataclass(frozen=True)
class Heard:
    value: str | None
    how: str = ""  # "text" (found in the transcript), "scored" (Whisper's forced decoding), "" (nothing)
    share: float = 0.0  # the winner's share of the probability when scored


def key(text: str) -> str:
    """Text compared in one script: NFC, Gurmukhi as Devanagari, nukta and candrabindu folded,
    lowercased, punctuation and danda as spaces."""
    text = gurmukhi_to_devanagari(unicodedata.normalize("NFC", text)).lower()
    text = unicodedata.normalize("NFD", text).replace("\u093c", "")
    text = unicodedata.normalize("NFC", text).replace("\u0901", "\u0902")
    return " ".join(_LETTERS.findall(text))


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def _forms(row: str) -> list[str]:
    return [form.strip() for form in row.split("|") if form.strip()]


#: Yes words that are also the copula ("is", "are"): most sentences have one, so they would turn
#: any reply into a yes. "ਹਾਂ"/"haan" stay: a reply that starts with it is a yes.
COPULAS = frozenset({"hai", "hain", "hota hai", "aa", "ae", "hega", "hegi", "haige", "है", "हैं", "ਹੈ", "ਹਨ"})


@lru_cache(maxsize=1)
def yes_no() -> Choices:
    """Yes and no as data/lexicon/slots.tsv lists them, without the :data:`COPULAS`."""
    rows = {row["key"]: _forms(row["forms"]) for row in _rows(SLOTS_TSV)}
    return Choices("yesno", tuple((value, tuple(f for f in rows[value] if f not in COPULAS))
                                  for value in ("yes", "no")))


@lru_cache(maxsize=1)
def _number_words() -> dict[str, tuple[str, ...]]:
    return {row["key"]: tuple(_forms(row["forms"])) for row in _rows(NUMBERS_TSV)}


def numbers(values: range | list[int] = range(0, 121)) -> Choices:
    """Whole numbers (data/lexicon/numbers.tsv's words in every script, and the digits)."""
    words = _number_words()
    return Choices("number", tuple((str(n), (str(n), *words.get(str(n), ()))) for n in values))


@lru_cache(maxsize=1)
def _symptom_forms() -> dict[str, tuple[str, ...]]:
    forms: dict[str, list[str]] = {}
    for row in _rows(LEXICON_TSV):
        forms.setdefault(row["code"], []).extend(_forms(row["forms"]))
    return {code: tuple(dict.fromkeys(f)) for code, f in forms.items()}


def symptoms(menu: dict[str, list[str]]) -> Choices:
    """A symptom menu ({"1": ["fever"], ...}): each item's symptom forms from the lexicon, and its
    number said as a word ("एक", "ਇੱਕ", "one")."""
    lexicon, words = _symptom_forms(), _number_words()
    return Choices("symptom", tuple(
        (item, (*(f for code in codes for f in lexicon.get(code, ())), *words.get(item, ())))
        for item, codes in menu.items()))


@lru_cache(maxsize=1)
def places() -> Choices:
    """Towns and villages of the served districts (data/pharmacy/gazetteer.tsv), every spelling."""
    return Choices("place", tuple((row["name"], tuple(dict.fromkeys([row["name"], *_forms(row["aliases"])])))
                                  for row in _rows(GAZETTEER_TSV)))


@lru_cache(maxsize=64)
def _patterns(choices: Choices) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for value, forms in choices.options:
        for form in {key(f) for f in forms if key(f)}:
            out.append((value, re.compile(rf"(?<!\S){re.escape(form)}(?!\S)")))
    return tuple(out)


def match_text(texts: list[str], choices: Choices) -> str | None:
    """The answer whose form starts earliest in any of ``texts`` (the longest form there), or None
    when none is there or two answers start at the same place."""
    for text in texts:
        said = key(text)
        if not said:
            continue
        found: dict[int, dict[str, int]] = {}
        for value, pattern in _patterns(choices):
            for match in pattern.finditer(said):
                at = found.setdefault(match.start(), {})
                at[value] = max(at.get(value, 0), match.end() - match.start())
        if found:
            first = found[min(found)]
            longest = max(first.values())
            winners = [value for value, length in first.items() if length == longest]
            if len(winners) == 1:
                return winners[0]
    return None


def _script_ok(form: str, decode: str) -> bool:
    if decode == "en":
        return form.isascii()
    return not form.isascii() and not form.isdigit()


def _native(form: str, language: str) -> bool:
    first = next((ch for ch in form if ch.isalpha()), "a").lower()
    return {"hi": "\u0900" <= first <= "\u097f", "pa": "\u0a00" <= first <= "\u0a7f"}.get(language, first.isascii())


def scored_forms(choices: Choices, language: str, decode: str, per_value: int = SCORED_FORMS) -> list[tuple[str, str]]:
    """(value, form) pairs to score when Whisper decodes ``language`` as ``decode``: Indic forms in
    Devanagari for a Hindi decode (Punjabi forms converted letter by letter), English forms for
    English; the language's own script first (a Punjabi caller says "ਹਾਂ ਜੀ", not "जी हाँ"), the
    first ``per_value`` per answer."""
    pairs = []
    for value, forms in choices.options:
        usable = sorted((f for f in forms if _script_ok(f, decode)), key=lambda f: not _native(f, language))
        mine = [gurmukhi_to_devanagari(f) if decode == "hi" else f for f in usable]
        mine = [f for f in dict.fromkeys(mine) if len(key(f)) > 1][:per_value]
        pairs.extend((value, form) for form in mine)
    return pairs


def decide(scored: list[tuple[str, float]], margin: float) -> Heard:
    """From (value, evidence) per scored form, where evidence is the form's log-probability given
    the clip minus given silence: the value whose best form beats every other value's best by at
    least ``margin`` nats, else None."""
    best: dict[str, float] = {}
    for value, evidence in scored:
        best[value] = max(best.get(value, -math.inf), evidence)
    if not best:
        return Heard(None)
    ranked = sorted(best.items(), key=lambda item: -item[1])
    lead = ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else -math.inf)
    return Heard(ranked[0][0], "scored", lead) if lead >= margin else Heard(None, "", lead)


def number_in(texts: list[str]) -> str | None:
    """The first number said in any of ``texts`` (digits, or words in any script as nlu.numbers reads
    them: "पैंतालीस", "ਇੱਕ ਸੌ ਦੋ", "forty five"), as digits."""
    from nlu.numbers import find_numbers, spelled_numbers
    from nlu.text import tokenize

    for text in texts:
        tokens = tokenize(text or "")
        found = sorted([(n.first, n.value) for n in spelled_numbers(tokens)]
                       + [(n.first, n.value) for n in find_numbers(tokens) if tokens[n.first].text[:1].isdigit()])
        if found:
            value = found[0][1]
            return str(int(value)) if float(value).is_integer() else str(value)
    return None


def hear(audio: bytes, language: str, choices: Choices, engine=None, transcript=None) -> Heard:
    """Which of ``choices`` the caller said in ``audio`` (any format ffmpeg reads), in ``language``,
    the way :data:`HOW` says for this language and kind of question.

    ``transcript``: ``engine.speech.transcribe``'s without its confidence floor (a word of the
    expected answers in an unsure transcript can still count, since it is read back)."""
    from engine.speech import stt

    how, margin = HOW.get((language, choices.kind), ("off", 0.0))
    if how == "off":
        return Heard(None)
    if how in ("text", "both"):
        transcript = transcript or stt.transcribe(audio, language, engine=engine, min_logprob=None)
        texts = [transcript.text, transcript.raw]
        value = number_in(texts) if choices.kind == "number" else match_text(texts, choices)
        if value is not None or how == "text":
            return Heard(value, "text" if value else "")
    return score_choices(audio, language, choices, margin, engine,
                         wav16k=getattr(transcript, "wav16k", b"") if transcript else b"")


def evidence(engine, wav16k: bytes, language: str, choices: Choices) -> list[tuple[str, float]]:
    """(value, log-probability given the clip minus given silence) per scored form. The second
    term is Whisper's prior for the words (its language model: "नहीं" is likelier than "हांजी"
    whatever is said): on the espeak-ng set it turned 4 of 12 yes/no clips into 11 of 12."""
    from engine.speech import stt

    decode = stt.DECODE_AS[language]
    pairs = scored_forms(choices, language, decode)
    forms = [form for _, form in pairs]
    given_clip = engine.score(wav16k, decode, forms, ending=False)
    return [(value, total - prior)
            for (value, _), (total, _), prior in zip(pairs, given_clip, priors(engine, decode, forms), strict=True)]


_PRIORS: dict[tuple[int, str, str], float] = {}

#: The priors of every form :data:`HOW` scores, computed once per model by ``scripts/closed_priors.py``
#: ({"model": fingerprint, "priors": {decode: {form: log-probability}}}). The media worker forks a
#: work horse per voice note (RQ), so a per-process cache starts empty for every note: computing the
#: symptom menu's 36 priors cost 1.2-1.3 s of CPU (yes/no: 0.3 s) on each refused answer.
PRIORS_JSON = ROOT / "data" / "speech" / "closed_priors.json"


@lru_cache(maxsize=1)
def stored_priors() -> dict:
    import json

    return json.loads(PRIORS_JSON.read_text(encoding="utf-8")) if PRIORS_JSON.exists() else {}


def priors(engine, decode: str, forms: list[str]) -> list[float]:
    """Each form's log-probability given a second of silence (it does not depend on the clip): from
    :data:`PRIORS_JSON` when it was made with this engine's model on this kind of CPU (the int8 kernels
    move scores by up to 1.6), else computed and cached."""
    from engine.speech.models import cpu_kernels

    stored = stored_priors()
    if stored.get("model") == getattr(engine, "fingerprint", None) and stored.get("cpu") == cpu_kernels():
        table = stored["priors"].get(decode, {})
        for form in forms:
            if form in table:
                _PRIORS[(id(engine), decode, form)] = table[form]
    missing = [f for f in dict.fromkeys(forms) if (id(engine), decode, f) not in _PRIORS]
    if missing:
        for form, (total, _) in zip(missing, engine.score(silence(), decode, missing, ending=False), strict=True):
            _PRIORS[(id(engine), decode, form)] = total
    return [_PRIORS[(id(engine), decode, f)] for f in forms]


@lru_cache(maxsize=1)
def silence(seconds: float = 1.0) -> bytes:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))
    return buffer.getvalue()


def score_choices(audio: bytes, language: str, choices: Choices, margin: float, engine=None,
                  wav16k: bytes = b"") -> Heard:
    """:func:`decide` over :func:`evidence` (see the module's docstring); ``wav16k``: the clip
    already converted (the transcript's), so ffmpeg does not run twice."""
    from engine.speech import stt

    engine = engine or stt.backend()
    if not hasattr(engine, "score"):
        return Heard(None)
    return decide(evidence(engine, wav16k or stt.convert(audio, "wav16k"), language, choices), margin)
