"""What Whisper is told to expect, per decoding language: an ``initial_prompt`` and ``hotwords``.

Whisper base drifts into other scripts and languages on short Hindi clips; a prompt of words in
the expected script (from data/symptoms.tsv, the same names the bot uses) anchors it. faster-whisper
also takes ``hotwords``, a phrase list put before the prompt in the decoder's context: here the
other words a patient says to a health line that Whisper base rarely spells right on its own, all
read from the project's data, never from the speech bench's sentences:

- the towns and villages of the served districts (data/pharmacy/gazetteer.tsv, in the script);
- yes/no and duration words (data/lexicon/words.tsv ``affirm``/``deny`` are not kept as such, so a
  short fixed list of the words the bot's own questions ask for: "हां", "नहीं", "दिन", "साल" ...);
- number words 1-10 and the tens people give ages in (data/lexicon/numbers.tsv, in the script).

The symptom names themselves can be ``hotwords`` too (:func:`symptom_hotwords`). bench/speech.py
measures every combination; ``engine.speech.stt`` ships what it chose.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from config.paths import ROOT

SYMPTOMS_TSV = ROOT / "data" / "symptoms.tsv"
GAZETTEER_TSV = ROOT / "data" / "pharmacy" / "gazetteer.tsv"
NUMBERS_TSV = ROOT / "data" / "lexicon" / "numbers.tsv"
#: Common symptoms first: the prompt is short, so it lists what people say most.
_COMMON = ("fever", "cough", "headache", "body_ache", "vomiting", "diarrhoea", "stomach_pain",
           "breathlessness", "chest_pain", "dizziness", "fatigue", "sore_throat", "rash")
_SCRIPT = {"hi": re.compile("^[\u0900-\u097f ]+$"), "pa": re.compile("^[\u0a00-\u0a7f ]+$"),
           "en": re.compile("^[A-Za-z ]+$")}
#: The answers the bot's own questions ask for (yes/no, how long), in each language.
_ANSWERS = {
    "hi": "हां नहीं ठीक है दिन हफ्ते महीने साल",
    "pa": "ਹਾਂ ਨਹੀਂ ਠੀਕ ਹੈ ਦਿਨ ਹਫ਼ਤੇ ਮਹੀਨੇ ਸਾਲ",
    "en": "yes no okay days weeks months years old one two three four five six seven eight nine ten twenty "
          "thirty forty fifty sixty hundred",
}
#: Number words kept: one to ten and the tens (ages, days, readings).
_NUMBERS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "20", "30", "40", "50", "60", "100")


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


@lru_cache(maxsize=8)
def symptom_prompt(language: str, limit: int = 12) -> str:
    rows = {row["code"]: row for row in _rows(SYMPTOMS_TSV)}
    codes = [c for c in _COMMON if c in rows] + [c for c in rows if c not in _COMMON]
    words = [rows[c].get(language) or rows[c]["en"] for c in codes[:limit]]
    lead = {"hi": "मरीज़ बता रहा है:", "pa": "ਮਰੀਜ਼ ਦੱਸ ਰਿਹਾ ਹੈ:", "en": "The patient says:"}.get(language, "")
    return f"{lead} {', '.join(words)}."


def first_in_script(forms: list[str], language: str) -> str | None:
    """The first of ``forms`` written wholly in ``language``'s script (Latin for a language without one)."""
    script = _SCRIPT.get(language, _SCRIPT["en"])
    return next((f for f in forms if script.match(f)), None)


@lru_cache(maxsize=8)
def symptom_hotwords(language: str, limit: int = 60) -> str:
    """The symptom names of data/symptoms.tsv after the prompt's (common first), in ``language``'s
    script, space-separated: the narrow domain of a voice note that names symptoms, offered to
    Whisper as ``hotwords`` (bench/speech.py measures them beside the answer words of :func:`hotwords`)."""
    rows = {row["code"]: row for row in _rows(SYMPTOMS_TSV)}
    codes = [c for c in _COMMON if c in rows] + [c for c in rows if c not in _COMMON]
    names = [rows[c].get(language) or rows[c]["en"] for c in codes[:limit]]
    return " ".join(dict.fromkeys(" ".join(n for n in names if _SCRIPT[language].match(n)).split()))


@lru_cache(maxsize=8)
def hotwords(language: str) -> str:
    """Place names, answer words and number words in ``language``'s script, space-separated;
    the most useful first (the backend trims the tail to fit Whisper's context)."""
    places = [first_in_script(row["aliases"].split("|"), language) or row["name"] for row in _rows(GAZETTEER_TSV)]
    if language == "en":
        places = [row["name"] for row in _rows(GAZETTEER_TSV)]
    numbers = {row["key"]: row["forms"].split("|") for row in _rows(NUMBERS_TSV)}
    # English number words are in _ANSWERS: numbers.tsv lists romanised Hindi ("tees") among them.
    number_words = [] if language == "en" else [first_in_script(numbers[key], language) for key in _NUMBERS
                                                 if key in numbers]
    words = [_ANSWERS.get(language, ""), *(w for w in number_words if w), *places]
    return " ".join(dict.fromkeys(" ".join(words).split()))
