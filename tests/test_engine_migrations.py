"""The ASHA and notify tables' Alembic histories: up and down on an empty PostgreSQL database,
models equal to migrations, databases made by the old ``create_all`` stamped and their clear rows
sealed with the records keys on the way (and refused without them)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.pool import NullPool

from engine.asha import migrations as asha_migrations
from engine.asha.models import AshaBase
from engine.notify import migrations as notify_migrations
from engine.notify.models import NotifyBase
from records.db import normalise_url
from records.testing import build_service, fresh_pg_database

ASHA_TABLES = {"asha_workers", "asha_villages", "asha_patients", "asha_followups", "asha_batch_lines"}
NOTIFY_TABLES = {"notify_outbox", "notify_dose_times"}


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(normalise_url(url), poolclass=NullPool)


def _tables(url: str) -> set[str]:
    engine = _engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _diff(url: str, metadata: sa.MetaData, version_table: str) -> list:
    """What autogenerate would change to make the database match the models (theirs only)."""
    engine = _engine(url)
    mine = set(metadata.tables)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={
                "version_table": version_table, "compare_type": True,
                "include_name": lambda name, kind, _: kind != "table" or name in mine})
            return compare_metadata(ctx, metadata)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_upgrade_on_an_empty_postgres_creates_the_tables_the_models_describe() -> None:
    with fresh_pg_database("saathi_engmig") as url:
        asha_migrations.upgrade(url)
        notify_migrations.upgrade(url)
        assert asha_migrations.current(url) == "asha_0005" and notify_migrations.current(url) == "notify_0003"
        assert _tables(url) == ASHA_TABLES | NOTIFY_TABLES | {"asha_alembic_version", "notify_alembic_version"}
        assert _diff(url, AshaBase.metadata, "asha_alembic_version") == [], "ASHA models and migrations disagree"
        assert _diff(url, NotifyBase.metadata, "notify_alembic_version") == [], "notify models and migrations disagree"
        asha_migrations.upgrade(url)  # idempotent
        asha_migrations.downgrade(url, "base")
        notify_migrations.downgrade(url, "base")
        assert _tables(url) == {"asha_alembic_version", "notify_alembic_version"}
        asha_migrations.upgrade(url)
        notify_migrations.upgrade(url)
        assert _tables(url) >= ASHA_TABLES | NOTIFY_TABLES


def _legacy_rows(url: str, asha_id: uuid.UUID, patient_id: uuid.UUID, gone: uuid.UUID) -> None:
    """What a database made by the old create_all held: clear labels and fields, no version tables."""
    asha_migrations.upgrade(url, revision="asha_0001")
    notify_migrations.upgrade(url, revision="notify_0001")
    engine = _engine(url)
    now = dt.datetime.now(dt.timezone.utc)
    uid, ts, text = sa.Uuid(), sa.DateTime(timezone=True), sa.String()

    def table(name: str, **columns: sa.types.TypeEngine) -> sa.TableClause:
        return sa.table(name, *(sa.column(c, t) for c, t in columns.items()))

    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE asha_alembic_version"))
        conn.execute(sa.text("DROP TABLE notify_alembic_version"))
        conn.execute(sa.insert(table("asha_workers", user_id=uid, phone_hash=text, area=text, language=text,
                                     created_at=ts, otp_attempts=sa.Integer())),
                     {"user_id": asha_id, "phone_hash": "u-legacy", "area": "Dhuri-1", "language": "hi",
                      "created_at": now, "otp_attempts": 0})
        conn.execute(sa.insert(table("asha_patients", code=text, patient_id=uid, asha_id=uid, created_at=ts)),
                     {"code": "KD472", "patient_id": patient_id, "asha_id": asha_id, "created_at": now})
        conn.execute(sa.insert(table("asha_followups", id=uid, asha_id=uid, code=text, kind=text, label=text,
                                     due_on=sa.Date(), status=text)),
                     {"id": uuid.uuid4(), "asha_id": asha_id, "code": "KD472", "kind": "anc", "label": "ANC-2",
                      "due_on": dt.date(2027, 1, 19), "status": "open"})
        conn.execute(sa.insert(table("asha_batch_lines", asha_id=uid, line_key=text, outcome=text, created_at=ts)),
                     {"asha_id": asha_id, "line_key": "ref:1", "outcome": "sos:KD472", "created_at": now})
        outbox = table("notify_outbox", id=uid, dedupe_key=text, kind=text, user_id=uid, key=text, fields=sa.JSON(),
                       urgent=sa.Boolean(), due_at=ts, status=text, attempts=sa.Integer(), via=text, sid=text)
        for user, key in ((patient_id, "checkup:KD472:anc"), (gone, "checkup:XY123:anc")):
            conn.execute(sa.insert(outbox), {"id": uuid.uuid4(), "dedupe_key": key, "kind": "checkup", "user_id": user,
                                             "key": "asha_notify_checkup", "fields": {"date": "19/01"},
                                             "urgent": False, "due_at": now, "status": "scheduled", "attempts": 0,
                                             "via": "", "sid": ""})
    engine.dispose()


def test_a_create_all_database_is_stamped_and_its_clear_rows_sealed(tmp_path: Path) -> None:
    from engine.asha.testing import Clock, build
    from engine.notify.addresses import RecordsSealer
    from engine.notify.models import Outbox
    from records import Actor, migrate

    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    migrate.upgrade(url)
    records = build_service(url, tmp_path / "keys.json", tmp_path / "files")
    asha_id = records.register_asha(name="Asha Old", village="Dhuri", area="Dhuri-1")
    patient_id = records.create_patient_by_asha(Actor.asha(asha_id), name="Sita", village="Dhuri")
    _legacy_rows(url, asha_id, patient_id, gone=uuid.uuid4())

    with pytest.raises(RuntimeError, match="saathi asha migrate"):
        asha_migrations.upgrade(url)  # clear labels and no keys to seal them with
    asha_migrations.upgrade(url, records)
    notify_migrations.upgrade(url, records)

    engine = _engine(url)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("asha_followups")}
        assert not {"kind", "label"} & columns
        dump = b" ".join(bytes(v) for v in conn.execute(sa.text("SELECT details_enc FROM asha_followups")).scalars())
        dump += b" ".join(bytes(v) for v in conn.execute(sa.text("SELECT outcome_enc FROM asha_batch_lines")).scalars())
        assert "outcome" not in {c["name"] for c in sa.inspect(conn).get_columns("asha_batch_lines")}
        outbox = conn.execute(sa.text("SELECT dedupe_key FROM notify_outbox")).scalars().all()
    engine.dispose()
    assert b"ANC" not in dump and b"sos" not in dump and len(outbox) == 1 and outbox[0].startswith("d:")  # the deleted person's row went
    service = build(url, records, Clock())
    (row,) = service.open_follow_ups(asha_id)
    assert (row.code, row.kind, row.label, row.due_on) == ("KD472", "anc", "ANC-2", dt.date(2027, 1, 19))
    assert service.villages(asha_id) == ["dhuri"]  # her own village became her area
    worker = service.worker_by_id(asha_id)
    assert service.run_line(worker, "#1 VISIT KD472 bukhar")[1].reply == "पहले ही दर्ज: KD472"  # the line was done
    with records.sessions() as s:
        (sealed,) = s.scalars(sa.select(Outbox)).all()
    assert RecordsSealer(records).open(patient_id, sealed.fields_enc) == {"date": "19/01"}
