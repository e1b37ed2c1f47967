"""Phrase tables kept as data: a test's parameters read from ``tests/data/phrases/<file>.tsv``.

The parser tests list hundreds of sentences (what must fire, what must stay quiet, what a reading
is); written as Python lists they were the same shape again and again. Each test file's rows live
in one TSV named after it (``test_red_flags_everyday.py`` -> ``red_flags_everyday.tsv``), under a
``[test name]`` line per test, one row per case, cells separated by tabs, ``#`` lines for the notes
and sources. A cell is text as written, except a cell starting with ``=``, which is a JSON value
(``=104``, ``=38.89``, ``=null``, ``={"sex": "m"}``, ``=""``), so numbers and missing values keep
their types and the pytest ids stay what they were.

Standard library and pytest only: ``tests/nlu_unit`` imports it under the Rasa interpreter too.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

PHRASES = Path(__file__).resolve().parent.parent / "data" / "phrases"

F = TypeVar("F", bound=Callable[..., Any])


def cell(text: str) -> Any:
    """One cell's value: the text itself, or the JSON value after a leading ``=``."""
    return json.loads(text[1:]) if text.startswith("=") else text


@functools.cache
def tables(name: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every test's rows in ``tests/data/phrases/<name>.tsv``, by test name."""
    groups: dict[str, list[tuple[Any, ...]]] = {}
    rows: list[tuple[Any, ...]] | None = None
    for number, line in enumerate((PHRASES / f"{name}.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            rows = groups.setdefault(line[1:-1], [])
        elif rows is None:
            raise ValueError(f"{name}.tsv line {number}: a row before the first [test name]")
        else:
            rows.append(tuple(cell(text) for text in line.split("\t")))
    return groups


def rows(name: str, test: str, width: int) -> list[Any]:
    """The rows of ``test`` as pytest wants them: bare values for one argument, tuples for more."""
    found = tables(name).get(test)
    if not found:
        raise LookupError(f"no rows for {test} in tests/data/phrases/{name}.tsv")
    for row in found:
        if len(row) != width:
            raise ValueError(f"{name}.tsv [{test}]: {row!r} has {len(row)} cells, the test takes {width}")
    return [row[0] for row in found] if width == 1 else found


def phrases(*argnames: str) -> Callable[[F], F]:
    """``@phrases("text", "rule")``: parametrize the test with its rows in the test file's table."""

    def decorate(test: F) -> F:
        name = Path(inspect.getfile(test)).stem.removeprefix("test_")
        names = argnames[0] if len(argnames) == 1 else argnames
        return pytest.mark.parametrize(names, rows(name, test.__name__, len(argnames)))(test)

    return decorate
