"""Deterministic demo data: pharmacies around every gazetteer place (Ludhiana, Sangrur) and their
stock of common medicines, taken from the medicine knowledge base so names always resolve.

Same seed → same shops, same stock, same prices: tests and demos can rely on "Sharma Medical".
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

from sqlalchemy.orm import Session

from engine.meds.kb import load
from engine.pharmacy.geo import Place, places
from engine.pharmacy.models import Pharmacy, StockItem
from engine.pharmacy.wanted import composition, normalise_strength

COMMON_GENERICS = (
    "paracetamol", "cetirizine", "levocetirizine", "pantoprazole", "omeprazole", "metformin", "glimepiride",
    "amlodipine", "telmisartan", "losartan", "atorvastatin", "azithromycin", "amoxicillin", "ibuprofen",
    "montelukast", "domperidone", "ondansetron", "aspirin", "clopidogrel", "metronidazole", "ciprofloxacin",
    "albendazole", "diclofenac", "famotidine", "salbutamol", "prednisolone", "doxycycline", "ranitidine",
)
SHOP_NAMES = ("Sharma Medical Store", "Gill Medicos", "Sidhu Chemists", "Guru Nanak Medical Hall", "Bansal Pharmacy",
              "Goyal Medical Store", "Dhillon Medicos", "Arora Chemists", "Grewal Medical Hall", "Singla Pharmacy")
CHAINS = ("Apollo Pharmacy", "MedPlus")
HOURS = ("09:00-21:00", "08:30-22:00", "09:00-13:00,16:00-21:00", "00:00-24:00")


def products() -> list[tuple[str, str, str, str, int]]:
    """(composition, strength, form, brand, MRP paise) for every single-generic brand of a common
    generic in the KB, plus the plain generic at each strength (cheaper, what Jan Aushadhi sells)."""
    kb = load()
    out: list[tuple[str, str, str, str, int]] = []
    for generic in COMMON_GENERICS:
        brands = [b for b in kb.brands if b.generics == (generic,)][:4]
        for strength in sorted({normalise_strength(b.strength) for b in brands}):
            base = random.Random(f"{generic}|{strength}").randint(20, 160) * 100
            form = next(b.form for b in brands if normalise_strength(b.strength) == strength)
            out.append((composition([generic]), strength, form, "generic", base * 6 // 10))
            for b in brands:
                if normalise_strength(b.strength) == strength:
                    markup = random.Random(b.name).randint(100, 140)
                    out.append((composition([generic]), strength, form, b.name, base * markup // 100))
    return out


def _shops_at(place: Place, rng: random.Random) -> Iterator[dict]:
    count = 8 if place.name in ("Ludhiana", "Sangrur") else rng.randint(2, 4)
    for i in range(count):
        jan = i == 0
        chain = CHAINS[i % 2] if i in (1, 2) and count > 3 else None
        name = (f"Jan Aushadhi Kendra {place.name}" if jan else
                f"{chain} {place.name}" if chain else f"{rng.choice(SHOP_NAMES)} {place.name}")
        yield {"name": name, "chain": chain or ("Jan Aushadhi" if jan else None), "jan_aushadhi": jan,
               "lat": round(place.lat + rng.uniform(-0.02, 0.02), 5), "lon": round(place.lon + rng.uniform(-0.02, 0.02), 5),
               "pin": place.pin, "place": place.name, "district": place.district,
               "hours": "09:00-17:00" if jan else rng.choice(HOURS),
               "contact": f"0161-{rng.randint(2000000, 2999999)}" if place.district == "Ludhiana"
               else f"01672-{rng.randint(200000, 299999)}"}


def seed(session: Session, *, random_seed: int = 2026) -> int:
    """Add the demo pharmacies and stock; returns how many pharmacies. Caller commits."""
    rng = random.Random(random_seed)
    catalogue = products()
    count = 0
    for place in places():
        for shop in _shops_at(place, rng):
            pharmacy = Pharmacy(id=uuid.UUID(int=rng.getrandbits(128), version=4), **shop)
            session.add(pharmacy)
            for generic, strength, form, brand, price in catalogue:
                if shop["jan_aushadhi"] != (brand == "generic") and not (brand == "generic" and rng.random() < 0.5):
                    continue
                if rng.random() < 0.2:  # no shop has everything
                    continue
                pharmacy.stock.append(StockItem(generic=generic, strength=strength, form=form, brand=brand,
                                                price_paise=price * (5 if shop["jan_aushadhi"] else 10) // 10,
                                                quantity=rng.randint(0, 40)))
            count += 1
    session.flush()
    return count
