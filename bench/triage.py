"""Triage latency: model load time and p50/p95 of one ``triage()`` call (target p95 < 50 ms).

Run: ``.venv/bin/python bench/triage.py [--n 300]``. Uses the promoted model (trains it first if
none exists, which is reported separately from loading).
"""

from __future__ import annotations

import argparse
import statistics
import time

CASES = [
    ("mujhe 3 din se tez bukhar aur jodon mein dard hai", 34, "f"),
    ("chest pain and sweating since half an hour", 58, "m"),
    ("ਬੱਚੇ ਨੂੰ ਦਸਤ ਅਤੇ ਉਲਟੀ", 2, None),
    ("खांसी तीन हफ्ते से और वजन कम हो रहा है", 45, "m"),
    ("burning urination and frequent urination", 28, "f"),
    ("itching all over worse at night", 12, "m"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()

    from engine.triage import Engine
    from engine.triage.kb import load
    from engine.triage.registry import Registry

    started = time.perf_counter()
    kb = load()
    kb_seconds = time.perf_counter() - started
    registry = Registry()
    if registry.promoted() is None:
        started = time.perf_counter()
        registry.train(kb, promote=True)
        print(f"trained a model first: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    engine = Engine(kb=kb, registry=registry)
    model = engine.model
    load_seconds = time.perf_counter() - started
    engine.triage(CASES[0][0], age=CASES[0][1], sex=CASES[0][2])  # warm up the NLU caches
    timings = []
    for i in range(args.n):
        text, age, sex = CASES[i % len(CASES)]
        started = time.perf_counter()
        engine.triage(text, age=age, sex=sex)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"knowledge base load: {kb_seconds * 1000:.0f} ms ({len(kb)} conditions)")
    print(f"model load: {load_seconds * 1000:.0f} ms (version {model.version if model else None})")
    print(f"triage() over {args.n} calls: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
          f"max {timings[-1]:.1f} ms (target p95 < 50 ms)")


if __name__ == "__main__":
    main()
