"""Training the Rasa model once per distinct input, and finding it again.

A model is identified by a hash of everything that shapes it (the bot project, the custom NLU
code, the Rasa requirements). Trained models live in the user cache (``SAATHI_MODEL_CACHE``,
default ``~/.cache/saathi/models``) so that a fresh clone, CI and tests reuse them instead of
spending minutes retraining; ``models/current.tar.gz`` in the clone points at the one in use.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from config.paths import ROOT
from config.settings import Settings, load

log = logging.getLogger(__name__)

BOT_DIR = ROOT / "bot"
RASA_VENV = ROOT / ".venv-rasa"
MODEL_INPUTS = [BOT_DIR / "config.yml", BOT_DIR / "domain.yml", BOT_DIR / "data", ROOT / "nlu",
                ROOT / "requirements-rasa.txt"]


def rasa_executable() -> Path:
    exe = RASA_VENV / "bin" / "rasa"
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: run `make setup` (scripts/setup.sh) first")
    return exe


def rasa_env() -> dict[str, str]:
    """Environment for every Rasa process: our components importable, quiet, no telemetry."""
    settings = load()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_CACHE_DIRECTORY", str(settings.model_cache.parent / "rasa-cache"))
    env.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")
    return env


def input_files() -> list[Path]:
    files: list[Path] = []
    for path in MODEL_INPUTS:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            files.append(path)
    return files


def model_hash() -> str:
    digest = hashlib.sha256()
    for path in input_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_model(settings: Settings | None = None) -> Path:
    settings = settings or load()
    return settings.model_cache / f"saathi-{model_hash()}.tar.gz"


def ensure_model(force: bool = False, settings: Settings | None = None) -> Path:
    """The trained model for the current inputs, training it first if it is not cached."""
    settings = settings or load()
    target = cached_model(settings)
    if force or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # One training at a time per cache: a second caller waits and then finds the model.
        with (target.parent / ".train.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if force or not target.exists():
                train(target)
        if cached_model(settings) != target:
            log.warning("bot/ or nlu/ changed while training; the next start will train again")
    link = ROOT / "models" / "current.tar.gz"
    link.parent.mkdir(exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)
    return target


def train(target: Path) -> None:
    """Trains from a snapshot of ``bot/``, so edits made while training cannot mislabel the model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="saathi-train-") as out:
        snapshot = Path(out) / "bot"
        shutil.copytree(BOT_DIR, snapshot, ignore=shutil.ignore_patterns("models", ".rasa"))
        cmd = [str(rasa_executable()), "train", "--config", str(snapshot / "config.yml"),
               "--domain", str(snapshot / "domain.yml"), "--data", str(snapshot / "data"),
               "--out", out, "--fixed-model-name", target.name.removesuffix(".tar.gz")]
        train_log = target.parent / "train.log"
        log.warning("training the Rasa model (a few minutes; progress in %s)", train_log)
        with train_log.open("w", encoding="utf-8") as output:
            returncode = subprocess.run(cmd, cwd=out, env=rasa_env(), stdout=output,
                                        stderr=subprocess.STDOUT).returncode
        produced = Path(out) / target.name
        if returncode != 0 or not produced.exists():
            tail = train_log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise RuntimeError(f"rasa train failed (exit {returncode}):\n{tail}")
        shutil.move(str(produced), target)
