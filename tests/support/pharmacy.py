"""Test helpers (plain code, no pytest): a movable clock, hand-made shops near Dhuri, a service on any URL.

The fixtures live in tests/pharmacy_fixtures.py; keeping the helpers here lets test modules import
them without importing the fixture plugin module twice."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from engine.pharmacy import PharmacyService, migrate
from engine.pharmacy.models import Pharmacy, StockItem
from records.db import make_engine, make_session_factory

DHURI = (30.3686, 75.8675)
#: 10:00 IST: every demo shop is open.
MORNING = dt.datetime(2026, 11, 26, 4, 30, tzinfo=dt.timezone.utc)


@dataclass
class Clock:
    now: dt.datetime = MORNING

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def add_shop(session, name: str, km_north: float, stock: list[tuple[str, str, str, int, int]], *,
             hours: str = "00:00-24:00", jan: bool = False, phone_hash: str | None = None) -> uuid.UUID:
    """A shop ``km_north`` km north of Dhuri with ``[(generic, strength, brand, rupees, units)]``."""
    shop = Pharmacy(id=uuid.uuid4(), name=name, lat=DHURI[0] + km_north / 111.2, lon=DHURI[1], pin="148024",
                    place="Dhuri", district="Sangrur", hours=hours, jan_aushadhi=jan, contact="01675-200000",
                    sms_phone_hash=phone_hash)
    session.add(shop)
    for generic, strength, brand, rupees, units in stock:
        shop.stock.append(StockItem(generic=generic, strength=strength, form="tablet", brand=brand,
                                    price_paise=rupees * 100, quantity=units))
    session.flush()
    return shop.id


def build(url: str, clock: Clock) -> PharmacyService:
    migrate(url)
    return PharmacyService(make_session_factory(make_engine(url, pool_size=25)), clock=clock)
