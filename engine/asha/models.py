"""Tables of the ASHA module, on their own ``DeclarativeBase`` (created with ``create_all``:
additive tables only, no Alembic history yet — a later change to them needs a migration).

Nothing here names a person: patients are records' UUIDs behind short codes, the ASHA's phone is
the gateway's salted hash, one-time codes are stored hashed. Follow-up kinds, labels (ANC-2,
vaccine names) and due dates are in clear so the daily list can be computed without keys.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class AshaBase(DeclarativeBase):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class AshaWorker(AshaBase):
    __tablename__ = "asha_workers"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # records' ASHA user
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)    # channels.identity.sender_id
    area: Mapped[str] = mapped_column(String(80), default="", index=True)
    language: Mapped[str] = mapped_column(String(2), default="hi")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    otp_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    otp_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    otp_attempts: Mapped[int] = mapped_column(Integer, default=0)


class AshaPatient(AshaBase):
    """A patient an ASHA registered, known to her by a short code."""

    __tablename__ = "asha_patients"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowUp(AshaBase):
    __tablename__ = "asha_followups"
    __table_args__ = (UniqueConstraint("code", "kind", "label", "due_on"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    code: Mapped[str] = mapped_column(String(8), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # visit, referral, anc, immunisation
    label: Mapped[str] = mapped_column(String(80), default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open, done
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BatchLine(AshaBase):
    """One processed command line: resending it returns the stored outcome instead of redoing it."""

    __tablename__ = "asha_batch_lines"
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    line_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(40))  # "ok:KD472", "sos:KD472", "err:age" — no health text
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def migrate(url: str) -> None:
    """Create the ASHA tables if missing (idempotent; SQLite file or PostgreSQL)."""
    from records.db import make_engine

    engine = make_engine(url)
    try:
        AshaBase.metadata.create_all(engine)
    finally:
        engine.dispose()
