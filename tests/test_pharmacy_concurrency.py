"""20 patients reserve the last units at once on PostgreSQL: exactly as many succeed as there are units."""

from __future__ import annotations

import threading
import uuid

import pytest

from engine.pharmacy import OutOfStock
from engine.pharmacy.models import StockItem
from tests.support.pharmacy import Clock, add_shop, build
from tests.support.records import fresh_pg_database

pytestmark = pytest.mark.postgres
WORKERS = 20


def test_twenty_parallel_reservations_never_oversell():
    with fresh_pg_database("saathi_ph") as url:
        service = build(url, Clock())
        with service.sessions() as s:
            shop = add_shop(s, "Busy", 1, [("paracetamol", "650 mg", "Dolo 650", 30, 7),
                                          ("cetirizine", "10 mg", "Okacet", 20, 100)])
            s.commit()
            a, b = sorted(x.id for x in s.query(StockItem).filter_by(pharmacy_id=shop))
        barrier = threading.Barrier(WORKERS)
        results: list[str] = []
        lock = threading.Lock()

        def patient(i: int) -> None:
            lines = [(a, 1), (b, 1)] if i % 2 else [(b, 1), (a, 1)]  # both orders: no deadlock either
            barrier.wait()
            try:
                service.reserve(shop, uuid.uuid4(), lines)
                outcome = "ok"
            except OutOfStock:
                outcome = "out"
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=patient, args=(i,)) for i in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        with service.sessions() as s:
            left = {x.id: x.quantity for x in s.query(StockItem).filter_by(pharmacy_id=shop)}
        service.sessions.kw["bind"].dispose()
    assert len(results) == WORKERS
    assert results.count("ok") == 7 and results.count("out") == 13
    assert left == {a: 0, b: 93}  # the failed ones gave back their cetirizine too
