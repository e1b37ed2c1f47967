"""The README keeps its promises: the two commands first, and every setting documented."""

from __future__ import annotations

import re
from dataclasses import fields

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGES = ("config", "saathi", "nlu", "engine", "actions", "channels", "records", "portal")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands[1:] == ["make run", "make test"]


def settings_read_by_the_code() -> set[str]:
    """Every Settings field's variable (kept in its metadata), the ones config.settings reads
    otherwise (``read("X"``), and SAATHI_ variables read straight from the environment anywhere."""
    from config.settings import Settings

    names = {f.metadata["env"] for f in fields(Settings)}
    names |= set(re.findall(r'read\("([A-Z0-9_]+)"', (ROOT / "config" / "settings.py").read_text(encoding="utf-8")))
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            names |= set(re.findall(r'environ\.get\("(SAATHI_[A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    return names


def documented() -> set[str]:
    """Names in backticks; a row may abbreviate siblings: `SAATHI_X_IMAGE_BYTES` / `_AUDIO_BYTES`."""
    names: set[str] = set()
    for row in README.splitlines():
        cells = re.findall(r"`([A-Z0-9_]+)`", row)
        full = [c for c in cells if not c.startswith("_")]
        names |= set(full)
        for short in (c for c in cells if c.startswith("_")):
            for name in full:
                parts = name.split("_")
                names |= {"_".join(parts[:i]) + short for i in range(1, len(parts))}
    return names


def test_every_setting_is_documented():
    missing = sorted(settings_read_by_the_code() - documented() - {"SAATHI_TEST_PG"})
    assert not missing, f"settings missing from the README table: {missing}"
