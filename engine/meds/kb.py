"""The medicine knowledge base: generics, classes, brands, loaded once from ``data/medicines/``.

Kept as data (YAML/TSV) so pharmacists can review it without reading code; this module only
indexes it for lookup by brand, generic or alias.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from config.paths import ROOT
from engine.yamlfile import read_yaml

KB_DIR = ROOT / "data" / "medicines"
_INDIC_RE = re.compile(r"[\u0900-\u0A7F]")
TEXT_FIELDS = ("for", "how", "side_effects", "warning", "pregnancy")


@dataclass(frozen=True)
class Brand:
    """One marketed product: a brand name and its composition (components in label order)."""

    name: str
    generics: tuple[str, ...]
    strength: str
    form: str

    @property
    def base(self) -> str:
        """The brand word without a trailing strength number ("Dolo 650" -> "dolo")."""
        return normalise(re.sub(r"\s+\d[\d./]*$", "", self.name))


@dataclass
class KnowledgeBase:
    generics: dict[str, dict[str, Any]]
    classes: dict[str, dict[str, Any]]
    brands: list[Brand]
    alias_to_generic: dict[str, str] = field(default_factory=dict)
    brands_by_name: dict[str, Brand] = field(default_factory=dict)
    brands_by_base: dict[str, list[Brand]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, entry in self.generics.items():
            self.alias_to_generic[normalise(name)] = name
            for alias in entry.get("aliases", []) or []:
                self.alias_to_generic.setdefault(normalise(alias), name)
        for brand in self.brands:
            self.brands_by_name[normalise(brand.name)] = brand
            self.brands_by_base.setdefault(brand.base, []).append(brand)

    def generic(self, name: str) -> str | None:
        """Canonical generic for a generic name or alias, or None; also written in Devanagari or
        Gurmukhi ("पैरासिटामोल", "ਅਮੋਕਸੀਸਿਲਿਨ"), matched phonetically by :mod:`engine.meds.indic`."""
        found = self.alias_to_generic.get(normalise(name))
        if found is None and _INDIC_RE.search(name):
            from engine.meds.indic import generic_of

            found = generic_of(name, self)
        return found

    def class_of(self, generic: str) -> str | None:
        entry = self.generics.get(generic)
        return entry.get("class") if entry else None

    def classes_of(self, generic: str) -> list[str]:
        """The class and its parents, most specific first (for class-level interaction rules)."""
        chain: list[str] = []
        cls = self.class_of(generic)
        while cls and cls not in chain:
            chain.append(cls)
            cls = (self.classes.get(cls) or {}).get("parent")
        return chain

    def text(self, generic: str, field_name: str, language: str) -> str | None:
        """A plain-language text for ``generic``: its own override, else its class chain's."""
        entries = [self.generics.get(generic, {})] + [self.classes.get(c, {}) for c in self.classes_of(generic)]
        for entry in entries:
            value = entry.get(field_name)
            if isinstance(value, dict):
                return value.get(language) or value.get("en")
        return None


def normalise(name: str) -> str:
    """Lowercase, punctuation to spaces, single spaces: the key used for every lookup."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w+]+", " ", name.lower())).strip()


def _read_brands(path: Path) -> list[Brand]:
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    brands = []
    for row in csv.DictReader(rows, delimiter="\t"):
        generics = tuple(g.strip() for g in row["generics"].split("+"))
        brands.append(Brand(row["brand"].strip(), generics, row["strength"].strip(), row["form"].strip()))
    return brands


@lru_cache(maxsize=1)
def load(directory: Path = KB_DIR) -> KnowledgeBase:
    generics = read_yaml(directory / "generics.yml")
    classes_path = directory / "classes.yml"
    classes = read_yaml(classes_path) if classes_path.exists() else {}
    return KnowledgeBase(generics=generics, classes=classes or {}, brands=_read_brands(directory / "brands.tsv"))
