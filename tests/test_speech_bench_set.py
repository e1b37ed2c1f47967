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
