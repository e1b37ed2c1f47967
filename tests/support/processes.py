"""Services started as ``make run`` starts them (``python -m …``), for tests that talk to real
processes, and killed the way a lost machine or pod kills them (:func:`kill_with_children`)."""

from __future__ import annotations

import contextlib
import os
import signal
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
        stop(process, timeout=15)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask ``process`` to end (SIGTERM, so it can drain as under an orchestrator), kill it when it
    does not within ``timeout`` seconds, and reap it so no zombie outlives the test."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def parent_of(proc: Path) -> int:
    """The parent pid of ``/proc/<pid>`` (-1 when it is gone or unreadable)."""
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def children_of(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and parent_of(p) == pid]


def kill_with_children(pid: int) -> list[int]:
    """SIGKILL ``pid``'s process group and each direct child's (RQ forks a job's work horse into a
    session of its own: a kill of the worker's group alone leaves the horse running its job, as a
    lost machine or pod does not); the pids of the children."""
    children = children_of(pid)
    for target in [pid, *children]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(target, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)
    return children
