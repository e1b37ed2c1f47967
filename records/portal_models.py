"""Tables of the provider portal and the doctor handoff (own metadata, own Alembic history).

Kept apart from :mod:`records.models` on purpose: the portal's history
(``records/portal_migrations/versions``, the ``portal`` branch of :mod:`engine.schema`) depends on the
records branch: its tables point at records' users.

Same rules as the records schema:

* anything about a patient's health is an :class:`Encrypted` ``*_enc`` column sealed with the
  *patient's* data key (case details, meeting room), written only through
  :meth:`records.RecordsService.unit` (authorised and audited);
* staff secrets (TOTP seed, phone for password reset) are sealed with the staff member's own key;
* plain columns: ids, times, statuses, routing codes (specialty, language, channel) and the
  queue priority (0 emergency, 1 urgent, 2 routine), which the queue must sort on without
  opening every case. Password and one-time-code hashes are argon2 strings.
* ``diagnosis_labels`` holds de-identified training examples (symptom codes, predicted and
  confirmed ICD-10): no patient id, date only, so they survive the patient's deletion by design.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from records.crypto import Sealed
from records.models import utcnow
from records.types import Encrypted


class PortalBase(DeclarativeBase):
    pass


#: A stub of records' ``users`` table so foreign keys resolve inside this metadata; the real
#: table is created and owned by the records migrations.
USERS = Table("users", PortalBase.metadata, Column("id", Uuid, primary_key=True))
CONSULTATIONS = Table("consultations", PortalBase.metadata, Column("id", Uuid, primary_key=True))
PORTAL_TABLES = ("portal_accounts", "portal_refresh_tokens", "portal_sessions", "availability_slots",
                 "handoff_cases", "diagnosis_labels")

PRIORITY = {"emergency": 0, "urgent": 1, "routine": 2}


def _ts(nullable: bool = True) -> Any:
    return mapped_column(DateTime(timezone=True), nullable=nullable)


class PortalAccount(PortalBase):
    """A staff member's login: doctor, ASHA, pharmacist or admin (the role is on ``users``)."""

    __tablename__ = "portal_accounts"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"),
                                               primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    #: base32 TOTP seed, sealed with the account holder's key; enabled once a code was confirmed
    totp_secret_enc: Mapped[Sealed | None] = mapped_column(Encrypted(row="user_id", owner="user_id"))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: last accepted TOTP time step: a code is never accepted twice
    totp_last_step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[dt.datetime | None] = _ts()
    #: {"phone"} sealed with the account holder's key: where reset codes go
    contact_enc: Mapped[Sealed | None] = mapped_column(Encrypted(row="user_id", owner="user_id"))
    reset_code_hash: Mapped[str | None] = mapped_column(String(255))
    reset_expires_at: Mapped[dt.datetime | None] = _ts()
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class RefreshToken(PortalBase):
    """API refresh tokens (by JWT id): one use each, rotated on refresh, revocable."""

    __tablename__ = "portal_refresh_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    expires_at: Mapped[dt.datetime] = _ts(nullable=False)
    used_at: Mapped[dt.datetime | None] = _ts()


class StaffSession(PortalBase):
    """A signed-in browser (server side): the cookie holds a random id, this table its SHA-256.

    Deleting the row ends that sign-in everywhere the cookie was copied; password and 2FA resets
    and deactivation delete all rows of the user. ``full`` is False between the password and the
    TOTP step."""

    __tablename__ = "portal_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    full: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)


class AvailabilitySlot(PortalBase):
    """A doctor's bookable time; ``case_id`` set once a patient booked it."""

    __tablename__ = "availability_slots"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    doctor_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    starts_at: Mapped[dt.datetime] = _ts(nullable=False)
    ends_at: Mapped[dt.datetime] = _ts(nullable=False)
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("handoff_cases.id", ondelete="SET NULL"), index=True)


class HandoffCase(PortalBase):
    """A patient asked the bot for a doctor. Statuses: ``waiting`` (no doctor yet), ``offered``
    (slots offered, waiting for 1/2/3), ``booked`` (doctor, slot, consent), ``accepted`` (room
    ready), ``closed``, ``cancelled``."""

    __tablename__ = "handoff_cases"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"),
                                                  nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="waiting", index=True)
    priority: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=2)
    specialty: Mapped[str] = mapped_column(String(32), nullable=False, default="general_physician")
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="hi")
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="whatsapp")
    doctor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"),
                                                        index=True)
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("consultations.id", ondelete="SET NULL"), index=True)
    scheduled_at: Mapped[dt.datetime | None] = _ts()
    #: slot ids offered to the patient, in menu order (ids only)
    offered: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    #: {"text", "text_en", "triage"} sealed with the patient's key
    details_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)
    #: {"room", "domain", "mode"} sealed with the patient's key: the room name is a secret
    meeting_enc: Mapped[Sealed | None] = mapped_column(Encrypted)
    #: {"soap", "diagnosis", "follow_up"} sealed with the patient's key
    notes_enc: Mapped[Sealed | None] = mapped_column(Encrypted)
    #: the follow-up date again, in clear: what a restarted portal re-arms the reminder from
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date, index=True)


class DiagnosisLabel(PortalBase):
    """A de-identified training example: what triage predicted and what the doctor confirmed."""

    __tablename__ = "diagnosis_labels"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False)
    model_version: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    #: {"symptoms": [codes], "predicted": [icd10...], "urgency"}: codes only, no free text
    features: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    confirmed_icd10: Mapped[str] = mapped_column(String(16), nullable=False)
