"""The user-words file that biases Tesseract towards medicine and lab-test names.

Built from the medicine knowledge base, the lab reference data and ``data/ocr/extra-words.txt``;
written to ``models/ocr/`` under a name keyed by the content hash, so it is rebuilt only when the
knowledge base changes.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from config.paths import ROOT
from engine.meds.kb import load as load_kb
from engine.ocr.labs import aliases as lab_aliases

EXTRA_WORDS = ROOT / "data" / "ocr" / "extra-words.txt"
MODEL_DIR = ROOT / "models" / "ocr"


def vocabulary() -> list[str]:
    """Single words (Tesseract's dictionary is word-level) from every medical name we know."""
    kb = load_kb()
    phrases = [b.name for b in kb.brands] + list(kb.generics)
    phrases += [alias for names in lab_aliases().values() for alias in names]
    words = {w for p in phrases for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]{2,}", p)}
    words |= {w.title() for w in words if w.islower()}
    extra = [line.strip() for line in EXTRA_WORDS.read_text(encoding="utf-8").splitlines()]
    words |= {w for w in extra if w and not w.startswith("#")}
    return sorted(words)


@lru_cache(maxsize=1)
def user_words_path() -> Path:
    """The file, written once per content. Cached for the process: every ``eng`` reading passes it, and
    building the word list again each time cost about a tenth of a second a call (issue #17)."""
    words = "\n".join(vocabulary()) + "\n"
    digest = hashlib.sha256(words.encode()).hexdigest()[:12]
    path = MODEL_DIR / f"user-words-{digest}.txt"
    if not path.exists():
        MODEL_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(words, encoding="utf-8")
    return path
