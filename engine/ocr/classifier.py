"""Document type (prescription, lab_report, imaging, discharge_summary, other) from OCR text.

TF-IDF over character n-grams (robust to OCR slips) and words, then logistic regression, trained on
the OCR text of synthetic phone photos (``engine.ocr.synth``). The model and the OCR text it was
trained on are cached in ``models/ocr/`` under a hash of everything that produced them (generator,
pipeline and knowledge-base sources, sample size), so it is trained on first use and again only
when an input changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from config.paths import ROOT
from config.settings import load as load_settings

# scikit-learn (with SciPy under it) is imported where a model is built or unpickled, not here: the
# gateway imports this module at every start (engine.pharmacy -> engine.meds -> engine.ocr) and reads
# a photo rarely, if ever.
if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)
MODEL_DIR = ROOT / "models" / "ocr"
PER_CLASS = load_settings().ocr_train_per_class
# What the training texts depend on: the generator, its data, and the reading pipeline's version.
# Bump PIPELINE_VERSION when a preprocessing or Tesseract change alters the text read from photos
# (tests/test_ocr_pipeline.py reads two cached training photos again and fails when their text changed).
# 2: issue #17's line-by-line candidates, number re-read, no grey-level re-read (1 was never bumped).
# 3: unsure dose patterns read again from the shapes of their marks (engine.ocr.doses).
PIPELINE_VERSION = "3"
_INPUTS = ["engine/ocr/synth.py", "engine/ocr/render.py", "engine/ocr/degrade.py", "data/medicines/brands.tsv",
           "data/labs/ranges.yml", "data/ocr/extra-words.txt"]


def inputs_hash(per_class: int = PER_CLASS) -> str:
    digest = hashlib.sha256(f"per_class={per_class};pipeline={PIPELINE_VERSION}".encode())
    for relative in _INPUTS:
        digest.update((ROOT / relative).read_bytes())
    return digest.hexdigest()[:12]


def ocr_photo(photo: bytes) -> str:
    """The production path's text for one photo (preprocess + Tesseract + row rebuild)."""
    from engine.ocr import preprocess, tesseract

    return tesseract.read_prepared(preprocess.prepare(photo)).text


def _ocr_seed(args: tuple[str, str]) -> dict:
    from engine.ocr import synth

    seed, doc_type = args
    doc = synth.generate(seed, doc_type)
    return {"seed": seed, "doc_type": doc_type, "text": ocr_photo(doc.photo())}


def ocr_dataset(prefix: str, per_class: int, workers: int = 2) -> list[dict]:
    """OCR text of ``per_class`` synthetic photos per type, cached as JSON lines."""
    from engine.ocr import synth

    path = MODEL_DIR / f"ocr-text-{prefix}-{inputs_hash(per_class)}.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    jobs = [(f"{prefix}-{t}-{i}", t) for t in synth.DOC_TYPES for i in range(per_class)]
    from engine.ocr.tesseract import reading_pool

    with reading_pool(workers) as pool:
        rows = list(pool.map(_ocr_seed, jobs, chunksize=4))
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def build() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True,
                                  lowercase=True, max_features=30000)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
    ])
    return Pipeline([("features", features), ("clf", LogisticRegression(C=10.0, max_iter=2000))])


def train(per_class: int = PER_CLASS) -> Pipeline:
    from engine.ocr import synth

    rows = ocr_dataset(synth.TRAIN_PREFIX, per_class)
    model = build()
    model.fit([r["text"] for r in rows], [r["doc_type"] for r in rows])
    return model


def _model_path(per_class: int) -> Path:
    return MODEL_DIR / f"doctype-{inputs_hash(per_class)}.pkl"


@lru_cache(maxsize=1)
def model(per_class: int = PER_CLASS) -> Pipeline:
    """The cached classifier, trained now if no model exists for the current inputs."""
    path = _model_path(per_class)
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    log.warning("training the document-type classifier (first use; a few minutes)")
    trained = train(per_class)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(trained, fh)
    tmp.replace(path)
    return trained


def probabilities(text: str) -> dict[str, float]:
    """The classifier's probability for every document type (all 0 for an empty text)."""
    clf = model()
    if not text.strip():
        return {str(c): 0.0 for c in clf.classes_}
    return {str(c): float(p) for c, p in zip(clf.classes_, clf.predict_proba([text])[0], strict=True)}


def classify(text: str) -> tuple[str, float]:
    """(document type, probability of that type)."""
    if not text.strip():
        return "other", 0.0
    clf = model()
    probs = clf.predict_proba([text])[0]
    best = int(probs.argmax())
    return str(clf.classes_[best]), float(probs[best])
