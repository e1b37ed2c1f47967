"""Pytest fixtures for the health-records tests (tests/test_records_*.py import them from here,
so they work whatever pytest's import mode or the layout of tests/).

Each test module that needs PostgreSQL gets its own throw-away database on 127.0.0.1:5432,
migrated to head, and drops it afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from engine import schema
from records import RecordsService
from records.crypto import FileKeyProvider
from records.db import make_engine, make_session_factory, normalise_url
from records.models import utcnow
from records.storage import LocalFileStore

TEST_SENDER_SALT = "test-sender-salt"
PG_SERVER = os.environ.get("SAATHI_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(normalise_url(f"{PG_SERVER}/postgres"), poolclass=NullPool,
                         isolation_level="AUTOCOMMIT")


def pg_available() -> bool:
    try:
        with _admin_engine().connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


@contextmanager
def fresh_pg_database(prefix: str = "saathi_rt") -> Iterator[str]:
    """CREATE a uniquely named database, yield its URL, DROP it (even if the test failed)."""
    if not pg_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def emptied(url: str, table: str) -> str:
    """``url`` once every row of ``table`` is gone: a test's clean start on its module's database."""
    with create_engine(normalise_url(url), poolclass=NullPool).begin() as conn:
        conn.execute(text(f"DELETE FROM {table}"))
    return url


def schema_diff(url: str, metadata: Any) -> list:
    """What Alembic's autogenerate would change (types included) to make the database at ``url``
    match ``metadata``: empty when the migrations and the models agree."""
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": schema.VERSION_TABLE, "compare_type": True})
            return compare_metadata(ctx, metadata)
    finally:
        engine.dispose()


def table_fixtures(prefix: str, migrate: Callable[[str], object], table: str) -> tuple[Any, Any]:
    """A test module's two fixtures, ``url, empty = table_fixtures(...)``: ``url`` a fresh PostgreSQL
    database migrated by ``migrate`` (one per module), ``empty`` that URL with ``table`` emptied (per test)."""

    @pytest.fixture(scope="module")
    def url() -> Iterator[str]:
        with fresh_pg_database(prefix) as db:
            migrate(db)
            yield db

    @pytest.fixture()
    def empty(url: str) -> str:
        return emptied(url, table)

    return url, empty


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with fresh_pg_database() as url:
        schema.upgrade(url, target="records@head")
        yield url


@pytest.fixture(scope="module")
def records_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("records")
    return base / "keys" / "master.json", base / "files"


def build_service(url: str, key_file: Path, files: Path,
                  clock: Callable[[], dt.datetime] = utcnow) -> RecordsService:
    engine = make_engine(url, pool_size=5)
    return RecordsService(make_session_factory(engine), FileKeyProvider(key_file), LocalFileStore(files),
                          clock=clock, sender_salt=TEST_SENDER_SALT)


@pytest.fixture(scope="module")
def svc(pg_url: str, records_dirs: tuple[Path, Path]) -> RecordsService:
    return build_service(pg_url, *records_dirs)


def later(hours: float) -> Callable[[], dt.datetime]:
    """A clock ``hours`` ahead of now, for expiry tests."""
    return lambda: utcnow() + dt.timedelta(hours=hours)


@pytest.fixture()
def make_patient(svc: RecordsService) -> Callable[..., uuid.UUID]:
    def make(phone: str | None = None, **profile: object) -> uuid.UUID:
        from records import Actor, Purpose

        phone = phone or "+9170" + uuid.uuid4().int.__str__()[:8]
        pid = svc.get_or_create_patient("whatsapp", phone, "hi")
        if profile:
            svc.update_patient_profile(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE, **profile)
        return pid

    return make


@pytest.fixture()
def make_doctor(svc: RecordsService) -> Callable[..., uuid.UUID]:
    def make(name: str = "Dr Test", specialty: str = "general_physician") -> uuid.UUID:
        return svc.register_doctor(name=name, specialty=specialty, registration_number="PMC-" +
                                   uuid.uuid4().hex[:6], languages=["hi", "en"])

    return make
