"""engine.yamlfile reads every data file exactly as ``yaml.safe_load`` does (it only swaps in libyaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for pattern in ("*.yml", "*.yaml") for p in (ROOT / "data").rglob(pattern))


def test_data_has_yaml_files() -> None:
    assert len(FILES) > 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_read_yaml_equals_safe_load(path: Path) -> None:
    assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))
