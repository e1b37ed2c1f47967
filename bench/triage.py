"""Triage latency: model load time and p50/p95 of one ``triage()`` call (target p95 < 50 ms).

Run: ``.venv/bin/python bench/triage.py [--n 300] [--dialogue 400]``; ``--red-flags`` instead reports
red-flag recall and false positives on the held-out vignettes and NLU set (precision check). Uses the promoted model
(trains it first if none exists, which is reported separately from loading). ``--dialogue N``
also simulates N synthetic patients (drawn by prevalence from the KB) who first mention some of
their symptoms and then answer up to 6 ``next_question`` prompts truthfully, and reports top-1/3
accuracy after 0, 3 and 6 questions, the value of asking.
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
    ("T 103 P 128 SPO2 89 khansi", 25, "f"),  # readings (nlu/vitals.py)
    ("BP 164/112, bahut tez sir dard, 8 mahine ki garbhvati", 26, "f"),
]


def simulate_dialogue(engine, n: int, seed: int = 7) -> dict[int, tuple[float, float]]:
    """Top-1/top-3 accuracy after 0, 3 and 6 questions on synthetic patients."""
    import numpy as np

    from engine.triage.evidence import Evidence, normalise

    kb, rng = engine.kb, np.random.default_rng(seed)
    hits = {k: [0, 0] for k in (0, 3, 6)}
    labels = rng.choice(len(kb), size=n, p=kb.prevalence / kb.prevalence.sum())
    for label in labels:
        truth = {kb.symptoms[j] for j in np.flatnonzero(rng.random(len(kb.symptoms)) < kb.likelihood[label])}
        if not truth:
            continue
        said = [s for s in truth if rng.random() < 0.4] or [max(truth, key=lambda s: kb.likelihood[label, kb.symptom_index[s]])]
        present, negated = list(said), []
        age = float(rng.uniform(18, 60)) if kb.conditions[label].age_factor["adult"] > 0 else 5.0
        sex = "f" if kb.conditions[label].sex_factor["m"] == 0 else "m" if kb.conditions[label].sex_factor["f"] == 0 else None
        pregnant = True if kb.conditions[label].pregnancy == "required" else None
        for asked in range(7):
            if asked in hits:
                ev = normalise(kb, Evidence(present, negated, age, sex, pregnant))
                order = list(np.argsort(-engine.probabilities(ev)))
                hits[asked][0] += order[0] == label
                hits[asked][1] += label in order[:3]
            question = engine.next_question(present, negated, age=age, sex=sex, pregnant=pregnant)
            if question is None:
                continue
            (present if question in truth else negated).append(question)
    return {k: (v[0] / n, v[1] / n) for k, v in hits.items()}


def report_red_flags() -> None:
    """Red-flag recall and false-positive rate on the vignettes and the held-out NLU set."""
    import yaml

    from engine.triage.evaluate import DEFAULT_NLU_HELDOUT, load_vignettes, red_flag_rates

    nlu_items = yaml.safe_load(DEFAULT_NLU_HELDOUT.read_text(encoding="utf-8")) or []
    r = red_flag_rates(load_vignettes(), nlu_items)
    for prefix in ("vignette", "nlu"):
        caught, total = r[f"{prefix}_emergency_flagged"], r[f"{prefix}_emergencies"]
        fp, others = r[f"{prefix}_false_positives"], r[f"{prefix}_non_emergencies"]
        print(f"{prefix}: red flag on {caught}/{total} emergencies ({caught / total:.1%}), "
              f"false positives {fp}/{others} ({fp / others:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--dialogue", type=int, default=0, help="simulate N patients answering questions")
    parser.add_argument("--red-flags", action="store_true",
                        help="only report red-flag recall and false positives on the held-out sets")
    args = parser.parse_args()
    if args.red_flags:
        report_red_flags()
        return

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
    started = time.perf_counter()
    for _ in range(args.n):
        engine.forget_questions()  # the cost of working one out, not of remembering it
        engine.next_question(["fever", "headache"], ["cough"], age=30, sex="m")
    print(f"next_question(): {(time.perf_counter() - started) * 1000 / args.n:.1f} ms per call")
    if args.dialogue:
        for asked, (top1, top3) in simulate_dialogue(engine, args.dialogue).items():
            print(f"dialogue, {asked} questions asked: top-1 {top1:.1%}, top-3 {top3:.1%} ({args.dialogue} patients)")


if __name__ == "__main__":
    main()
