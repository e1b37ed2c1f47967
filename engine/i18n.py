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
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from saathi import ROOT

LANGUAGES = ("hi", "pa", "en")
MESSAGES_DIR = ROOT / "data" / "messages"


class CatalogueError(ValueError):
    """The catalogue files are inconsistent (duplicate key, missing language)."""


@lru_cache(maxsize=1)
def catalogue(directory: Path = MESSAGES_DIR) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in entries.items():
            if key in merged:
                raise CatalogueError(f"message key {key!r} defined twice (second time in {path.name})")
            merged[key] = value
    return merged


@cache
def variants(variant: str, directory: Path = MESSAGES_DIR) -> dict[str, dict[str, str]]:
    path = directory / "variants" / f"{variant}.yml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def normalise_language(language: str | None) -> str:
    return language if language in LANGUAGES else "en"


def t(key: str, language: str | None, variant: str | None = None, **fields: Any) -> str:
    """Render message ``key`` in ``language``; ``variant="sms"`` picks the short form if any."""
    entry = catalogue()[key]
    lang = normalise_language(language)
    if variant and isinstance(entry.get(variant), dict):
        entry = entry[variant]
    elif variant and key in variants(variant):
        entry = variants(variant)[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**fields) if fields else template
