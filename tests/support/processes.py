"""Services started as ``make run`` starts them (``python -m …``), for tests that talk to real processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from config.paths import ROOT


@contextmanager
def running(env: dict[str, str], *args: str, ready_url: str, log: Path, program: tuple[str, ...] = (),
            verify: str | bool = True) -> Iterator[subprocess.Popen]:
    """``python -m args…`` (or ``program args…``) until the block ends; waits for ``ready_url`` to answer."""
    with log.open("wb") as out:
        process = subprocess.Popen([*(program or (sys.executable, "-m")), *args], env=env, cwd=ROOT,
                                   stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if requests.get(ready_url, timeout=2, verify=verify).status_code < 500:
                    break
            except requests.RequestException:  # not listening yet, or still starting
                pass
            assert time.monotonic() < deadline, f"{args} did not answer {ready_url}"
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
