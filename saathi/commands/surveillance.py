"""``saathi surveillance detect``: weekly syndromic counts in, outbreak alerts out (the contract).

Input: JSON lines ``{"week": "2026-W14", "area": "BLK-0007", "syndrome": "fever_rash", "count": 3}``
in any order. The command reads all of it, then writes one JSON line per alert, in week order
(``docs/contract.md``). A line it cannot use gets ``{"error": "line N: ..."}`` as it is read, before
the alerts; it is left out of the counts and the rest still runs. Exit status 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO


def register(sub: argparse._SubParsersAction) -> None:
    from engine.surveillance.detect import METHODS

    parser = sub.add_parser("surveillance", help="syndromic surveillance: outbreak detection on weekly counts")
    commands = parser.add_subparsers(dest="surveillance_command", required=True)
    detect = commands.add_parser(
        "detect", help="JSON lines of weekly counts in, one JSON line per alert out (week order)")
    detect.add_argument("--method", choices=METHODS, default=None,
                        help="ears_c2 (default, SAATHI_SURVEILLANCE_METHOD), ears_c1, ears_c3, or farrington "
                             "(quasi-Poisson GLM where a year of history exists, EARS C2 before that)")
    detect.add_argument("--threshold", type=float, default=None,
                        help="alert threshold in standard deviations (default SAATHI_SURVEILLANCE_THRESHOLD, "
                             "else the method's own)")
    detect.set_defaults(func=run_detect)
    raise_ = commands.add_parser(
        "alerts", help="detect on the events table and alert the districts' officers (once per cluster)")
    raise_.add_argument("--until", default=None, help="last ISO week to judge (default: this week)")
    raise_.set_defaults(func=run_alerts)
    simulate = commands.add_parser(
        "simulate", help="fill the events table with a seeded year of seasonal background for the demo districts")
    simulate.add_argument("--weeks", type=int, default=52, help="weeks up to and including this one (default 52)")
    simulate.add_argument("--seed", type=int, default=2026)
    simulate.add_argument("--replace", action="store_true", help="delete existing events first")
    simulate.set_defaults(func=run_simulate)
    officer = commands.add_parser("officer", help="register a records user for a district's outbreak alerts")
    officer.add_argument("user_id")
    officer.add_argument("district", help="district code of data/surveillance/places.tsv (LDH, SGR)")
    officer.set_defaults(func=run_officer)


def parse_count(obj: Any, known: frozenset[str]) -> tuple[int, str, str, int]:
    """One input object as ``(week number, area, syndrome, count)``; ValueError says what is wrong."""
    from engine.surveillance.weeks import parse_week

    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    week = parse_week(obj.get("week"))
    area = obj.get("area")
    if not isinstance(area, str) or not area.strip():
        raise ValueError("\"area\" must be a non-empty string")
    syndrome = obj.get("syndrome")
    if syndrome not in known:
        raise ValueError(f"\"syndrome\" must be a code of syndromes.tsv, not {syndrome!r}")
    count = obj.get("count")
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"\"count\" must be a whole number >= 0, not {count!r}")
    return week, area, syndrome, count


def read_counts(lines: Iterable[str], out: TextIO) -> list[tuple[int, str, str, int]]:
    """All usable counts; an ``{"error": ...}`` line on ``out`` for each line that is not."""
    from engine.surveillance.syndromes import codes
    from saathi.jsonl import emit

    known = frozenset(codes())
    counts = []
    for number, raw in enumerate(lines, start=1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            counts.append(parse_count(json.loads(raw), known))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            emit({"error": f"line {number}: {exc}"}, out)
    return counts


def detect_lines(lines: Iterable[str], out: TextIO, method: str | None = None,
                 threshold: float | None = None) -> int:
    """The whole command on ``lines``: errors as read, then the alerts in week order."""
    from config.settings import load
    from engine.surveillance.detect import detect
    from saathi.jsonl import emit

    settings = load()
    method = method or settings.surveillance_method
    if threshold is None:
        threshold = settings.surveillance_threshold
    for alert in detect(read_counts(lines, out), method, threshold):
        emit(alert.to_contract(), out)
    return 0


def run_detect(args: argparse.Namespace) -> int:
    return detect_lines(sys.stdin, sys.stdout, args.method, args.threshold)


def run_alerts(args: argparse.Namespace) -> int:
    """Raise this week's alerts; the figures as one JSON line (ids and counts only)."""
    from config.settings import load
    from engine.notify.jobs import service
    from engine.surveillance import migrations
    from engine.surveillance.alerts import raise_alerts

    settings = load()
    url = settings.effective_database_url
    migrations.upgrade(url)
    done = raise_alerts(url, service(), method=settings.surveillance_method,
                        threshold=settings.surveillance_threshold, until=args.until)
    print(json.dumps({"opened": done.opened, "extended": done.extended, "notified": done.notified}))
    return 0


def run_officer(args: argparse.Namespace) -> int:
    import uuid

    from config.settings import load
    from engine.surveillance import migrations
    from engine.surveillance.alerts import add_officer
    from engine.surveillance.places import districts

    if args.district not in districts():
        print(f"unknown district {args.district!r} (one of {', '.join(districts())})", file=sys.stderr)
        return 2
    url = load().effective_database_url
    migrations.upgrade(url)
    add_officer(url, uuid.UUID(args.user_id), args.district)
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    from config.settings import load

    written = simulate_into(load().effective_database_url, args.weeks, args.seed, replace=args.replace)
    print(json.dumps({"events": written}))
    return 0


def simulate_into(url: str, weeks: int = 52, seed: int = 2026, *, replace: bool = False) -> int:
    """Write ``weeks`` weeks of simulated events ending this week; how many rows."""
    import datetime as dt

    import sqlalchemy as sa

    from engine.surveillance import migrations
    from engine.surveillance.events import EventRow, append, engine_for
    from engine.surveillance.simulate import demo_events
    from engine.surveillance.weeks import week_of

    migrations.upgrade(url)
    if replace:
        with engine_for(url).begin() as conn:
            conn.execute(sa.delete(EventRow))
    rows = list(demo_events(week_of(dt.date.today()) - weeks + 1, weeks, seed))
    for start in range(0, len(rows), 5000):
        append(url, rows[start:start + 5000])
    return len(rows)


def seed_demo_if_empty(url: str) -> int:
    """The embedded demo (``make run``) starts with a year of surveillance data, so the dashboard is
    alive; a database that has any event is left alone."""
    import sqlalchemy as sa

    from engine.surveillance.events import EventRow, engine_for

    with engine_for(url).connect() as conn:
        if conn.execute(sa.select(EventRow.id).limit(1)).first() is not None:
            return 0
    return simulate_into(url)
