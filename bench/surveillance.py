"""Weekly aggregation of surveillance events on PostgreSQL, and detection on its output.

    .venv/bin/python bench/surveillance.py [--events 1000000]

Fills a fresh database (``saathi_bench_surv`` on 127.0.0.1:5432, dropped afterwards) with seeded
events spread over 3 years, every block of the demo districts and their villages, all syndromes
(loaded with COPY, not timed), then times ``engine.surveillance.events.weekly_counts`` by block and
by village (target: < 10 s for 1,000,000 events), and ``detect`` on the block counts.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.surveillance import migrations  # noqa: E402
from engine.surveillance.detect import detect  # noqa: E402
from engine.surveillance.events import weekly_counts  # noqa: E402
from engine.surveillance.places import places  # noqa: E402
from engine.surveillance.syndromes import codes  # noqa: E402
from engine.surveillance.weeks import monday_of, parse_week  # noqa: E402
from tests.support.records import fresh_pg_database  # noqa: E402

COLUMNS = ("week", "district", "block", "village", "syndrome", "age_band", "sex", "urgency", "channel", "source")


def fill(url: str, n: int, seed: int = 7) -> None:
    import psycopg2

    rng = np.random.default_rng(seed)
    where = places()
    first = parse_week("2023-W01")
    weeks = [monday_of(first + i).isoformat() for i in range(156)]
    pick = {
        "week": rng.integers(0, len(weeks), n), "place": rng.integers(0, len(where), n),
        "syndrome": rng.choice(len(codes()), n, p=_weights()), "age": rng.integers(0, 6, n),
        "sex": rng.integers(0, 2, n), "urgency": rng.integers(0, 3, n), "channel": rng.integers(0, 3, n),
        "source": rng.choice(3, n, p=[0.7, 0.25, 0.05]),
    }
    bands, sexes = ("0-4", "5-14", "15-29", "30-44", "45-59", "60+"), ("m", "f")
    urgencies, channels, sources = ("routine", "urgent", "emergency"), ("whatsapp", "sms", "voice"), ("bot", "asha", "portal")
    syndromes = codes()
    buffer = io.StringIO()
    for i in range(n):
        place = where[pick["place"][i]]
        buffer.write("\t".join((weeks[pick["week"][i]], place.district_code, place.block_code, place.village,
                                syndromes[pick["syndrome"][i]], bands[pick["age"][i]], sexes[pick["sex"][i]],
                                urgencies[pick["urgency"][i]], channels[pick["channel"][i]],
                                sources[pick["source"][i]])) + "\n")
    buffer.seek(0)
    connection = psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://"))
    try:
        with connection, connection.cursor() as cursor:
            cursor.copy_expert(f"COPY surveillance_events ({', '.join(COLUMNS)}) FROM STDIN", buffer)
            cursor.execute("ANALYZE surveillance_events")
    finally:
        connection.close()


def _weights() -> list[float]:
    raw = np.array([10, 0.5, 0.2, 0.2, 1.5, 2, 0.05, 6, 0.8, 0.5, 1.5, 0.3][: len(codes())], dtype=float)
    return list(raw / raw.sum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with fresh_pg_database("saathi_bench_surv") as url:
        migrations.upgrade(url)
        started = time.perf_counter()
        fill(url, args.events)
        print(f"loaded {args.events:,} events with COPY in {time.perf_counter() - started:.1f} s (not the target)")
        for by in ("block", "village"):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                counts = weekly_counts(url, by=by)
                runs.append(time.perf_counter() - started)
            print(f"weekly aggregation by {by}: {len(counts):,} (week, {by}, syndrome) cells, "
                  f"best {min(runs):.2f} s, worst {max(runs):.2f} s of 3 (target < 10 s)")
        counts = weekly_counts(url)
        started = time.perf_counter()
        alerts = detect((parse_week(w), a, s, c) for w, a, s, c in counts)
        print(f"detect (ears_c2) on the block counts: {len(alerts)} alerts in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
