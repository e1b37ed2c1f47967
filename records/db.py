"""Engine and session factory for the records database (PostgreSQL, or the embedded SQLite file)."""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: every engine this process made, so a forked child can let go of the parent's connections
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    """In a forked child (an RQ work horse: the worker's root built its one engine before the fork)
    the pooled connections are the parent's sockets; the child gets a fresh pool on the same engine
    and leaves them alone (SQLAlchemy's ``dispose(close=False)``), so a horse killed mid-transaction
    cannot leave its transaction on a connection the next horse or the parent uses."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg2 here (SQLAlchemy 2.1 would otherwise pick psycopg 3)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def ensure_sqlite_dir(url: str) -> None:
    """The embedded database lives under var/, which may not exist yet on a fresh checkout."""
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys (cascading deletes) and WAL turned on.

    ``hide_parameters``: a database error's text (``str(exc)``, a traceback) names the statement
    but not its values, which can be a phone hash, a name or a sealed record."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Every transaction takes the write lock up front, so the audit chain cannot fork.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    else:
        # No pre-ping: it costs a round trip per unit of work; stale connections are recycled instead.
        engine = create_engine(url, echo=echo, hide_parameters=True, pool_size=pool_size, max_overflow=pool_size,
                               pool_recycle=1800)
    _ENGINES.add(engine)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions do not expire on commit: the service returns plain values built before commit."""
    return sessionmaker(engine, expire_on_commit=False)


def session_factory_from_settings(settings: Any | None = None) -> sessionmaker[Session]:
    from config.settings import load

    s = settings or load()
    return make_session_factory(make_engine(s.effective_database_url))
