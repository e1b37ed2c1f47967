"""Symptom words in each script, used as whisper's ``initial_prompt``.

Whisper base drifts into other scripts and languages on short Hindi clips; a prompt of words in
the expected script (from data/symptoms.tsv, the same names the bot uses) anchors it.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from config.paths import ROOT

SYMPTOMS_TSV = ROOT / "data" / "symptoms.tsv"
#: Common symptoms first: the prompt is short, so it lists what people say most.
_COMMON = ("fever", "cough", "headache", "body_ache", "vomiting", "diarrhoea", "stomach_pain",
           "breathlessness", "chest_pain", "dizziness", "fatigue", "sore_throat", "rash")


@lru_cache(maxsize=8)
def symptom_prompt(language: str, limit: int = 12) -> str:
    with SYMPTOMS_TSV.open(encoding="utf-8") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle, delimiter="\t")}
    codes = [c for c in _COMMON if c in rows] + [c for c in rows if c not in _COMMON]
    words = [rows[c].get(language) or rows[c]["en"] for c in codes[:limit]]
    lead = {"hi": "मरीज़ बता रहा है:", "pa": "ਮਰੀਜ਼ ਦੱਸ ਰਿਹਾ ਹੈ:", "en": "The patient says:"}.get(language, "")
    return f"{lead} {', '.join(words)}."
