"""The independent evaluation: hand-written HTML documents photographed by a separate camera model.

``tests/data/ocr_outside/`` holds 40+ documents written by hand as HTML (hospital, clinic, chain lab,
handwriting fonts, government forms with Hindi and Punjabi headers), their gold annotations
(``docs/*.yml``, written with the HTML) and the committed phone photos made by that folder's own
``camera.py`` (which shares no code with ``synth.py``/``degrade.py``). Nothing in the reading pipeline
may be tuned on this set: it is the check, reported next to the generator's set.

Every photo is read three ways and the text goes through the same parser
(:func:`engine.ocr.document.interpret`):

* ``pipeline``: :func:`engine.ocr.read_document`, exactly as the bot and ``saathi ocr``;
* ``raw-eng`` and ``raw-eng+hin+pan``: plain ``tesseract photo - -l LANGS tsv`` (no preprocessing,
  default page segmentation), the baseline the pipeline must never fall below. Its word boxes go
  through the same row rebuild and parsers as the pipeline's. The TSV is cached under ``models/ocr/``
  by photo and Tesseract version (it never changes); parsing is redone every run.

Scores (per document and pooled): document type; medicines found (all generics of a gold medicine
among those read); frequency (over gold medicines with a written schedule: the read canonical
frequency equals the gold one, a missed medicine counts as wrong); unread respected (gold medicines
whose schedule cannot be read must be reported without a frequency: never guessed); lab value+flag
(a row read with the same test, value and flag); lab rows read that the page does not hold.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from config.paths import ROOT
from engine.ocr.words import write_atomically

OUTSIDE_DIR = ROOT / "tests" / "data" / "ocr_outside"
CACHE_DIR = ROOT / "models" / "ocr" / "raw-baseline"
READERS = ("pipeline", "raw-eng", "raw-eng+hin+pan")
FIELDS = ("doc_type", "medicines", "frequency", "unread", "labs")
TARGETS = {"medicines": 0.95, "frequency": 0.90, "labs": 0.90}


@dataclass(frozen=True)
class OutsideDoc:
    doc_id: str
    photo: Path
    gold: dict[str, Any]


def load(ids: list[str] | None = None) -> list[OutsideDoc]:
    """The documents with a committed photo, in name order (optionally only ``ids``)."""
    docs = []
    for gold_path in sorted((OUTSIDE_DIR / "docs").glob("*.yml")):
        doc_id = gold_path.stem
        if ids and doc_id not in ids:
            continue
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        docs.append(OutsideDoc(doc_id, OUTSIDE_DIR / "photos" / f"{doc_id}.jpg", gold))
    return docs


@lru_cache(maxsize=1)
def _tesseract_version() -> str:
    return subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]


def raw_tesseract(photo: Path, langs: str) -> tuple[str, float]:
    """Plain ``tesseract photo - -l langs tsv`` output and the seconds it took (cached: it never changes)."""
    key = hashlib.sha256(photo.read_bytes() + f"{langs}|tsv|{_tesseract_version()}".encode()).hexdigest()[:16]
    cached = CACHE_DIR / f"{key}.tsv"
    if cached.exists():
        seconds, _, tsv = cached.read_text(encoding="utf-8").partition("\n")
        return tsv, float(seconds)
    start = time.perf_counter()
    proc = subprocess.run(["tesseract", str(photo), "-", "-l", langs, "tsv"], capture_output=True, text=True,
                          check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    seconds = time.perf_counter() - start
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    write_atomically(cached, f"{seconds:.3f}\n{proc.stdout}")  # parallel evaluations share the cache
    return proc.stdout, seconds


def tsv_words(tsv: str) -> list:
    """Words with boxes from Tesseract's TSV output."""
    from engine.ocr.layout import words_from_data

    lines = [line.split("\t") for line in tsv.splitlines()]
    if not lines:
        return []
    header, rows = lines[0], [r for r in lines[1:] if len(r) == len(lines[0])]
    data = {key: [r[i] for r in rows] for i, key in enumerate(header)}
    for key in ("left", "top", "width", "height"):
        data[key] = [int(v) for v in data.get(key, [])]
    return words_from_data(data) if rows else []


def read(doc: OutsideDoc, reader: str) -> dict[str, Any]:
    """One reader's contract output for one photo, plus the seconds it took."""
    from engine.ocr import read_document
    from engine.ocr.document import interpret
    from engine.ocr.layout import group_rows
    from engine.ocr.quality import Quality
    from engine.ocr.tesseract import from_rows

    if reader == "pipeline":
        start = time.perf_counter()
        out = read_document(doc.photo, name=doc.doc_id).to_contract()
        out["seconds"] = time.perf_counter() - start
    else:
        tsv, seconds = raw_tesseract(doc.photo, reader.removeprefix("raw-"))
        out = interpret(from_rows(group_rows(tsv_words(tsv))), doc.doc_id, Quality(0.0, [])).to_contract()
        out["seconds"] = seconds
    out["codes"] = _lab_codes(out)
    return out


def _lab_codes(out: dict[str, Any]) -> list[str | None]:
    from engine.ocr.labs import display_names

    by_name = {name: code for code, name in display_names().items()}
    return [by_name.get(r["test"]) for r in out["lab_results"]]


@dataclass
class Tally:
    """Right/total per field for one document (or pooled over many)."""

    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    extra_labs: int = 0  # lab rows read that the page does not hold (or a test read twice)
    avoided_listed: int = 0  # medicines the page says to avoid, read as prescribed
    seconds: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, key: str, ok: bool, miss: str = "") -> None:
        self.total[key] += 1
        self.right[key] += int(ok)
        if not ok and miss:
            self.misses.append(miss)

    def merge(self, other: Tally) -> None:
        for key in FIELDS:
            self.right[key] += other.right[key]
            self.total[key] += other.total[key]
        self.extra_labs += other.extra_labs
        self.avoided_listed += other.avoided_listed
        self.seconds += other.seconds
        self.misses += other.misses

    def ratio(self, key: str) -> float | None:
        return self.right[key] / self.total[key] if self.total[key] else None


def _counterpart(gold: dict, read: list[dict]) -> dict | None:
    """The medication read for a gold one: every gold generic among the read one's generics."""
    wanted = set(gold["generic"].split("+"))
    exact = [m for m in read if set((m["generic"] or "").split("+")) == wanted]
    containing = [m for m in read if wanted <= set((m["generic"] or "").split("+"))]
    return (exact or containing or [None])[0]


def score(doc: OutsideDoc, out: dict[str, Any]) -> Tally:
    """Right/total per field of one reader's output against the document's gold."""
    gold, tally = doc.gold, Tally(seconds=[out["seconds"]])
    tally.add("doc_type", out["doc_type"] == gold["doc_type"], f"type {out['doc_type']} != {gold['doc_type']}")
    meds = out["medications"]
    for med in gold.get("medications") or []:
        read = _counterpart(med, meds)
        tally.add("medicines", read is not None, f"missed {med['name']}")
        if med["frequency"] is None:
            if read is not None:
                tally.add("unread", read["frequency"] is None,
                          f"{med['name']}: unreadable schedule reported as {read['frequency']}")
            continue
        got = read and read["frequency"]
        tally.add("frequency", got == med["frequency"], f"{med['name']}: frequency {got} != {med['frequency']}")
    avoid = set(gold.get("avoid") or [])
    tally.avoided_listed = sum(1 for m in meds if avoid & set((m["generic"] or "").split("+")))
    rows = list(zip(out["codes"], out["lab_results"], strict=True))
    seen: set[str] = set()
    gold_codes = {lab["test"] for lab in gold.get("lab_results") or []}
    for code, _row in rows:
        if code not in gold_codes or code in seen:
            tally.extra_labs += 1
        if code:
            seen.add(code)
    for lab in gold.get("lab_results") or []:
        found = [r for code, r in rows if code == lab["test"]]
        ok = any(abs(r["value"] - lab["value"]) < 1e-6 and r["flag"] == lab["flag"] for r in found)
        got = ", ".join(f"{r['value']:g} {r['flag']}" for r in found) or "nothing"
        tally.add("labs", ok, f"{lab['test']} {lab['value']:g} {lab['flag']}: read {got}")
    return tally


def _job(args: tuple[OutsideDoc, str]) -> tuple[str, str, dict[str, Any]]:
    doc, reader = args
    try:
        return doc.doc_id, reader, read(doc, reader)
    except Exception as exc:  # a crash on one photo is a result (nothing read), not the end of the report
        return doc.doc_id, reader, {"error": f"{type(exc).__name__}: {exc}", "seconds": 0.0, "doc_type": "",
                                    "medications": [], "lab_results": [], "codes": []}


@dataclass
class OutsideReport:
    docs: list[OutsideDoc]
    per_doc: dict[str, dict[str, Tally]]  # doc id -> reader -> tally
    readers: tuple[str, ...]

    def pooled(self, reader: str) -> Tally:
        total = Tally()
        for tallies in self.per_doc.values():
            total.merge(tallies[reader])
        return total

    def worse_than_raw(self) -> list[str]:
        """Documents where the pipeline gets fewer right in a field than the better raw reading."""
        raws = [r for r in self.readers if r.startswith("raw-")]
        out = []
        for doc_id, tallies in self.per_doc.items():
            for key in FIELDS:
                best = max((tallies[r].right[key] for r in raws), default=0)
                if tallies["pipeline"].right[key] < best:
                    out.append(f"{doc_id}: {key} {tallies['pipeline'].right[key]}/{tallies['pipeline'].total[key]}"
                               f" < raw {best}")
        return out


def evaluate(ids: list[str] | None = None, readers: tuple[str, ...] = READERS, workers: int = 2) -> OutsideReport:
    """Read every photo of the independent set with each reader (pipeline first) and score it."""
    from engine.ocr import classifier

    classifier.model()
    docs = load(ids)
    jobs = [(doc, reader) for doc in docs for reader in readers]
    by_id = {doc.doc_id: doc for doc in docs}
    per_doc: dict[str, dict[str, Tally]] = {doc.doc_id: {} for doc in docs}
    from engine.ocr.tesseract import reading_pool

    with reading_pool(workers) as pool:
        for doc_id, reader, out in pool.map(_job, jobs):
            tally = score(by_id[doc_id], out)
            if "error" in out:
                tally.misses.insert(0, out["error"])
            per_doc[doc_id][reader] = tally
    return OutsideReport(docs, per_doc, readers)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0
