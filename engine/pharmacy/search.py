"""Rank pharmacies for a list of medicines: coverage of the whole list first, then open now, then
a cost that trades distance against price (₹20 ≈ 1 km of travel for a patient on a bus or bike).

The database only pre-filters (generic in the list, in stock, inside a bounding box, indexed); the
ranking is plain Python over a few hundred rows, so it is easy to read and to explain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from engine.pharmacy import hours
from engine.pharmacy.geo import Location, bounding_box, haversine_km
from engine.pharmacy.models import Pharmacy, StockItem
from engine.pharmacy.wanted import Wanted

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


#: Forms a patient can take one for the other; any other form must match when both are known.
INTERCHANGEABLE_FORMS = frozenset({"tablet", "capsule"})


def _product_clause(wanted: Wanted):  # type: ignore[no-untyped-def]
    """The stock rows that can serve ``wanted``: same composition, same strength when asked for
    (stored strengths are normalised the same way), a compatible form when both are known."""
    clause = [StockItem.generic == wanted.generic]
    if wanted.strength:
        clause.append(StockItem.strength == wanted.strength)
    if wanted.form:
        forms = INTERCHANGEABLE_FORMS if wanted.form in INTERCHANGEABLE_FORMS else {wanted.form}
        clause.append(or_(StockItem.form.in_(sorted(forms)), StockItem.form == ""))
    return and_(*clause)


def search(session: Session, wanted: list[Wanted], where: Location, now: dt.datetime, *,
           limit: int = 3, radii: tuple[float, ...] = RADIUS_KM) -> list[Offer]:
    """The best ``limit`` pharmacies near ``where`` for ``wanted`` (empty when nothing is stocked)."""
    if not wanted:
        return []
    for radius in radii:
        offers = _offers_within(session, wanted, where, now, radius, limit)
        if offers:
            return sorted(offers, key=Offer.rank_key)
    return []


def _offers_within(session: Session, wanted: list[Wanted], where: Location, now: dt.datetime,
                   radius: float, limit: int) -> list[Offer]:
    """Three indexed queries, so the work does not grow with the stock of every shop around:
    the shops in the box (distance and opening computed once each), per shop the number of wanted
    medicines it has and their cheapest total (grouped in SQL), then the products of the best few."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(where.lat, where.lon, radius)
    in_box = (Pharmacy.lat.between(min_lat, max_lat), Pharmacy.lon.between(min_lon, max_lon))
    conn = session.connection()
    minute = hours.minute_of_day(now)
    shops = {}  # id → (row, distance, open now); an Offer is built only for the few chosen
    for shop in conn.execute(select(cast(Pharmacy.id, String), Pharmacy.name, Pharmacy.chain, Pharmacy.jan_aushadhi,
                                    Pharmacy.contact, Pharmacy.place, Pharmacy.lat, Pharmacy.lon, Pharmacy.hours)
                             .where(*in_box)):
        distance = haversine_km(where.lat, where.lon, shop[6], shop[7])
        if distance <= radius:
            shops[shop[0]] = (shop, distance, hours.open_at(shop[8], minute))
    clauses = [_product_clause(w) for w in wanted]
    which = case(*((clause, i) for i, clause in enumerate(clauses)))
    per_medicine = (
        select(StockItem.pharmacy_id.label("pid"), which.label("w"), func.min(StockItem.price_paise).label("price"))
        .join(Pharmacy, Pharmacy.id == StockItem.pharmacy_id)
        .where(or_(*clauses), StockItem.quantity > 0, *in_box)
        .group_by(StockItem.pharmacy_id, which).subquery())
    ranked = []
    for pid, covered, total in conn.execute(select(cast(per_medicine.c.pid, String), func.count(),
                                                   func.sum(per_medicine.c.price)).group_by(per_medicine.c.pid)):
        if pid in shops:
            _shop, distance, open_now = shops[pid]
            ranked.append(((-covered, not open_now, round(distance, 1) + total / 100 / RUPEES_PER_KM), pid))
    best = [_offer(*shops[pid], now) for _key, pid in sorted(ranked)[:limit]]
    if best:
        _fill_picks(conn, best, wanted, clauses)
    return best


def _offer(shop, distance: float, open_now: bool, now: dt.datetime) -> Offer:  # type: ignore[no-untyped-def]
    return Offer(uuid.UUID(shop[0]), shop[1], shop[2], shop[3], shop[4], shop[5], round(distance, 1), open_now,
                 hours.opens_at(shop[8], now))


def _fill_picks(conn, offers: list[Offer], wanted: list[Wanted], clauses: list) -> None:  # type: ignore[no-untyped-def]
    """For each chosen shop and wanted medicine, the cheapest product (the asked-for brand on a tie)."""
    by_id = {offer.pharmacy_id: offer for offer in offers}
    rows: dict[tuple[uuid.UUID, int], list] = {}
    which = case(*((clause, i) for i, clause in enumerate(clauses)))
    for row in conn.execute(
        select(StockItem.pharmacy_id, which, StockItem.id, StockItem.brand, StockItem.strength,
               StockItem.price_paise, StockItem.quantity)
        .where(StockItem.pharmacy_id.in_(list(by_id)), or_(*clauses), StockItem.quantity > 0)
    ):
        rows.setdefault((row[0], row[1]), []).append(row)
    for pid, offer in by_id.items():
        for i, w in enumerate(wanted):
            candidates = rows.get((pid, i))
            if not candidates:
                offer.missing.append(w)
                continue
            top = min(candidates, key=lambda r: (r[5], r[3].lower() != w.brand.lower()))
            offer.picks.append(Pick(w, top[2], top[3], top[4], top[5], top[6]))
