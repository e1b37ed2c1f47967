"""Rank pharmacies for a list of medicines: coverage of the whole list first, then open now, then
a cost that trades distance against price (₹20 ≈ 1 km of travel for a patient on a bus or bike).

The database only pre-filters (generic in the list, in stock, inside a bounding box, indexed); the
ranking is plain Python over a few hundred rows, so it is easy to read and to explain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.pharmacy import hours
from engine.pharmacy.geo import Location, bounding_box, haversine_km
from engine.pharmacy.models import Pharmacy, StockItem
from engine.pharmacy.wanted import Wanted, strength_key

#: Search radius, widened once when nothing is found (rural shops are far apart).
RADIUS_KM = (25.0, 60.0)
RUPEES_PER_KM = 20.0


@dataclass(frozen=True)
class Pick:
    """The product a pharmacy would sell for one wanted medicine."""

    wanted: Wanted
    stock_id: int
    brand: str
    strength: str
    price_paise: int
    quantity: int

    @property
    def substitute(self) -> bool:
        """Another brand (or the plain generic) of the same composition and strength."""
        return bool(self.wanted.brand) and self.brand.lower() != self.wanted.brand.lower()


@dataclass
class Offer:
    pharmacy_id: uuid.UUID
    name: str
    chain: str | None
    jan_aushadhi: bool
    contact: str
    place: str
    distance_km: float
    open_now: bool
    opens_at: str
    picks: list[Pick] = field(default_factory=list)
    missing: list[Wanted] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return len(self.picks)

    @property
    def total_paise(self) -> int:
        return sum(p.price_paise for p in self.picks)

    @property
    def cost(self) -> float:
        return self.distance_km + self.total_paise / 100 / RUPEES_PER_KM

    def rank_key(self) -> tuple:
        return (-self.covered, not self.open_now, self.cost)

    def to_slot(self) -> dict:
        """What the bot remembers between "here are 3 shops" and "reserve 1" (no health data)."""
        return {"pharmacy_id": str(self.pharmacy_id), "name": self.name,
                "stock_ids": [p.stock_id for p in self.picks]}


def _matches(wanted: Wanted, item_strength: str, item_form: str) -> bool:
    if wanted.strength and strength_key(wanted.strength) != strength_key(item_strength):
        return False
    return not (wanted.form and item_form and wanted.form != item_form and
                {wanted.form, item_form} != {"tablet", "capsule"})


def search(session: Session, wanted: list[Wanted], where: Location, now: dt.datetime, *,
           limit: int = 3, radii: tuple[float, ...] = RADIUS_KM) -> list[Offer]:
    """The best ``limit`` pharmacies near ``where`` for ``wanted`` (empty when nothing is stocked)."""
    if not wanted:
        return []
    for radius in radii:
        offers = _offers_within(session, wanted, where, now, radius)
        if offers:
            return sorted(offers, key=Offer.rank_key)[:limit]
    return []


def _offers_within(session: Session, wanted: list[Wanted], where: Location, now: dt.datetime,
                   radius: float) -> list[Offer]:
    min_lat, max_lat, min_lon, max_lon = bounding_box(where.lat, where.lon, radius)
    rows = session.execute(
        select(StockItem.id, StockItem.pharmacy_id, StockItem.generic, StockItem.strength, StockItem.form,
               StockItem.brand, StockItem.price_paise, StockItem.quantity,
               Pharmacy.name, Pharmacy.chain, Pharmacy.jan_aushadhi, Pharmacy.contact, Pharmacy.place,
               Pharmacy.lat, Pharmacy.lon, Pharmacy.hours)
        .join(Pharmacy, Pharmacy.id == StockItem.pharmacy_id)
        .where(StockItem.generic.in_({w.generic for w in wanted}), StockItem.quantity > 0,
               Pharmacy.lat.between(min_lat, max_lat), Pharmacy.lon.between(min_lon, max_lon))
    ).all()
    by_pharmacy: dict[uuid.UUID, list] = {}
    for row in rows:
        by_pharmacy.setdefault(row.pharmacy_id, []).append(row)
    offers = []
    for pharmacy_id, items in by_pharmacy.items():
        first = items[0]
        distance = haversine_km(where.lat, where.lon, first.lat, first.lon)
        if distance > radius:
            continue
        offer = Offer(pharmacy_id, first.name, first.chain, first.jan_aushadhi, first.contact, first.place,
                      round(distance, 1), hours.is_open(first.hours, now), hours.opens_at(first.hours, now))
        for w in wanted:
            candidates = [r for r in items if r.generic == w.generic and _matches(w, r.strength, r.form)]
            if not candidates:
                offer.missing.append(w)
                continue
            # the asked-for brand if it is here at the same price or less, else the cheapest
            best = min(candidates, key=lambda r: (r.price_paise, r.brand.lower() != w.brand.lower()))
            offer.picks.append(Pick(w, best.id, best.brand, best.strength, best.price_paise, best.quantity))
        if offer.picks:
            offers.append(offer)
    return offers
