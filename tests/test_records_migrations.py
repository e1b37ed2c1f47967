"""Migrations go up and down cleanly on PostgreSQL (and SQLite), and match the ORM models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from records import migrate
from records.db import normalise_url
from records.models import Base
from records.testing import fresh_pg_database

TABLES = {
    "users", "data_keys", "patient_profiles", "doctor_profiles", "asha_profiles", "channel_identities",
    "encounters", "transcript_lines", "symptom_reports", "triage_results", "documents", "medications",
    "lab_results", "consultations", "prescriptions", "consents", "audit_log", "audit_heads",
}


def _tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names()) - {"records_alembic_version"}
    finally:
        engine.dispose()


def _diff(url: str) -> list:
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": "records_alembic_version"})
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_upgrade_downgrade_upgrade_on_postgres() -> None:
    with fresh_pg_database("saathi_mig") as url:
        migrate.upgrade(url)
        assert migrate.current(url) == "0001"
        assert _tables(url) == TABLES
        assert _diff(url) == [], "models and migrations disagree"
        migrate.downgrade(url, "base")
        assert migrate.current(url) is None
        assert _tables(url) == set()
        migrate.upgrade(url)
        assert _tables(url) == TABLES


def test_upgrade_downgrade_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    migrate.upgrade(url)
    assert _tables(url) == TABLES
    migrate.downgrade(url, "base")
    assert _tables(url) == set()
