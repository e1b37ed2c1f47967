"""The JSON-lines loop shared by ``saathi nlu``, ``saathi triage`` and ``saathi ocr``.

The contract (``docs/contract.md``): one JSON line out per line in, in order, UTF-8, nothing else
on stdout; a line that cannot be handled still gets ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from engine.logsafe import failure

log = logging.getLogger(__name__)


def emit(obj: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def run_jsonl(
    handler: Callable[[dict[str, Any]], dict[str, Any]],
    lines: Iterable[str] | None = None,
    out: TextIO | None = None,
) -> int:
    """Feed each input line's object to ``handler``; never let one bad line stop the stream."""
    for raw in lines if lines is not None else sys.stdin:
        raw = raw.strip()
        if not raw:
            continue
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("each line must be a JSON object")
        except ValueError as exc:
            emit({"error": f"invalid JSON line: {exc}"}, out)
            continue
        try:
            emit(handler(obj), out)
        except Exception as exc:  # one bad input must not end the stream
            log.error("handler failed: %s", failure(exc))  # the line itself (health data) is answered, not logged
            emit({"error": f"{type(exc).__name__}: {exc}"}, out)
    return 0
