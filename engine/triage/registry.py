"""Model versions on disk: save, list, promote, roll back, and load the promoted one for serving.

Layout under ``models/triage/`` (gitignored; ``SAATHI_TRIAGE_MODEL_DIR`` overrides it)::

    versions/<version>/model.ubj   the XGBoost booster
    versions/<version>/meta.json   version, input hash, KB digest, config, calibration, metrics
    registry.json                  {"promoted": <version>, "history": [every promotion, oldest first]}

A version is named by the hash of its training inputs, so training the same inputs twice reuses
the stored version. Serving loads the promoted version; when none exists, or the promoted one
was trained on a different knowledge base, it trains on first use (deterministic seed) and
promotes the result. ``rollback`` re-promotes the version promoted before the current one.

Not done yet (next step): retraining from doctor-confirmed diagnoses and drift monitoring. The
plan: the portal's confirmed (symptoms, diagnosis ICD-10) pairs become extra training rows mixed
with the KB samples (their hash joins ``input_hash``); a drift check compares the live symptom-code
and urgency mix with the training mix (population stability index per code) and the confirmed
top-3 accuracy with the version's ``metrics``; a new version is only promoted by a person
(``saathi model promote``), and ``rollback`` stays one command away.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from config.settings import load as load_settings
from engine.triage.ensemble import Calibration
from engine.triage.kb import KnowledgeBase
from engine.triage.training import TrainedModel, TrainingConfig, input_hash, train

log = logging.getLogger(__name__)


class RegistryError(RuntimeError):
    """Asked for a version that does not exist, or nothing to roll back to."""


def model_dir() -> Path:
    """Read at each call: tests and ``saathi model`` point it elsewhere through the environment."""
    return load_settings().effective_triage_model_dir


class Registry:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else model_dir()

    # -- storage -------------------------------------------------------------------------------
    def _version_dir(self, version: str) -> Path:
        return self.root / "versions" / version

    def _state(self) -> dict:
        path = self.root / "registry.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return {"promoted": None, "history": []}

    def _write_json(self, path: Path, data: dict) -> None:
        """Write then rename, so a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as tmp:
            json.dump(data, tmp, indent=1, ensure_ascii=False)
        os.replace(tmp.name, path)

    def save(self, model: TrainedModel) -> str:
        target = self._version_dir(model.version)
        if target.exists():
            return model.version
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root))
        model.booster.save_model(staging / "model.ubj")
        self._write_json(staging / "meta.json", model.meta)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staging, target)
        except OSError:  # another process saved the same version first
            shutil.rmtree(staging, ignore_errors=True)
        return model.version

    def load(self, version: str) -> TrainedModel:
        directory = self._version_dir(version)
        if not directory.exists():
            raise RegistryError(f"no triage model version {version!r}")
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        import xgboost as xgb  # here, not at the top: see engine.triage.model

        booster = xgb.Booster()
        booster.load_model(directory / "model.ubj")
        booster.set_param({"nthread": 1})
        return TrainedModel(booster, Calibration(**meta["calibration"]), meta)

    # -- versions ------------------------------------------------------------------------------
    def versions(self) -> list[dict]:
        """Every stored version's meta, oldest first, with ``promoted`` marking the serving one."""
        root = self.root / "versions"
        promoted = self._state()["promoted"]
        metas = []
        for meta_path in sorted(root.glob("*/meta.json")) if root.exists() else []:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            meta["promoted"] = meta["version"] == promoted
            metas.append(meta)
        return sorted(metas, key=lambda m: m["created"])

    def promoted(self) -> str | None:
        return self._state()["promoted"]

    def promote(self, version: str) -> None:
        if not self._version_dir(version).exists():
            raise RegistryError(f"no triage model version {version!r}")
        state = self._state()
        state["promoted"] = version
        state["history"].append(version)
        self._write_json(self.root / "registry.json", state)

    def rollback(self) -> str:
        """Promote the version that was serving before the current one; returns it."""
        state = self._state()
        history = state["history"]
        current = state["promoted"]
        previous = next((v for v in reversed(history[:-1]) if v != current), None)
        if previous is None:
            raise RegistryError("no earlier promoted version to roll back to")
        while history and history[-1] == current:
            history.pop()
        state["promoted"] = previous
        self._write_json(self.root / "registry.json", state)
        return previous

    # -- training and serving ------------------------------------------------------------------
    def train(self, kb: KnowledgeBase, config: TrainingConfig | None = None, promote: bool = False) -> str:
        config = config or TrainingConfig()
        version = input_hash(kb, config)[:12]
        if not self._version_dir(version).exists():
            log.info("training triage model %s", version)
            self.save(train(kb, config))
        if promote:
            self.promote(version)
        return version

    def serving(self, kb: KnowledgeBase) -> TrainedModel:
        version = self.promoted()
        if version is not None:
            model = self.load(version)
            if model.meta["kb_digest"] == kb.digest:
                return model
            log.warning("promoted triage model %s was trained on another knowledge base; retraining", version)
        return self.load(self.train(kb, promote=True))
