"""Benchmark of the pharmacy search on PostgreSQL: p50/p95 latency of one search (3-5 medicines,
a random point in the two demo districts) over N pharmacies × M products in stock.

Loads the data with one INSERT … SELECT (cross join, server side), then ANALYZE. Creates and drops
its own database unless ``--url`` is given.

    .venv/bin/python bench/pharmacy.py [--pharmacies 5000] [--products 500] [--searches 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from engine.meds.kb import load  # noqa: E402
from engine.pharmacy import PharmacyService, migrate  # noqa: E402
from engine.pharmacy.geo import Location  # noqa: E402
from engine.pharmacy.wanted import Wanted, composition, normalise_strength  # noqa: E402
from records.db import make_engine, make_session_factory, normalise_url  # noqa: E402
from tests.support.pharmacy import MORNING, Clock  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
#: Ludhiana and Sangrur districts, roughly (≈ 130 km × 95 km).
LAT, LON = (29.8, 31.0), (75.3, 76.3)


def product_list(count: int) -> list[tuple[str, str, str]]:
    """``count`` distinct (composition, strength, form) from the medicine KB, padded with made-up strengths."""
    seen: dict[tuple[str, str], str] = {}
    for brand in load().brands:
        seen.setdefault((composition(brand.generics), normalise_strength(brand.strength)), brand.form)
    products = [(g, s, f) for (g, s), f in seen.items()]
    extra = 1
    while len(products) < count:
        g, s, f = products[len(products) % len(seen)]
        products.append((g, f"{extra} mcg", f))
        extra += 1
    return products[:count]


def load_data(url: str, pharmacies: int, products: list[tuple[str, str, str]]) -> None:
    engine = make_engine(url)
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE bench_products (generic text, strength text, form text)"))
        conn.execute(text("INSERT INTO bench_products VALUES (:g, :s, :f)"),
                     [{"g": g, "s": s, "f": f} for g, s, f in products])
        conn.execute(text(
            "INSERT INTO pharmacies (id, name, chain, jan_aushadhi, lat, lon, pin, place, district, hours, contact, "
            "language) VALUES (:id, :name, NULL, :jan, :lat, :lon, '141001', '', '', :hours, '', 'en')"),
            [{"id": uuid.UUID(int=rng.getrandbits(128), version=4), "name": f"Shop {i}", "jan": i % 10 == 0,
              "lat": rng.uniform(*LAT), "lon": rng.uniform(*LON),
              "hours": "09:00-21:00" if i % 3 else "00:00-24:00"} for i in range(pharmacies)])
        conn.execute(text(
            "INSERT INTO pharmacy_stock (pharmacy_id, generic, strength, form, brand, price_paise, quantity, "
            "updated_at) SELECT p.id, b.generic, b.strength, b.form, 'generic', (500 + random() * 20000)::int, "
            "(random() * 50)::int, now() FROM pharmacies p CROSS JOIN bench_products b"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does: visibility map for index-only scans
    engine.dispose()


def run(url: str, args: argparse.Namespace) -> None:
    migrate(url)
    products = product_list(args.products)
    started = time.perf_counter()
    load_data(url, args.pharmacies, products)
    print(f"loaded {args.pharmacies} pharmacies × {len(products)} products = "
          f"{args.pharmacies * len(products):,} stock rows in {time.perf_counter() - started:.0f} s")
    service = PharmacyService(make_session_factory(make_engine(url)), clock=Clock(MORNING))
    rng = random.Random(11)
    timings = []
    for i in range(args.searches + 20):
        wanted = [Wanted(g, g, s, f) for g, s, f in rng.sample(products, rng.randint(3, 5))]
        where = Location(rng.uniform(*LAT), rng.uniform(*LON), "shared")
        t0 = time.perf_counter()
        offers = service.search(wanted, where)
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= 20:  # warm-up: connection pool, plan cache
            timings.append(elapsed)
        assert offers, "every point should have a shop nearby"
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"search latency over {len(timings)} searches: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (target p95 < 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pharmacies", type=int, default=5000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--url", help="an existing (empty) database instead of a throw-away one")
    args = parser.parse_args()
    if args.url:
        run(args.url, args)
        return
    name = f"saathi_bench_pharmacy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(f"{SERVER}/postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run(f"{SERVER}/{name}", args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
