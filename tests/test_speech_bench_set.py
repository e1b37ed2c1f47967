"""The speech bench's set stays what issue #19 asks for (no audio is made here: bench/speech.py does that)."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter

from config.paths import ROOT

_spec = importlib.util.spec_from_file_location("bench_speech", ROOT / "bench" / "speech.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_speech"] = bench  # dataclasses look their module up
_spec.loader.exec_module(bench)


def test_at_least_60_utterances_per_language_each_in_its_script():
    assert len(bench.UTTERANCES) >= 60
    for _kind, hindi, punjabi, english in bench.UTTERANCES:
        assert re.search("[\u0900-\u097f]", hindi) and not re.search("[\u0a00-\u0a7f]", hindi)
        assert re.search("[\u0a00-\u0a7f]", punjabi) and not re.search("[\u0900-\u097f]", punjabi)
        assert english.isascii()


def test_every_kind_is_spoken_by_every_voice_variant():
    kinds = Counter(kind for kind, *_ in bench.UTTERANCES)
    assert set(kinds) == {"symptom", "number", "yesno", "place"} and min(kinds.values()) >= 8
    variants = {kind: {bench.VARIANTS[i % len(bench.VARIANTS)] for i, (k, *_) in enumerate(bench.UTTERANCES) if k == kind}
                for kind in kinds}
    assert all(len(v) == len(bench.VARIANTS) for v in variants.values())
    assert len({speed for speed, _ in bench.VARIANTS}) >= 3 and len({pitch for _, pitch in bench.VARIANTS}) >= 3


def test_tuning_and_held_out_halves_each_have_every_kind_and_voice_variant():
    halves = {"tune": [], "held": []}
    for index, (kind, *_) in enumerate(bench.UTTERANCES):
        halves[bench.half(index)].append((kind, bench.VARIANTS[index % len(bench.VARIANTS)]))
    assert abs(len(halves["tune"]) - len(halves["held"])) <= 1
    for pairs in halves.values():
        assert {k for k, _ in pairs} == {"symptom", "number", "yesno", "place"}
        assert {v for _, v in pairs} == set(bench.VARIANTS)


def test_floor_choice_uses_the_tuning_half_only():
    def record(half, text, logprob):
        return {"setting": "pa:hi:yes:no", "language": "pa", "band": "wide", "index": 0, "half": half,
                "ref": "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", "text": text, "logprob": logprob, "seconds": 1.0, "duration": 1.0}

    tune = [record("tune", "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", -0.3), record("tune", "ਪਰ ਪਰ", -0.8)]
    held = [record("held", "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", -0.9)] * 5  # would pull the floor down if it were looked at
    assert bench.choose_floors(tune + held) == {"pa:hi:yes:no": -0.7}
