"""Tables of the ASHA module, on their own ``DeclarativeBase``; schema history in
``engine/asha/migrations/versions`` (the ``asha`` branch of :mod:`engine.schema`, run by :func:`migrate`).

Nothing here names a person in clear: patients are records' UUIDs behind short codes, the ASHA's
phone is the gateway's salted hash, one-time codes are stored hashed. A follow-up's kind and label
(ANC-2, vaccine names: they say "pregnant", "newborn") are sealed with the *patient's* records data
key, so deleting the patient (crypto-shredding) makes them unreadable too; a keyed digest stands
in for them where uniqueness is checked. Due dates, the patient code and the status stay clear on
purpose: the daily list and the morning summaries select by date without opening any key. The
villages an ASHA serves are place names (public geography, not about a patient), kept in clear
so an emergency can be routed to them. A processed batch line's outcome ("sos:KD472" says that
patient was an emergency) is sealed with the ASHA's own data key.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, DateTime, Integer, String, UniqueConstraint, Uuid, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from config.timezone import utcnow
from records.crypto import Sealed
from records.types import Encrypted


class AshaBase(DeclarativeBase):
    pass


class AshaWorker(AshaBase):
    __tablename__ = "asha_workers"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # records' ASHA user
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)    # records.identity.sender_id
    area: Mapped[str] = mapped_column(String(80), default="", index=True)
    language: Mapped[str] = mapped_column(String(2), default="hi")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    otp_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    otp_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    otp_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: off: she is treated as anyone else (her commands go to the bot, no alerts, no summaries)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class AshaVillage(AshaBase):
    """A village an ASHA serves (her area), spelt as :func:`engine.asha.villages.key` spells it."""

    __tablename__ = "asha_villages"
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    village: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class AshaPatient(AshaBase):
    """A patient an ASHA registered, known to her by a short code."""

    __tablename__ = "asha_patients"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowUp(AshaBase):
    """Something an ASHA must do for a patient by ``due_on`` (clear: scheduling selects by it)."""

    __tablename__ = "asha_followups"
    __table_args__ = (UniqueConstraint("dedupe", name="uq_asha_followups_dedupe"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)  # whose data key seals the details
    code: Mapped[str] = mapped_column(String(8), index=True)
    #: {"kind": visit|referral|anc|immunisation|delivery, "label": "ANC-2" …}, sealed with the patient's key
    details_enc: Mapped[Sealed] = mapped_column(Encrypted)
    #: keyed digest of (ASHA, code, kind, label, due date): the same follow-up is recorded once
    dedupe: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open, done
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BatchLine(AshaBase):
    """One processed command line: resending it returns the stored outcome instead of redoing it."""

    __tablename__ = "asha_batch_lines"
    asha_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    line_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: "pending", "ok:KD472", "sos:KD472" (an emergency: health data), sealed with the ASHA's own data key
    outcome_enc: Mapped[Sealed] = mapped_column(Encrypted(row="line_key", owner="asha_id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def migrate(url: str, records: object | None = None) -> None:
    """Bring the ASHA tables to the newest schema (idempotent; SQLite file or PostgreSQL).

    ``records`` (a :class:`records.RecordsService`) lends the data keys for sealing follow-ups
    written in clear before labels were sealed; a database without such rows needs none.
    """
    from engine.schema import upgrade

    upgrade(url, records, "asha@head")
