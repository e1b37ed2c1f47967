"""Demo data: deterministic, idempotent when seeded from prepare_database, and searchable."""

from __future__ import annotations

from sqlalchemy import select

from engine.pharmacy import PharmacyService, locate
from engine.pharmacy.models import Pharmacy, StockItem
from engine.pharmacy.wanted import from_text
from records.db import make_engine, make_session_factory
from saathi.commands.pharmacy import seed_if_empty
from tests.support.pharmacy import MORNING, Clock


def _snapshot(url: str) -> list[tuple]:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        rows = s.execute(select(Pharmacy.name, Pharmacy.lat, StockItem.brand, StockItem.strength, StockItem.quantity,
                                StockItem.price_paise).join(StockItem).order_by(Pharmacy.id, StockItem.id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_seed_is_deterministic_idempotent_and_covers_both_districts(tmp_path):
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    added = seed_if_empty(first)
    assert added > 50 and seed_if_empty(first) == 0  # only into an empty table
    seed_if_empty(second)
    assert _snapshot(first) == _snapshot(second)
    service = PharmacyService(make_session_factory(make_engine(first)), clock=Clock(MORNING))
    with service.sessions() as s:
        districts = set(s.scalars(select(Pharmacy.district)))
        jan = s.scalars(select(Pharmacy).where(Pharmacy.jan_aushadhi)).all()
    assert districts == {"Ludhiana", "Sangrur"} and jan
    for place in ("ludhiana", "sangrur", "khanna", "sunam"):
        offers = service.search(from_text("dolo 650, pan 40"), locate(place))
        assert offers and offers[0].covered >= 1, place
