"""Doctor-confirmed diagnoses as training rows: read them (read-only), map them onto the KB, split them.

Source: the portal's ``diagnosis_labels`` table (:class:`records.portal_models.DiagnosisLabel`:
symptom codes, predicted and confirmed ICD-10, day; no patient id), or the JSON lines that
``saathi portal labels`` prints. Nothing here writes to the database.

Mapping: a confirmed code maps to the one KB condition with the same code, else to the one whose
code is its parent (``A97.0`` -> ``A97``) or its child (``J18`` -> ``J18.9``). A code that matches
no condition, or several (ambiguous), is reported as unmapped and never guessed.

Split: a label's share (training or held-out evaluation) is decided by a hash of its identity, so
a label keeps its side as new labels arrive: a held-out label is never trained on by any version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.triage.evidence import Evidence, normalise
from engine.triage.kb import KnowledgeBase

#: Share of confirmed labels kept out of training for the fixed evaluation set.
HELDOUT_SHARE = 0.3
#: Share of the training labels the classifier does not learn from, kept to fit the ensemble's
#: calibration on (``engine.triage.retrain``): fitted on cases the classifier was trained on, the
#: calibration saw its in-sample accuracy and trusted it too much.
CALIBRATION_SHARE = 0.3


@dataclass(frozen=True)
class ConfirmedLabel:
    key: str  # stable identity (row id, or a hash of the content for JSON lines)
    day: str
    symptoms: tuple[str, ...]
    predicted: tuple[str, ...]
    confirmed_icd10: str
    model_version: str = ""

    @classmethod
    def from_dict(cls, data: dict, key: str | None = None) -> ConfirmedLabel:
        features = data.get("features") or {}
        symptoms = tuple(str(s) for s in features.get("symptoms") or data.get("symptoms") or [])
        predicted = tuple(str(p) for p in features.get("predicted") or data.get("predicted") or [] if p)
        confirmed = str(data["confirmed_icd10"]).strip().upper()
        day = str(data.get("day") or "")
        if key is None:
            blob = json.dumps([day, symptoms, predicted, confirmed], ensure_ascii=False).encode()
            key = hashlib.sha256(blob).hexdigest()
        return cls(key, day, symptoms, predicted, confirmed, str(data.get("model_version") or ""))


@dataclass
class MappedLabels:
    """Labels that map to a KB condition (with its index) and the codes that did not map."""

    labels: list[ConfirmedLabel] = field(default_factory=list)
    classes: list[int] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    no_symptoms: int = 0

    def cases(self, kb: KnowledgeBase) -> list[Evidence]:
        return [normalise(kb, Evidence(present=[s for s in lab.symptoms if s in kb.symptom_index]))
                for lab in self.labels]

    def digest(self) -> str:
        blob = json.dumps(sorted(f"{lab.key}:{c}" for lab, c in zip(self.labels, self.classes, strict=True)))
        return hashlib.sha256(blob.encode()).hexdigest()


def read_database(url: str, since: dt.date | None = None) -> list[ConfirmedLabel]:
    """Every label in the portal's table (optionally from ``since``), oldest first. Read-only."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from records.portal_models import DiagnosisLabel

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            query = select(DiagnosisLabel).order_by(DiagnosisLabel.day, DiagnosisLabel.id)
            if since is not None:
                query = query.where(DiagnosisLabel.day >= since)
            return [
                ConfirmedLabel.from_dict(
                    {"day": row.day.isoformat(), "features": row.features, "confirmed_icd10": row.confirmed_icd10,
                     "model_version": row.model_version},
                    key=str(row.id),
                )
                for row in session.scalars(query)
            ]
    finally:
        engine.dispose()


def read_jsonl(path: Path) -> list[ConfirmedLabel]:
    """Labels from ``saathi portal labels`` output (one JSON object per line); a repeated line
    gets its own key (content hash plus occurrence number)."""
    seen: Counter = Counter()
    labels = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            label = ConfirmedLabel.from_dict(json.loads(line))
            seen[label.key] += 1
            key = label.key if seen[label.key] == 1 else f"{label.key}#{seen[label.key]}"
            labels.append(replace(label, key=key))
    return labels


def condition_index(kb: KnowledgeBase, icd10: str) -> int | None:
    """The KB condition a confirmed code stands for, or None when none or several fit."""
    code = icd10.strip().upper()
    codes = [c.icd10.upper() for c in kb.conditions]
    for fits in (lambda k: k == code, lambda k: code.startswith(k + "."), lambda k: k.startswith(code + ".")):
        hits = [i for i, k in enumerate(codes) if fits(k)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None


def map_labels(kb: KnowledgeBase, labels: Iterable[ConfirmedLabel]) -> MappedLabels:
    mapped = MappedLabels()
    for label in labels:
        index = condition_index(kb, label.confirmed_icd10)
        if index is None:
            mapped.unmapped[label.confirmed_icd10] += 1
        elif not any(s in kb.symptom_index for s in label.symptoms):
            mapped.no_symptoms += 1  # nothing to learn from
        else:
            mapped.labels.append(label)
            mapped.classes.append(index)
    return mapped


def is_heldout(label: ConfirmedLabel, share: float = HELDOUT_SHARE, salt: str = "heldout") -> bool:
    """A stable draw by the label's identity: ``salt`` names the split (held-out, calibration), so
    the splits are drawn independently of each other."""
    bucket = int.from_bytes(hashlib.sha256(f"{salt}:{label.key}".encode()).digest()[:4], "big")
    return bucket < share * 2**32


def split(mapped: MappedLabels, share: float = HELDOUT_SHARE, salt: str = "heldout") -> tuple[MappedLabels, MappedLabels]:
    """(kept, set apart) by :func:`is_heldout`: (training, held-out) by default; the unmapped counts
    stay with the kept part."""
    train, held = MappedLabels(unmapped=mapped.unmapped, no_symptoms=mapped.no_symptoms), MappedLabels()
    for label, cls in zip(mapped.labels, mapped.classes, strict=True):
        part = held if is_heldout(label, share, salt) else train
        part.labels.append(label)
        part.classes.append(cls)
    return train, held
