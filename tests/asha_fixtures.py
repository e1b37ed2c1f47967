"""Fixtures for tests/test_asha_*.py and tests/test_notify_*.py (``pytest_plugins = ["tests.asha_fixtures"]``).

One SQLite database per test module (records, portal and ASHA tables), a movable clock, a service
with a recording referrer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.asha import AshaService
from tests.support.asha import Clock, Referrals, build, prepare
from tests.support.records import build_service


@pytest.fixture(scope="module")
def asha_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    base = tmp_path_factory.mktemp("asha")
    url = f"sqlite:///{base / 'saathi.db'}"
    prepare(url)
    return url, base / "keys" / "master.json", base / "files"


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def referrals() -> Referrals:
    return Referrals()


@pytest.fixture()
def asha(asha_db, clock, referrals) -> Iterator[AshaService]:
    url, keys, files = asha_db
    records = build_service(url, keys, files, clock=clock)
    alerts: list[tuple] = []
    service = build(url, records, clock, referrer=referrals, alerts=lambda *a: alerts.append(a))
    service.alerts_seen = alerts  # type: ignore[attr-defined]
    yield service
