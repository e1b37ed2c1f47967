"""End-to-end accuracy on held-out synthetic photos must stay above the issue's thresholds.

Uses 4 photos per document type (seeds 80-83, never looked at while tuning; 20 photos, ~30-60 s on 2 idle cores once the classifier is cached);
``saathi ocr-eval`` runs the full 20-per-type set.
"""

from __future__ import annotations

from engine.ocr.evaluate import THRESHOLDS, evaluate


def test_heldout_accuracy():
    report = evaluate(per_class=4, start=80)
    metrics = report.metrics()
    for key, minimum in THRESHOLDS.items():
        assert metrics[key] >= minimum, (key, metrics, report.failures[:20])
