"""Fixtures for tests/test_pharmacy_*.py (``pytest_plugins = ["tests.pharmacy_fixtures"]``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.pharmacy import PharmacyService
from tests.support.pharmacy import Clock, build


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pharmacy(tmp_path, clock) -> Iterator[PharmacyService]:
    service = build(f"sqlite:///{tmp_path / 'pharmacy.db'}", clock)
    yield service
    service.sessions.kw["bind"].dispose()
