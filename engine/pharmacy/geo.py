"""Where the patient is: WhatsApp shared location, a PIN code, or a village/town name.

The gazetteer (``data/pharmacy/gazetteer.tsv``) is small and local on purpose: two demo districts.
A place is found by a spelling it lists, else by sound (``engine.placenames``): "ਧੂਰੀ", "धूरी",
"dhoori" and "Dhuri" all land on the same place whether or not the table lists that spelling.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from config.paths import ROOT
from engine.placenames import sound_key

GAZETTEER = ROOT / "data" / "pharmacy" / "gazetteer.tsv"
EARTH_RADIUS_KM = 6371.0088
_PIN_RE = re.compile(r"(?<!\d)([1-8]\d{5})(?!\d)")


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    #: How we know: "shared" (WhatsApp pin), "pin", "place".
    source: str
    label: str = ""
    pin: str = ""


@dataclass(frozen=True)
class Place:
    name: str
    district: str
    pin: str
    lat: float
    lon: float
    aliases: tuple[str, ...]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; good to a few metres at these distances (no roads, so a lower bound)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around a point: an index-friendly pre-filter."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * max(math.cos(math.radians(lat)), 0.01)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    lines = [ln for ln in GAZETTEER.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return tuple(
        Place(r["name"], r["district"], r["pin"], float(r["lat"]), float(r["lon"]),
              tuple(a.strip().lower() for a in r["aliases"].split("|") if a.strip()))
        for r in csv.DictReader(lines, delimiter="\t")
    )


def _tokens(text: str) -> str:
    return " " + re.sub(r"[^\w\u0900-\u0A7F]+", " ", text.lower()) + " "


def place_in_text(text: str) -> Place | None:
    """The gazetteer place named in ``text`` (longest alias wins: "mullanpur dakha" over "mullanpur")."""
    haystack = _tokens(text)
    best: tuple[int, Place] | None = None
    for place in places():
        for alias in place.aliases:
            if f" {alias} " in haystack and (best is None or len(alias) > best[0]):
                best = (len(alias), place)
    return best[1] if best else _place_by_sound(text)


@lru_cache(maxsize=1)
def _sound_keys() -> dict[str, Place]:
    """Each place by the sound of its name and of its Latin-letter aliases ("Mullanpur" alone)."""
    return {key: place for place in places()
            for key in (sound_key(n) for n in (place.name, *place.aliases) if n.isascii()) if key}


def _place_by_sound(text: str, longest: int = 3) -> Place | None:
    """The place whose name sounds like 1..``longest`` consecutive words of ``text`` (longest first)."""
    keys = sound_key(text).split()
    table = _sound_keys()
    for n in range(min(longest, len(keys)), 0, -1):
        for start in range(len(keys) - n + 1):
            if place := table.get(" ".join(keys[start:start + n])):
                return place
    return None


_SCRIPT = {"hi": ("\u0900", "\u097f"), "pa": ("\u0a00", "\u0a7f")}


def place_label(name: str, language: str) -> str:
    """A gazetteer place's name in the language's script ("Dhuri" → "धूरी" / "ਧੂਰੀ"), else as given."""
    low, high = _SCRIPT.get(language, ("", ""))
    for place in places():
        if place.name == name and low:
            return next((a for a in place.aliases if a and low <= a[0] <= high), name)
    return name


def place_by_pin(pin: str) -> Place | None:
    """A PIN's place: exact, else the nearest PIN number in the same 4-digit area (demo gazetteer)."""
    exact = [p for p in places() if p.pin == pin]
    if exact:
        return exact[0]
    near = [p for p in places() if p.pin[:4] == pin[:4]] or [p for p in places() if p.pin[:3] == pin[:3]]
    return min(near, key=lambda p: abs(int(p.pin) - int(pin))) if near else None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def locate(text: str = "", metadata: dict[str, Any] | None = None) -> Location | None:
    """The best location we can read: a shared WhatsApp location first, then a PIN, then a place name."""
    meta = metadata or {}
    lat, lon = _float(meta.get("Latitude", meta.get("latitude"))), _float(meta.get("Longitude", meta.get("longitude")))
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        return Location(lat, lon, "shared", str(meta.get("Label") or meta.get("label") or "")[:80])
    if m := _PIN_RE.search(text or ""):
        place = place_by_pin(m.group(1))
        if place:
            return Location(place.lat, place.lon, "pin", place.name, m.group(1))
    if place := place_in_text(text or ""):
        return Location(place.lat, place.lon, "place", place.name, place.pin)
    return None
