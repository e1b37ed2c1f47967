"""A second, independent emergency safety net: a calibrated classifier over character n-grams.

Why: the red-flag rules (``nlu.red_flags``) catch the phrasings their lexicon was written for and
miss paraphrases nobody listed ("tractor palat gaya, pet phool raha"). This net is not a lexicon:
a logistic regression over hashed character 3-6-grams and words of the NLU's matching keys
(``nlu.text.match_key``: nukta, nasal marks, romanisation variants folded), so spellings, scripts
and registers it never saw still share most of their n-grams with ones it did. It can only ever
RAISE urgency: above the high threshold it adds a ``RedFlag`` (id ``safety_net``), above the lower
one ``level()`` says "urgent"; below both it says nothing and nothing else changes.

The weights are data (``data/safety_net/model.npz`` + ``model.json``), trained in ``.venv`` by
``scripts/train_safety_net.py`` from ``data/safety_net/*.tsv``, which reproduces them exactly;
the thresholds were chosen on a held-out calibration split (see ``model.json``: ``thresholds``
and ``heldout``). Inference here is numpy + the standard library only, so it runs unchanged in
Rasa's Python 3.10 (numpy 1.23) and in the 3.11 venv (numpy 2).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from nlu.resources import DATA_DIR, read_json
from nlu.text import phrase_key, tokenize

if TYPE_CHECKING:
    from nlu.red_flags import RedFlag

MODEL_DIR = DATA_DIR / "safety_net"
WEIGHTS_PATH = MODEL_DIR / "model.npz"
META_PATH = MODEL_DIR / "model.json"
RULE_ID = "safety_net"
#: Feature space: 2**HASH_BITS buckets of CRC-32 hashes (stable across processes, unlike ``hash``).
HASH_BITS = 18
CHAR_NGRAMS = (3, 6)


def normalised(text: str) -> str:
    """The text as the model reads it: matching keys of its tokens, single-spaced."""
    return " ".join(phrase_key(text or ""))


def feature_indices(text: str) -> np.ndarray:
    """Sorted unique hashed feature buckets of ``text``: char n-grams across word gaps, words, word pairs.

    Character n-grams run over the whole padded key string (so "st pa" links "chest pain"); words
    and adjacent word pairs add the exact-word evidence. Features are binary (present or not).
    """
    keys = normalised(text).split()
    if not keys:
        return np.zeros(0, dtype=np.int64)
    padded = f" {' '.join(keys)} "
    grams = {
        padded[i:i + n]
        for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1)
        for i in range(len(padded) - n + 1)
    }
    grams.update(f"w:{key}" for key in keys)
    grams.update(f"b:{a} {b}" for a, b in zip(keys, keys[1:], strict=False))
    mask = (1 << HASH_BITS) - 1
    return np.array(sorted({zlib.crc32(gram.encode("utf-8")) & mask for gram in grams}), dtype=np.int64)


@dataclass(frozen=True)
class Model:
    """Linear weights over hashed features, Platt calibration and the two decision thresholds."""

    version: str
    weights: np.ndarray  # dense, 2**HASH_BITS float64
    intercept: float
    platt_a: float
    platt_b: float
    emergency_at: float
    urgent_at: float

    def margin(self, text: str) -> float:
        """The uncalibrated linear score (binary features, L2-normalised, as in training)."""
        idx = feature_indices(text)
        if not len(idx):
            return self.intercept
        return float(self.weights[idx].sum()) / math.sqrt(len(idx)) + self.intercept

    def probability(self, text: str) -> float:
        """Calibrated P(emergency | text) (Platt scaling fitted on the calibration split)."""
        z = self.platt_a * self.margin(text) + self.platt_b
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@lru_cache(maxsize=1)
def model() -> Model:
    meta = read_json(META_PATH)
    if meta["features"] != {"hash_bits": HASH_BITS, "char_ngrams": list(CHAR_NGRAMS), "words": True, "word_pairs": True}:
        raise ValueError(f"{META_PATH}: trained with other features than nlu.safety_net computes")
    with np.load(WEIGHTS_PATH, allow_pickle=False) as arrays:
        weights = np.zeros(1 << HASH_BITS, dtype=np.float64)
        weights[arrays["index"]] = arrays["weight"]
    return Model(
        version=meta["version"],
        weights=weights,
        intercept=float(meta["intercept"]),
        platt_a=float(meta["platt"]["a"]),
        platt_b=float(meta["platt"]["b"]),
        emergency_at=float(meta["thresholds"]["emergency"]),
        urgent_at=float(meta["thresholds"]["urgent"]),
    )


#: text -> the text with the mentions the NLU reads as denied left out ("saanp ne nahi kaata"
#: -> "ne nahi"): character n-grams cannot see negation, the NLU's negation scope can. Filled by
#: the hook in ``detect_red_flags`` (which has just read the text), else computed on demand.
_MASKS: dict[str, str] = {}
MAX_MASKS = 4096


def without_denials(text: str, mentions: Iterable | None = None) -> str:
    """``text`` without its denied mentions (``nlu.red_flags.Mention`` with ``negated``)."""
    if mentions is None:
        cached = _MASKS.get(text)
        if cached is not None:
            return cached
        from nlu.red_flags import read

        mentions = read(text).mentions
    spans = [(m.first, m.last) for m in mentions if m.negated]
    masked = text
    if spans:
        masked = " ".join(tok.text for i, tok in enumerate(tokenize(text)) if not any(a <= i <= b for a, b in spans))
    if len(_MASKS) >= MAX_MASKS:
        _MASKS.clear()
    _MASKS[text] = masked
    return masked


@lru_cache(maxsize=2048)
def score(text: str) -> float:
    """Calibrated probability that ``text`` describes an emergency, denied mentions left out (cached)."""
    return model().probability(without_denials(text or ""))


def level(text: str) -> str | None:
    """``"emergency"``, ``"urgent"`` or ``None``: the least urgency this text may be given."""
    if not text or not text.strip():
        return None
    p, m = score(text), model()
    if p >= m.emergency_at:
        return "emergency"
    if p >= m.urgent_at:
        return "urgent"
    return None


def reason(text: str) -> str:
    """English technical reason, as for the red-flag rules."""
    m, p = model(), score(text)
    tier, at = ("emergency", m.emergency_at) if p >= m.emergency_at else ("urgent", m.urgent_at)
    return (
        f"Safety-net text classifier (char n-gram logistic regression {m.version}) scored {p:.3f} >= "
        f"{at:.3f}, its {tier} threshold: the wording resembles {tier} descriptions even where no "
        f"danger-sign rule matched."
    )


def red_flags(text: str, fired: Iterable[RedFlag] = (), mentions: Iterable | None = None) -> list[RedFlag]:
    """The ``safety_net`` red flag when no rule fired and the score clears the emergency threshold.

    A second net only: when a rule already fired, the message is an emergency anyway. Its ``code``
    is empty: the classifier knows no symptom to name (explanations say the net fired instead).
    ``mentions``: what the caller's NLU read, so that denied ones are left out without reading again.
    """
    if any(True for _ in fired) or not text.strip():
        return []
    if mentions is not None:
        without_denials(text, mentions)
    if level(text) != "emergency":
        return []
    from nlu.red_flags import RedFlag

    return [RedFlag(RULE_ID, "", reason(text))]
