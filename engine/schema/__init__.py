"""The one schema owner: one Alembic environment for every table in the database.

Each part keeps its migration scripts beside its models, as one *branch* of a single history
(``version_locations``; one version table, ``saathi_alembic_version``, one row per branch head):

==========  =========================================  ===========================================
branch      scripts                                     tables (models)
==========  =========================================  ===========================================
records     ``records/migrations/versions``             ``records.models`` (health records)
portal      ``records/portal_migrations/versions``      ``records.portal_models`` (after records)
asha        ``engine/asha/migrations/versions``         ``engine.asha.models``
notify      ``engine/notify/migrations/versions``       ``engine.notify.models``
traffic     ``engine/triage/migrations/versions``       ``engine.triage.traffic`` (drift log)
pharmacy    ``engine/pharmacy/migrations/versions``     ``engine.pharmacy.models``
surveil...  ``engine/surveillance/migrations/versions`` ``engine.surveillance`` (events, alerts)
==========  =========================================  ===========================================

Migration scripts import only Alembic and SQLAlchemy, never a service. Sealing values that older
schemas held in clear needs the records' data keys, so it is a *data step* run by
:func:`upgrade` between an expand revision (new sealed columns) and its contract (clear columns
dropped); the steps live with their parts (``engine.asha.sealing``, ``engine.notify.sealing``,
``records.resealing`` binding every part's sealed values to their place).

Databases deployed before this environment existed carry one version table per part
(``records_alembic_version``, ``portal_alembic_version``, ``asha_alembic_version``,
``notify_alembic_version``, ``triage_traffic_alembic_version``, ``surveillance_alembic_version``), or none at all for tables the old
``create_all`` made (ASHA and notify before their histories, the traffic log, pharmacy).
:func:`adopt` reads them into the one version table (same revision ids) once, then drops them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, pool, select, text

import records
from records.db import ensure_sqlite_dir, normalise_url

HERE = Path(__file__).resolve().parent
ENGINE = HERE.parent
RECORDS = Path(records.__file__).resolve().parent
VERSION_TABLE = "saathi_alembic_version"

#: A data step: gets the database URL once the schema is at the step's revision.
DataStep = Callable[[str], Any]

#: Alembic's ``context`` and ``op`` are module-level proxies, one per process: two threads
#: migrating at once (the gateway builds its services lazily, an emergency job's ASHA tables
#: beside a request's notify tables) send one migration's DDL through the other's connection,
#: which the other may be closing. Seen as a SIGSEGV inside psycopg2's execute in CI. So every
#: command of this module runs one at a time per process (reentrant: upgrade adopts and recurses).
_ALEMBIC = threading.RLock()


def _one_at_a_time(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _ALEMBIC:
            return function(*args, **kwargs)
    return locked


@dataclass(frozen=True)
class Part:
    """One branch of the history."""

    versions: Path
    baseline: str                  # its first revision
    old_version_table: str | None  # its own version table before the single environment
    legacy_table: str | None       # a table the old create_all made: present, unversioned -> baseline


PARTS: dict[str, Part] = {
    "records": Part(RECORDS / "migrations" / "versions", "0001", "records_alembic_version", None),
    "portal": Part(RECORDS / "portal_migrations" / "versions", "portal_0001", "portal_alembic_version", None),
    "asha": Part(ENGINE / "asha" / "migrations" / "versions", "asha_0001", "asha_alembic_version", "asha_workers"),
    "notify": Part(ENGINE / "notify" / "migrations" / "versions", "notify_0001", "notify_alembic_version",
                   "notify_outbox"),
    "traffic": Part(ENGINE / "triage" / "migrations" / "versions", "traffic_0001", "triage_traffic_alembic_version",
                    "triage_traffic"),
    "pharmacy": Part(ENGINE / "pharmacy" / "migrations" / "versions", "pharmacy_0001", None, "pharmacies"),
    "surveillance": Part(ENGINE / "surveillance" / "migrations" / "versions", "surveillance_0001",
                         "surveillance_alembic_version", "surveillance_events"),
}


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p.versions) for p in PARTS.values()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def metadata() -> list[MetaData]:
    """Every part's models: what the migrated database must equal (tests, autogenerate)."""
    from engine.asha.models import AshaBase
    from engine.notify.models import NotifyBase
    from engine.pharmacy.models import PharmacyBase
    from engine.surveillance.alerts import AlertRow  # noqa: F401 - registers the alert tables on the events metadata
    from engine.surveillance.events import EventsBase
    from engine.triage.traffic import TrafficBase
    from records.models import Base
    from records.portal_models import PortalBase

    return [Base.metadata, PortalBase.metadata, AshaBase.metadata, NotifyBase.metadata, TrafficBase.metadata,
            PharmacyBase.metadata, EventsBase.metadata]


def _engine(url: str):  # type: ignore[no-untyped-def]
    return create_engine(normalise_url(url), poolclass=pool.NullPool)


def heads(url: str) -> set[str]:
    """The revisions the database is at (one per branch it has)."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_heads())
    finally:
        engine.dispose()


def current(url: str, part: str) -> str | None:
    """The revision of one part (branch), None when its tables are not there."""
    script = scripts()
    applied = _ancestors(script, heads(url))  # a head implies what it revises and depends on
    return next((r.revision for r in script.iterate_revisions(f"{part}@head", "base")
                 if r.revision in applied and part in (r.branch_labels or set()) | _branch_of(script, r.revision)),
                None)


def _branch_of(script: ScriptDirectory, revision: str) -> set[str]:
    """The branch labels a revision inherits from its branch's base."""
    rev = script.get_revision(revision)
    while rev is not None and rev.down_revision:
        if rev.branch_labels:
            break
        rev = script.get_revision(rev.down_revision)  # type: ignore[arg-type]
    return set(rev.branch_labels) if rev is not None else set()


@_one_at_a_time
def adopt(url: str) -> list[str]:
    """Bring a database made before the single environment under it (idempotent): the revisions of
    the old per-part version tables, and the baseline of parts whose tables ``create_all`` made,
    are stamped into the one version table; the old version tables are dropped. Returns the
    revisions stamped (empty when there was nothing to adopt)."""
    engine = _engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if VERSION_TABLE in tables:
            return []
        found: list[str] = []
        with engine.connect() as conn:
            for part in PARTS.values():
                if part.old_version_table and part.old_version_table in tables:
                    found += [r for r in conn.execute(text(f"SELECT version_num FROM {part.old_version_table}")).scalars()
                              if r]
                elif part.legacy_table and part.legacy_table in tables:
                    found.append(part.baseline)
        if found:
            script = scripts()  # keep the tips: portal's revision already implies records' (depends_on)
            implied = set().union(*(_ancestors(script, [r]) - {r} for r in found))
            command.stamp(alembic_config(url), sorted(set(found) - implied))
        old = [p.old_version_table for p in PARTS.values() if p.old_version_table in tables]
        if old:
            with engine.begin() as conn:
                for name in old:
                    conn.execute(text(f"DROP TABLE {name}"))
        return found
    finally:
        engine.dispose()


def _ancestors(script: ScriptDirectory, targets: Iterable[str]) -> set[str]:
    """Every revision at or below ``targets`` (revision ids, ``heads`` or ``<branch>@head``)."""
    out: set[str] = set()
    for target in targets:
        out |= {r.revision for r in script.iterate_revisions(target, "base")}
    return out


#: The portal's tables: after the newest records schema (they point at records' users, and its pages
#: create users with the records' newest roles), not only the records revision portal_0001 depends on.
PORTAL = ("records@head", "portal@head")


@_one_at_a_time
def upgrade(url: str, records: Any | None = None, target: str | tuple[str, ...] = "heads",
            steps: dict[str, DataStep] | None = None) -> None:
    """Bring the database to ``target`` (all branches by default, or ``<part>@head``, or a revision,
    or several of them in turn), idempotently, adopting an older database first and running the
    data steps on the way.

    ``records`` (a :class:`records.RecordsService`) gives the data steps their keys; without it a
    step that finds clear rows refuses (RuntimeError) instead of guessing."""
    if isinstance(target, tuple):
        for one in target:
            upgrade(url, records, one, steps)
        return
    ensure_sqlite_dir(url)
    adopt(url)
    cfg = alembic_config(url)
    script = ScriptDirectory.from_config(cfg)
    wanted = _ancestors(script, [target])
    for revision, step in (data_steps(records) if steps is None else steps).items():
        at = heads(url)
        past = any(revision in _ancestors(script, [h]) and h != revision for h in at)
        if not past and revision in wanted and revision != target:
            command.upgrade(cfg, revision)
            step(url)
    command.upgrade(cfg, target)


@_one_at_a_time
def downgrade(url: str, target: str) -> None:
    """Down to ``target``: a revision, or ``<part>@base`` to remove one part's tables."""
    command.downgrade(alembic_config(url), target)


def key_audit_log(url: str, records: Any | None) -> list[int]:
    """Revision 0003's data step: close the unkeyed chains of an older audit log with a keyed
    entry (records.audit.key_legacy_chains); returns the chains closed. Refuses without the keys
    when there are entries, like the sealing steps."""
    from records import audit
    from records.db import make_engine, make_session_factory
    from records.models import AuditEntry, AuditHead

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            if records is None:  # without the key, an unkeyed chain shows by its newest entry's SHA-256 link
                tails = session.execute(select(AuditEntry.__table__).join(
                    AuditHead, (AuditHead.chain == AuditEntry.chain) & (AuditHead.hash == AuditEntry.hash)))
                if any(audit.legacy_entry_hash(bytes(row["prev_hash"]), row) == bytes(row["hash"])
                       for row in tails.mappings()):
                    raise RuntimeError("keying the audit log needs the records keys: run `saathi db upgrade`")
                return []
            closed = audit.key_legacy_chains(session, records.audit_key)
            session.commit()
            return closed
    finally:
        engine.dispose()


def data_steps(records: Any | None) -> dict[str, DataStep]:
    """Revision -> the data step run right after it, in the order they must run."""
    from engine.asha import sealing as asha
    from engine.notify import sealing as notify
    from records.resealing import reseal
    from records.types import sealed_columns

    return {
        "0003": lambda url: key_audit_log(url, records),
        "asha_0002": lambda url: asha.seal_clear_follow_ups(url, records),
        "asha_0004": lambda url: asha.seal_clear_outcomes(url, records),
        "notify_0002": lambda url: notify.seal_clear_rows(url, records),
        # last: what the steps above sealed is bound already; this binds everything sealed before
        "0004": lambda url: reseal(url, records, sealed_columns(metadata())),
    }
