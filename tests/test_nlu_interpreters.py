"""The NLU unit tests must pass under the Rasa interpreter (Python 3.10) as well as this one.

``nlu/`` runs inside Rasa 3.6, so 3.11-only syntax there would break the bot while the 3.11 test
run stays green. This test runs ``tests/nlu_unit`` again with ``.venv-rasa``; ``--confcutdir`` keeps
the 3.11-only ``tests/conftest.py`` out.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def test_nlu_unit_tests_pass_under_the_rasa_interpreter():
    if not RASA_PYTHON.exists():
        pytest.skip(".venv-rasa is not set up")
    command = [
        str(RASA_PYTHON), "-m", "pytest", "tests/nlu_unit", "-q",
        "-p", "no:cacheprovider", "--confcutdir=tests/nlu_unit", "-c", "/dev/null",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " skipped" not in result.stdout, result.stdout[-2000:]
