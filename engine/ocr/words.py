"""The user-words file that biases Tesseract towards medicine and lab-test names.

Built from the medicine knowledge base, the lab reference data and ``data/ocr/extra-words.txt``;
written to ``models/ocr/`` under a name keyed by the content hash, so it is rebuilt only when the
knowledge base changes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
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
    building the word list again each time cost about a tenth of a second a call (issue #17). Written to a
    private name and renamed: ``models/ocr`` is shared by parallel readers, and one that found the file
    while another was still writing it gave Tesseract half a word list (a reading that depended on
    timing)."""
    words = "\n".join(vocabulary()) + "\n"
    digest = hashlib.sha256(words.encode()).hexdigest()[:12]
    path = MODEL_DIR / f"user-words-{digest}.txt"
    if not path.exists():
        MODEL_DIR.mkdir(parents=True, exist_ok=True)
        write_atomically(path, words)
    return path


def write_atomically(path: Path, text: str) -> None:
    """``path`` holds ``text`` whole or not at all, for any reader at any moment (a rename is atomic)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
