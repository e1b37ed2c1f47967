"""One daemon thread that runs a piece of work every ``interval`` (the gateway's sweeps).

Why a class of its own: the media-retention sweep and the stale-notification sweep need the same
loop — start, run, log a failure by its type only (a message could quote a value), wait, stop.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs ``work`` every ``interval`` on a daemon thread; ``first_now`` runs it once at start too."""

    def __init__(self, name: str, interval: dt.timedelta, work: Callable[[], object], *,
                 first_now: bool = False) -> None:
        self.name = name
        self.interval = interval
        self.work = work
        self.first_now = first_now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Periodic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _once(self) -> None:
        try:
            self.work()
        except Exception as exc:  # noqa: BLE001 - a failed round must not kill the process; the next tries again
            log.warning("%s failed: %s", self.name, type(exc).__name__)

    def _run(self) -> None:
        if self.first_now:
            self._once()
        while not self._stop.wait(self.interval.total_seconds()):
            self._once()
