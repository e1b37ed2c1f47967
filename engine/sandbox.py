"""Memory ceilings for work on untrusted media: helper programs and the RQ work horse.

A photo, PDF or voice note from a stranger is decoded by C code (OpenCV, poppler, ffmpeg). Size
limits before decoding come first (:mod:`engine.ocr.preprocess`, ``pdftoppm -scale-to``,
explicit ffmpeg input formats); these ceilings are the second net, so a decoder that still
explodes fails alone instead of taking the machine (and the other patients' jobs) with it.

Helper programs run under util-linux ``prlimit`` (an address-space limit set in the child before
exec; Python's ``preexec_fn`` is unsafe in the threaded gateway). The RQ work horse (a forked
process per job) limits itself with :func:`limit_this_process`.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from collections.abc import Sequence

from config.settings import load

MB = 1024 * 1024


def helper_memory_bytes() -> int:
    """Address-space ceiling of ffmpeg and pdftoppm (``SAATHI_MEDIA_HELPER_MEMORY_MB``, 0 = none)."""
    return max(0, load().media_helper_memory_mb) * MB


def run_limited(argv: Sequence[str], *, timeout: float, input: bytes | None = None,  # noqa: A002 - as subprocess
                memory_bytes: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """``subprocess.run(argv)`` with captured output and an address-space ceiling."""
    limit = helper_memory_bytes() if memory_bytes is None else memory_bytes
    prlimit = shutil.which("prlimit")
    command = [prlimit, f"--as={limit}", "--", *argv] if limit and prlimit else list(argv)
    return subprocess.run(command, input=input, capture_output=True, timeout=timeout, check=False)


def limit_this_process(memory_bytes: int) -> None:
    """Lower this process's address-space ceiling (never raise it): the work horse of one job."""
    if memory_bytes <= 0:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    if soft == resource.RLIM_INFINITY or new < soft:
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))
