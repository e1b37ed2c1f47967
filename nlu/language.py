"""Which language a message is in: Hindi, Punjabi or English, whatever the script.

Devanagari means Hindi and Gurmukhi means Punjabi. Latin script is the hard case: phones produce
romanised Hindi ("mujhe bukhar hai"), romanised Punjabi ("mainu taap chadya ae") and English. Each
known word votes for the languages whose word lists (``data/lexicon/words.tsv``) or romanised
symptom forms contain it; a word shared by two languages gives each half a vote. Few votes give low
confidence, so the dialogue can keep the language it remembers (``LOW_CONFIDENCE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlu.resources import word_list
from nlu.symptoms import lexicon_rows
from nlu.text import TOKEN_RE, normalize, script_counts

_EMPHASIS = re.compile(r"(.)\1{2,}")

LANGUAGES = ("hi", "pa", "en")
SCRIPT_LANGUAGE = {"Deva": "hi", "Guru": "pa"}
LOW_CONFIDENCE = 0.5  # below this, keep the conversation's language
INDIC_SHARE = 0.3  # this share of Indic letters makes a code-mixed message Hindi/Punjabi
VOTES_FOR_FULL_CONFIDENCE = 3.0
STRONG_VOTE = 2.0  # pronouns and particles that only one language uses ("mujhe", "mainu", "the")
LEXICON_VOTE = 0.5  # romanised symptom words are weaker evidence than function words


def language_keys(text: str) -> list[str]:
    """Word keys for language voting: unlike matching keys, doubled letters are kept ("aa" is not "a",
    "teen" is not "ten"); only runs of three or more typed for emphasis are shortened."""
    return [_EMPHASIS.sub(r"\1\1", word) for word in TOKEN_RE.findall(normalize(text))]


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # hi | pa | en
    script: str  # Deva | Guru | Latn
    confidence: float


@lru_cache(maxsize=1)
def _votes() -> dict[str, dict[str, float]]:
    """word key -> {language: vote}. A word in k languages' lists gives each 1/k of its weight."""
    lists = word_list("words")
    weighted: dict[str, tuple[float, set[str]]] = {}
    for language in LANGUAGES:
        for kind, weight in (("words", 1.0), ("strong", STRONG_VOTE)):
            for form in lists.get(f"{language}_{kind}", ()):
                for key in language_keys(form):
                    old_weight, langs = weighted.get(key, (0.0, set()))
                    weighted[key] = (max(old_weight, weight), langs | {language})
    for _, language, form in lexicon_rows():
        if form.isascii():
            for key in language_keys(form):
                old_weight, langs = weighted.get(key, (LEXICON_VOTE, set()))
                if old_weight == LEXICON_VOTE:
                    weighted[key] = (LEXICON_VOTE, langs | {language})
    return {
        key: {lang: weight / len(langs) for lang in langs}
        for key, (weight, langs) in weighted.items()
        if len(langs) < len(LANGUAGES)
    }


def _latin_language(text: str) -> tuple[str, float]:
    scores = dict.fromkeys(LANGUAGES, 0.0)
    votes = _votes()
    for key in language_keys(text):
        for language, vote in votes.get(key, {}).items():
            scores[language] += vote
    total = sum(scores.values())
    if not total:
        return "en", 0.2
    best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
    confidence = scores[best] / total * min(1.0, total / VOTES_FOR_FULL_CONFIDENCE)
    return best, round(confidence, 3)


def detect_language(text: str) -> LanguageGuess:
    """Language, majority script and a 0..1 confidence for one message."""
    counts = script_counts(text or "")
    letters = sum(counts.values())
    script = max(counts, key=lambda name: (counts[name], name == "Latn")) if letters else "Latn"
    indic = max(("Deva", "Guru"), key=lambda name: counts[name])
    if letters and counts[indic] / letters >= INDIC_SHARE:
        confidence = min(0.99, 0.5 + counts[indic] / 8) * counts[indic] / (counts["Deva"] + counts["Guru"])
        return LanguageGuess(SCRIPT_LANGUAGE[indic], script, round(confidence, 3))
    language, confidence = _latin_language(text or "")
    return LanguageGuess(language, script, confidence)
