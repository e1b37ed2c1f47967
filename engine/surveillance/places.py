"""Where a case counts: village -> block -> district, from the place table in ``data/``.

Surveillance counts by block (the unit a block medical officer acts on) and drills down to villages.
A case's place comes from whatever the service knows, best first: a village name (the records
profile, the ASHA's area; any spelling the table lists, or one that sounds the same in any script:
``engine.placenames``), a PIN code, or a shared location
(nearest place within ``NEAR_KM``). Nothing else about the person is needed or kept.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from config.paths import ROOT
from engine.asha.villages import key
from engine.pharmacy.geo import haversine_km
from engine.placenames import sound_key

PLACES_TSV = ROOT / "data" / "surveillance" / "places.tsv"
NEAR_KM = 15.0  # a shared location further than this from every place in the table is not ours


@dataclass(frozen=True)
class Place:
    village: str
    block_code: str
    block: str
    district_code: str
    district: str
    block_population: int
    pin: str
    lat: float
    lon: float
    #: ISO 3166-2:IN state code (the triage's region priors); "" where the table has none.
    state: str = ""


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    with PLACES_TSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return tuple(Place(r["village"], r["block_code"], r["block"], r["district_code"], r["district"],
                           int(r["block_population"]), r["pin"], float(r["lat"]), float(r["lon"]),
                           (r.get("state") or "").strip())
                     for r in rows)


def _spellings() -> list[tuple[str, Place]]:
    """(spelling, place) for every name and alias of every place in the table."""
    with PLACES_TSV.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [(name, place) for row, place in zip(rows, places(), strict=True)
                for name in [row["village"], *row["aliases"].split("|")] if name]


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Place]:
    """Every spelling of every place, made comparable (case, script marks, punctuation)."""
    table: dict[str, Place] = {}
    for name, place in _spellings():
        if key(name):
            table.setdefault(key(name), place)
    return table


@lru_cache(maxsize=1)
def _by_sound() -> dict[str, Place]:
    """Each place by the sound of its Latin-letter spellings: any script and spelling the table does
    not list ("ਧੂਰੀ", "dhoori")."""
    table: dict[str, Place] = {}
    for name, place in _spellings():
        if name.isascii() and (k := sound_key(name)):
            table.setdefault(k, place)
    return table


def blocks() -> dict[str, tuple[str, str, int]]:
    """Block code -> (block name, district code, population), in table order."""
    return {p.block_code: (p.block, p.district_code, p.block_population) for p in places()}


def districts() -> dict[str, str]:
    """District code -> district name."""
    return {p.district_code: p.district for p in places()}


def resolve(village: str | None = None, pin: str | None = None, lat: float | None = None,
            lon: float | None = None) -> Place | None:
    """The place of a case from what is known (village, then PIN, then location); None if not ours."""
    if village and (found := _by_key().get(key(village)) or _by_sound().get(sound_key(village))):
        return found
    if pin:
        digits = "".join(ch for ch in str(pin) if ch.isdigit())
        for place in places():
            if place.pin == digits:
                return place
    if lat is not None and lon is not None:
        nearest = min(places(), key=lambda p: haversine_km(lat, lon, p.lat, p.lon))
        if haversine_km(lat, lon, nearest.lat, nearest.lon) <= NEAR_KM:
            return nearest
    return None
