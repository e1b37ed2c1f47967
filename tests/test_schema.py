"""One schema owner (engine.schema): one Alembic history with a branch per part.

An empty database and a database at each earlier revision reach the newest schema, which equals
the models of every part; up and down again; databases deployed before the single history (a
version table per part, or tables the old ``create_all`` made) are adopted, and their clear rows
sealed with the records keys on the way (refused without them)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from engine import schema
from records.db import normalise_url
from tests.support.records import build_service, fresh_pg_database, schema_diff

HEADS = {"records": "0006", "portal": "portal_0003", "asha": "asha_0005", "notify": "notify_0005",
         "traffic": "traffic_0001", "pharmacy": "pharmacy_0001", "surveillance": "surveillance_0002"}
RECORDS_TABLES = {
    "users", "data_keys", "patient_profiles", "doctor_profiles", "asha_profiles", "channel_identities",
    "encounters", "transcript_lines", "symptom_reports", "triage_results", "documents", "medications",
    "lab_results", "consultations", "prescriptions", "consents", "audit_log", "audit_heads", "allergies",
    "access_pins",
}
OLD_VERSION_TABLES = {"records": "records_alembic_version", "portal": "portal_alembic_version",
                      "asha": "asha_alembic_version", "notify": "notify_alembic_version",
                      "traffic": "triage_traffic_alembic_version", "surveillance": "surveillance_alembic_version"}


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(normalise_url(url), poolclass=NullPool)


def _tables(url: str) -> set[str]:
    engine = _engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _models() -> sa.MetaData:
    combined = sa.MetaData()
    for metadata in schema.metadata():
        for table in metadata.tables.values():
            if table.name not in combined.tables:  # the portal's models repeat the records tables they point at
                table.to_metadata(combined)
    return combined


def _diff(url: str) -> list:
    """What autogenerate would change to make the database match every part's models."""
    return schema_diff(url, _models())


def _old_layout(url: str, versions: dict[str, str]) -> None:
    """Turn the one version table into what a deployment before it had: a version table per part
    (``versions``: part -> revision); the parts not named had none (their tables from create_all)."""
    engine = _engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {schema.VERSION_TABLE}"))
        for part, revision in versions.items():
            table = OLD_VERSION_TABLES[part]
            conn.execute(sa.text(f"CREATE TABLE {table} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            conn.execute(sa.text(f"INSERT INTO {table} (version_num) VALUES (:r)"), {"r": revision})
    engine.dispose()


@pytest.mark.postgres
def test_an_empty_postgres_database_reaches_the_models_of_every_part_and_back() -> None:
    with fresh_pg_database("saathi_schema") as url:
        schema.upgrade(url)
        assert {part: schema.current(url, part) for part in schema.PARTS} == HEADS
        tables = _tables(url)
        assert tables >= RECORDS_TABLES and {"pharmacies", "asha_workers", "notify_outbox", "triage_traffic",
                                             "handoff_cases"} <= tables
        assert tables == set(_models().tables) | {schema.VERSION_TABLE}, "one version table, no other"
        assert _diff(url) == [], "models and migrations disagree"
        schema.upgrade(url)  # idempotent
        schema.downgrade(url, "asha@base")
        assert schema.current(url, "asha") is None and not {"asha_workers", "asha_followups"} & _tables(url)
        schema.downgrade(url, "base")
        assert _tables(url) == {schema.VERSION_TABLE}
        schema.upgrade(url)
        assert _diff(url) == []


def _earlier_revisions() -> list[str]:
    heads = set(HEADS.values())
    return sorted(r.revision for r in schema.scripts().walk_revisions() if r.revision not in heads)


@pytest.mark.postgres
@pytest.mark.parametrize("revision", _earlier_revisions())
def test_a_database_at_an_earlier_revision_reaches_the_models(revision: str) -> None:
    with fresh_pg_database("saathi_schema_at") as url:
        schema.upgrade(url, target=revision)
        assert revision in schema.heads(url) or revision == "0001"  # records' is implied by portal's
        schema.upgrade(url)
        assert _diff(url) == [], f"from {revision}: models and migrations disagree"
        assert {part: schema.current(url, part) for part in schema.PARTS} == HEADS


@pytest.mark.postgres
def test_a_deployed_database_with_a_version_table_per_part_is_adopted() -> None:
    """What a deployment before the single history holds: records, portal, ASHA (before the batch
    outcomes were sealed), notify and traffic each with its own version table; pharmacy from create_all."""
    with fresh_pg_database("saathi_schema_old") as url:
        for target in ("portal@head", "asha_0003", "notify_0003", "traffic@head", "pharmacy@head"):
            schema.upgrade(url, target=target)
        _old_layout(url, {"records": "0001", "portal": "portal_0003", "asha": "asha_0003",
                          "notify": "notify_0003", "traffic": "traffic_0001"})
        schema.upgrade(url)  # no clear batch outcomes: the step needs no keys
        assert {part: schema.current(url, part) for part in schema.PARTS} == HEADS
        assert not set(OLD_VERSION_TABLES.values()) & _tables(url)
        assert _diff(url) == []


def _legacy_rows(url: str, asha_id: uuid.UUID, patient_id: uuid.UUID, gone: uuid.UUID) -> None:
    """What a database made by the old create_all held: clear labels and fields, no version tables."""
    schema.upgrade(url, target="asha_0001")
    schema.upgrade(url, target="notify_0001")
    _old_layout(url, {"records": "0001"})  # records had its own history; ASHA and notify none
    engine = _engine(url)
    now = dt.datetime.now(dt.timezone.utc)
    uid, ts, text = sa.Uuid(), sa.DateTime(timezone=True), sa.String()

    def table(name: str, **columns: sa.types.TypeEngine) -> sa.TableClause:
        return sa.table(name, *(sa.column(c, t) for c, t in columns.items()))

    with engine.begin() as conn:
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
    from engine.notify.addresses import RecordsSealer
    from engine.notify.models import Outbox
    from records import Actor
    from tests.support.asha import Clock, build

    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    schema.upgrade(url, target="0003")  # the records tables of that time (0005, allergies, came later)
    records = build_service(url, tmp_path / "keys.json", tmp_path / "files")
    asha_id = records.register_asha(name="Asha Old", village="Dhuri", area="Dhuri-1")
    patient_id = records.create_patient_by_asha(Actor.asha(asha_id), name="Sita", village="Dhuri")
    _legacy_rows(url, asha_id, patient_id, gone=uuid.uuid4())

    with pytest.raises(RuntimeError, match="saathi asha migrate"):
        schema.upgrade(url)  # clear labels and no keys to seal them with
    schema.upgrade(url, records)
    assert not {"asha_alembic_version", "notify_alembic_version", "records_alembic_version"} & _tables(url)

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
    assert RecordsSealer(records).open(patient_id, sealed.id, sealed.fields_enc) == {"date": "19/01"}


def test_records_alone_on_sqlite_up_and_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    schema.upgrade(url, target="records@head")
    assert _tables(url) == RECORDS_TABLES | {schema.VERSION_TABLE}
    assert schema.current(url, "records") == HEADS["records"] and schema.current(url, "portal") is None
    schema.downgrade(url, "records@base")
    assert _tables(url) == {schema.VERSION_TABLE}
