"""The floor plan stays true: import-linter's contracts (pyproject.toml, ``[tool.importlinter]``)
hold for the repository, and the same contracts do catch an upward import and an nlu import.

Imports inside functions count too (import-linter reads every import statement), which is where
the old upward imports hid."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGES = ("config", "records", "engine", "actions", "channels", "portal", "saathi", "nlu", "rasa_ext")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the packages under ``root`` (first on the path, so a worktree's own
    files are checked rather than the editable install's)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo",
                           "--config", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)


def test_the_repository_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _tree(tmp_path: Path, imports: dict[str, str]) -> Path:
    """A stand-in repository: our package names, empty, plus the given ``module: source`` files."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    for module, source in imports.items():
        (tmp_path / (module.replace(".", "/") + ".py")).write_text(source, encoding="utf-8")
    return tmp_path


def test_the_contracts_catch_an_upward_import_inside_a_function(tmp_path):
    root = _tree(tmp_path, {"engine.thing": "", "records.service": "def f():\n    from engine import thing\n"})
    result = lint_imports(root)
    assert result.returncode != 0
    assert "records.service -> engine.thing" in result.stdout


def test_the_contracts_catch_a_sideways_import_between_adapters(tmp_path):
    root = _tree(tmp_path, {"portal.handoff": "", "actions.doctor": "import portal.handoff\n"})
    result = lint_imports(root)
    assert result.returncode != 0
    assert "actions.doctor -> portal.handoff" in result.stdout


def test_the_contracts_keep_nlu_standalone(tmp_path):
    root = _tree(tmp_path, {"nlu.text": "from config import settings\n", "config.settings": ""})
    result = lint_imports(root)
    assert result.returncode != 0
    assert "nlu stands alone" in result.stdout and "BROKEN" in result.stdout
