"""Symptoms named in a voice note whose transcript is not good enough to read back.

Whisper base cannot transcribe Punjabi (decoded as Hindi and mapped to Gurmukhi through the lexicon,
``engine.speech.script``, no Punjabi clip of bench/speech.py's set comes back right; decoded as
``pa`` it is worse), so the transcript is refused by its confidence floor and a Punjabi speaker who
cannot type loses the voice route. A transcript can still name the symptoms right when the rest of
it is wrong ("ਬੁਖਾਰ ਇੱਕ ਸੌ ਦੋ ਹੈ" came back as "ਬੁਚਾਰ ਪਕ ਚਬੋਰੇ", whose first word the lexicon's typo
correction reads as fever), so the symptoms the lexicon finds in it
(``nlu.symptoms``, every script) are what is read back, by their names in the caller's language
("ਮੈਂ ਸਮਝਿਆ: "ਬੁਖਾਰ, ਖੰਘ"। ... 1 ਹਾਂ · 2 ਨਹੀਂ"), never the nonsense around them; once the caller
confirms, the bot gets those names. Nothing found, or a read-back the guards of :data:`ROUTES` refuse:
the caller is asked again, then moved to the keypad, as before.

A wrong confirmation is worse than asking again, and Whisper pastes its prompt's symptom words into
unclear audio, so each symptom must also be borne out by Whisper's scores of its words against the
clip (:func:`evidence`); the guards were chosen on the tuning half of bench/speech.py's set
(``--symptoms``, docs/speech.md): 2 right and 0 wrong read-backs of 62 tuning clips, 0 and 0 of 62
held-out ones (the text alone: 3 right, 3 wrong on the tuning half).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from nlu.symptoms import catalogue, extract_symptoms, lexicon_rows, symptom_codes


@dataclass(frozen=True)
class Route:
    """How symptoms are taken from a refused transcript in one language.

    ``floor``: the least mean token log-probability (Whisper's own confidence) of the decode, None
    for none; ``most``: the most symptoms one read-back may name (a loop of the prompt's symptom
    list names many; a short note names one or two); ``similar``: also take the symptoms whose
    lexicon form is this close to words of the transcript (normalised Levenshtein similarity in one
    script: Whisper writes "ਬੁਵਾਰ" for "ਬੁਖਾਰ"), None for exact matches only; ``evidence``: the least
    evidence (nats) each symptom needs when its words are scored against the clip
    (``engine.speech.closed.evidence``: log-probability given the clip less given silence), None for
    not scored. Whisper's decode leaks the ``initial_prompt``'s symptom words into unclear audio;
    scored without the prompt, a leaked word has little evidence. ``where``: how a symptom's words
    are scored, :data:`WHERE`."""

    floor: float | None
    most: int
    similar: float | None = None
    evidence: float | None = None
    where: str = "start"


#: Languages whose refused transcripts are searched for symptoms, and how (bench/speech.py
#: ``--symptoms``, chosen on the tuning half; docs/speech.md has both halves). A language not listed
#: keeps the transcript-or-ask-again behaviour.
#: Punjabi, decoded as Hindi with the symptom prompt and the symptom names as hotwords
#: (``engine.speech.stt.HOTWORDS``): on the tuning half, the symptoms found in the transcript, exact
#: lexicon forms only, each needing evidence >= 2 nats, read back 2 right and 0 wrong of 62 clips
#: (every evidence from 0 to 4 gave that, 2 is the middle; at most 1 or 2 symptoms gave the same, 2
#: lets a note name two); without the evidence, 3 right and 3 wrong, with similar forms (0.7) 5 right
#: and 3 wrong. Decoded without hotwords: 1 right, 0 wrong at best.
ROUTES: dict[str, Route] = {"pa": Route(floor=None, most=2, similar=None, evidence=2.0)}
#: Ways a symptom's words are scored against the clip (``Route.where``): "start" as the start of what
#: was said; "after" right after the transcript's words before it (:func:`evidence_after`: a symptom
#: said mid-sentence is where the audio says it only after those words); "best" the higher of the two.
#: Punjabi keeps "start": scored "after", chosen on the tuning half (evidence >= 3: 3 right, 0 wrong
#: of 62 clips against 1 and 0 as the start), the held-out half read back 2 right and 1 wrong
#: (fatigue, 3.5, for an 8 kHz "ਬੁਖਾਰ ਨਾਲ ਠੰਢ ਲੱਗ ਰਹੀ ਹੈ"; bench/speech.py --symptoms --scoring-only,
#: 2026-12-07, docs/speech.md), and a symptom that was not said is never to be read back.
WHERE = ("start", "after", "best")
#: The most candidate symptoms scored against one clip (each costs a few decoder passes).
MOST_SCORED = 6
#: Lexicon forms shorter than this (letters and vowel signs) are matched exactly only: "ਖੰਘ" is one
#: letter away from too many words.
SHORTEST_SIMILAR = 4
#: The similarities bench/speech.py tries (``Route.similar``).
SIMILARITIES = (0.6, 0.7, 0.8)


@lru_cache(maxsize=1)
def _indic_forms() -> tuple[tuple[str, str], ...]:
    """(code, form) for every Devanagari and Gurmukhi form of the lexicon long enough to compare
    approximately, in one script (``engine.speech.closed.key``)."""
    from engine.speech.closed import key

    forms = ((code, key(form)) for code, _, form in lexicon_rows() if not form.isascii())
    return tuple(dict.fromkeys((code, form) for code, form in forms if len(form.replace(" ", "")) >= SHORTEST_SIMILAR))


def similar_codes(text: str, similarity: float) -> list[str]:
    """Codes whose lexicon form is at least ``similarity`` alike (normalised Levenshtein) to as many
    consecutive words of ``text``, most alike first."""
    from rapidfuzz.distance import Levenshtein

    from engine.speech.closed import key

    words = key(text).split()
    best: dict[str, float] = {}
    for code, form in _indic_forms():
        size = form.count(" ") + 1
        for first in range(len(words) - size + 1):
            alike = Levenshtein.normalized_similarity(" ".join(words[first:first + size]), form)
            if alike >= similarity and alike > best.get(code, 0.0):
                best[code] = alike
    return sorted(best, key=lambda code: -best[code])


def candidates(text: str, logprob: float, language: str, route: Route | None = None) -> list[str]:
    """Symptom codes named in ``text`` (a transcript without its confidence floor, mapped to the
    caller's script; the lexicon's exact forms first, then similar ones when the route allows), or []
    when the language has no route or its floor refuses the decode."""
    route = route or ROUTES.get(language)
    if route is None or not text or (route.floor is not None and logprob < route.floor):
        return []
    return list(_named(text, route.similar))


@lru_cache(maxsize=4096)
def _named(text: str, similar: float | None) -> tuple[str, ...]:
    codes = symptom_codes(text)
    return tuple(dict.fromkeys([*codes, *(similar_codes(text, similar) if similar is not None else ())]))


def evidence(codes: list[str], wav16k: bytes, language: str, engine=None, text: str = "",
             where: str = "start") -> dict[str, float]:
    """Per code, the best evidence of its words in the clip: the first forms the lexicon lists in the
    decoding script, the caller's own language first, scored ``where`` :data:`WHERE` says (``text``:
    the transcript the codes were found in, for "after" and "best")."""
    from engine.speech import closed, stt

    if not codes or not wav16k:
        return {}
    engine = engine or stt.backend()
    if not hasattr(engine, "score"):
        return {}
    best: dict[str, float] = {}
    if where in ("start", "best"):
        for code, value in closed.evidence(engine, wav16k, language, closed.symptoms({c: [c] for c in codes})):
            best[code] = max(best.get(code, -math.inf), value)
    if where in ("after", "best") and hasattr(engine, "score_after"):
        for code, value in evidence_after(codes, wav16k, language, engine, text).items():
            best[code] = max(best.get(code, -math.inf), value)
    return best


def evidence_after(codes: list[str], wav16k: bytes, language: str, engine, text: str) -> dict[str, float]:
    """Per code, the best of its forms' log-probability right after the words of ``text`` before
    the symptom (Whisper's decoder forced through those words and the form, counting the form's
    tokens only), less the same after the same words on a second of silence (the words' prior
    there: "बुखार" after "मुझे" is likely whatever was said). Scored as the start of what was said, a
    symptom said mid-sentence got -1.2 to -2.9 where it was said (bench/speech.py's held-out half,
    2026-12-07): the audio at the start of the clip is the words before it. A code not found in
    ``text`` (a similar form) is scored with nothing before it."""
    from engine.speech import closed, stt
    from engine.speech.script import gurmukhi_to_devanagari

    decode = stt.DECODE_AS[language]
    before: dict[str, str] = {}
    for mention in extract_symptoms(text):
        if mention.code in codes and not mention.negated:
            before.setdefault(mention.code, text[:mention.start])
    triples = [(code, before.get(code, ""), form)
               for code, form in closed.scored_forms(closed.symptoms({c: [c] for c in codes}), language, decode)]
    pairs = [(gurmukhi_to_devanagari(prefix) if decode == "hi" else prefix, form) for _, prefix, form in triples]
    best: dict[str, float] = {}
    for (code, _, _), (said, _), (quiet, _) in zip(triples, engine.score_after(wav16k, decode, pairs),
                                                   engine.score_after(closed.silence(), decode, pairs), strict=True):
        best[code] = max(best.get(code, -math.inf), said - quiet)
    return best


def decide(codes: list[str], scores: dict[str, float], route: Route) -> list[str]:
    """The candidates ``route`` keeps: each with enough evidence (when scored), and none at all when
    more than ``route.most`` remain (a loop of the prompt's list, not what one note says)."""
    if route.evidence is not None:
        codes = [code for code in codes if scores.get(code, -math.inf) >= route.evidence]
    return codes if len(codes) <= route.most else []


def heard(transcript, route: Route | None = None, engine=None) -> list[str]:
    """The symptoms a refused ``transcript`` (``engine.speech.stt.Transcript``) names that pass the
    language's :data:`ROUTES` guards."""
    route = route or ROUTES.get(transcript.language)
    if route is None:
        return []
    codes = candidates(transcript.text, transcript.logprob, transcript.language, route)[:MOST_SCORED]
    scores = (evidence(codes, transcript.wav16k, transcript.language, engine, transcript.text, route.where)
              if route.evidence is not None else {})
    return decide(codes, scores, route)


def names(codes: list[str], language: str) -> str:
    """The symptoms' names in ``language`` (data/symptoms.tsv), comma-separated: what is read back
    and, once confirmed, what the bot is sent (its NLU reads the names like any typed message)."""
    symptoms = catalogue()
    return ", ".join(symptoms[code].name(language) for code in codes if code in symptoms)
