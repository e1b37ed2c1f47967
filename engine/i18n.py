"""The message catalogue: every user-facing sentence, in Hindi, Punjabi and English, as data.

Sentences live in ``data/messages/*.yml`` (one file per area, merged; a key may appear only once).
Each key maps language codes to a template using ``str.format`` fields, e.g.::

    greet:
      en: "Hello! I am Sehat Saathi..."
      hi: "नमस्ते! मैं सेहत साथी हूँ..."
      pa: "ਸਤ ਸ੍ਰੀ ਅਕਾਲ! ਮੈਂ ਸਿਹਤ ਸਾਥੀ ਹਾਂ..."
      sms: {en: ..., hi: ..., pa: ...}   # optional shorter variant for SMS (<= 2 segments)

Variants may also live apart from the main entry, in ``data/messages/variants/<variant>.yml``
(same key, ``{en, hi, pa}``), so a channel can own its short forms without touching the files of
the areas whose sentences it shortens. A test checks that every key has all three languages and
that the fields match across them.

Hindi and Punjabi also exist in Latin letters ("hi-Latn", "pa-Latn": "aapko kitne din se bukhar
hai?"), because most people who type Hindi or Punjabi on a phone write it that way and many of them
read Devanagari or Gurmukhi slowly or not at all. They live apart, in ``data/messages/latn/*.yml``
(same key, ``{hi, pa}``, optional ``sms: {hi, pa}``), so the areas' files are untouched. Which
script a reply is in is decided per message (:func:`answer_script`) and reaches :func:`t` either
as its ``script`` argument or, for everything rendered while one turn is answered (actions,
engines), through :func:`reply_script`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from config.paths import ROOT
from engine.yamlfile import read_yaml

LANGUAGES = ("hi", "pa", "en")
MESSAGES_DIR = ROOT / "data" / "messages"
LATIN_DIR = MESSAGES_DIR / "latn"

#: Reply scripts: the language's own (Devanagari, Gurmukhi, Latin for English) or Latin letters.
NATIVE, LATIN = "native", "Latn"
SCRIPTS = (NATIVE, LATIN)
#: Languages with a Latin-letter form in the catalogue (English is Latin already).
ROMANISED = ("hi", "pa")
#: A Latin-letter message must be at least this surely Hindi or Punjabi to turn replies to Latin
#: letters ("mujhe bukhar hai" 0.79, "2 din se bukhar" 0.58); "ok", "haan", "2" keep the script.
LATIN_CONFIDENCE = 0.3

_reply_script: ContextVar[str | None] = ContextVar("reply_script", default=None)


class CatalogueError(ValueError):
    """The catalogue files are inconsistent (duplicate key, missing language)."""


def _merged(directory: Path, what: str) -> dict[str, dict[str, Any]]:
    """The ``*.yml`` files of ``directory`` merged into one mapping; a key may appear only once."""
    merged: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yml")):
        entries = read_yaml(path) or {}
        for key, value in entries.items():
            if key in merged:
                raise CatalogueError(f"{what} key {key!r} defined twice (second time in {path.name})")
            merged[key] = value
    return merged


@lru_cache(maxsize=1)
def catalogue(directory: Path = MESSAGES_DIR) -> dict[str, dict[str, Any]]:
    return _merged(directory, "message")


@lru_cache(maxsize=1)
def latin_catalogue(directory: Path = LATIN_DIR) -> dict[str, dict[str, Any]]:
    """key -> ``{hi, pa, sms?: {hi, pa}}`` in Latin letters, merged from ``data/messages/latn/*.yml``."""
    return _merged(directory, "Latin-letter")


def answer_script(script: str | None, language: str | None, confidence: float, remembered: str | None) -> str:
    """The script to answer a message in: Devanagari or Gurmukhi text gets the native script, text in
    Latin letters that is surely Hindi or Punjabi gets Latin letters, anything else ("ok", "2",
    English) keeps the ``remembered`` one (native when none)."""
    if script in ("Deva", "Guru"):
        return NATIVE
    if script == "Latn" and language in ROMANISED and confidence >= LATIN_CONFIDENCE:
        return LATIN
    return remembered if remembered in SCRIPTS else NATIVE


@contextmanager
def reply_script(script: str | None) -> Iterator[None]:
    """Render every :func:`t` call inside in ``script`` unless the call names one (one turn's answer)."""
    token = _reply_script.set(script)
    try:
        yield
    finally:
        _reply_script.reset(token)


def script_key(sender: str) -> str:
    """Where the gateway remembers (engine.store) the script ``sender`` (its salted pseudonym of a
    number) last wrote in, so what is sent later (reminders, a doctor's call link) uses it too."""
    return f"script:{sender}"


def current_script() -> str:
    return _reply_script.get() or NATIVE


def locale(language: str | None, script: str | None = None) -> str:
    """"hi-Latn" / "pa-Latn" when ``language`` is answered in Latin letters, else the language."""
    lang = normalise_language(language)
    return f"{lang}-{LATIN}" if (script or current_script()) == LATIN and lang in ROMANISED else lang


def romanised(language: str | None, script: str | None = None) -> bool:
    """Whether ``language`` is answered in Latin letters (``script``, else the turn's)."""
    return normalise_language(language) in ROMANISED and (script or current_script()) == LATIN


def content_language(language: str | None, script: str | None = None) -> str:
    """The language for free text of the knowledge bases (condition names, self-care, medicine
    notes), which exist in hi, pa and en only: English for a reader of Latin letters, who cannot be
    assumed to read Devanagari or Gurmukhi; ``language`` otherwise."""
    return "en" if romanised(language, script) else normalise_language(language)


@lru_cache(maxsize=1)
def _latin_symptom_names() -> dict[tuple[str, str], str]:
    """(code, hi|pa) -> the first romanised form of ``data/symptom_lexicon.tsv`` ("bukhar", "sir dard")."""
    from nlu.symptoms import lexicon_rows

    names: dict[tuple[str, str], str] = {}
    for code, language, form in lexicon_rows():
        if language in ROMANISED and form.isascii():
            names.setdefault((code, language), form)
    return names


def latin_symptom_name(code: str, language: str | None) -> str | None:
    """The symptom's name as written in Latin letters in ``language``, if the lexicon has one."""
    return _latin_symptom_names().get((code, normalise_language(language)))


@cache
def variants(variant: str, directory: Path = MESSAGES_DIR) -> dict[str, dict[str, str]]:
    path = directory / "variants" / f"{variant}.yml"
    if not path.exists():
        return {}
    return read_yaml(path) or {}


def normalise_language(language: str | None) -> str:
    return language if language in LANGUAGES else "en"


def _latin_template(key: str, language: str, variant: str | None) -> str | None:
    """The Latin-letter template of ``key``; its short form for a variant the native entry has."""
    entry = latin_catalogue().get(key)
    if not entry:
        return None
    block = entry.get(variant) if variant else None
    if isinstance(block, dict) and block.get(language):
        return block[language]
    return entry.get(language)


def t(key: str, language: str | None, variant: str | None = None, script: str | None = None, **fields: Any) -> str:
    """Render message ``key`` in ``language``; ``variant="sms"`` picks the short form if any; Hindi
    and Punjabi come in Latin letters when ``script`` (else the turn's :func:`reply_script`) is Latin."""
    entry = catalogue()[key]
    lang = normalise_language(language)
    if (script or _reply_script.get()) == LATIN and lang in ROMANISED:
        latin = _latin_template(key, lang, variant)
        if latin is not None:
            return latin.format(**fields) if fields else latin
    if variant and isinstance(entry.get(variant), dict):
        entry = entry[variant]
    elif variant and key in variants(variant):
        entry = variants(variant)[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**fields) if fields else template
