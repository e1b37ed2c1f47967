"""`saathi triage` keeps the JSON-lines contract: one line out per line in, errors as lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"language", "symptoms", "urgency", "red_flags", "conditions", "specialist", "advice", "explanation"}


def test_saathi_triage_jsonl_contract():
    lines = [
        {"text": "mujhe 3 din se bukhar aur sir dard hai", "age": 34, "sex": "f"},
        {"text": "ਛਾਤੀ ਵਿੱਚ ਦਰਦ ਅਤੇ ਪਸੀਨਾ", "age": 60, "sex": "m"},
        {"text": "cough", "symptoms": ["fever"]},
        {"text": 5},
        {"age": 3},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run([sys.executable, "-m", "saathi.cli", "triage"], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600, check=True)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines) + 1
    first, second, third = out[:3]
    assert set(first) == KEYS and first["language"] == "hi" and len(first["conditions"]) >= 3
    assert second["language"] == "pa" and second["urgency"] == "emergency" and second["red_flags"]
    assert "fever" in third["symptoms"] and "cough" in third["symptoms"]
    assert all(set(o) == {"error"} for o in out[3:])
