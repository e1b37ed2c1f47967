"""The health-records schema (SQLAlchemy 2 typed ORM). Alembic migrations in records/migrations.

Rules the schema follows:

* Anything that identifies a person or describes their health is an :class:`Encrypted` column
  (name ``*_enc``), sealed with the *subject's* data key. Plain columns hold only ids, times,
  roles, statuses, codes of the service itself (specialty, model version) and keyed digests.
* Every health row carries ``patient_id`` with ``ON DELETE CASCADE``, so deleting the user row
  removes all of it; the audit log has no foreign keys, so it survives deletions.
* Primary keys are random UUIDs: ids reveal neither order of registration nor counts.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from config.timezone import utcnow
from records.crypto import Sealed
from records.types import Encrypted


class Role(str, enum.Enum):
    PATIENT = "patient"
    DOCTOR = "doctor"
    ASHA = "asha"
    PHARMACIST = "pharmacist"
    ADMIN = "admin"
    SURVEILLANCE = "surveillance"  # district surveillance officer (aggregate, de-identified data only)
    PROGRAMME = "programme"        # programme manager (aggregate figures only)


class Base(DeclarativeBase):
    pass


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def _patient_fk(index: bool = True) -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=index)


def _owner_key() -> Mapped[uuid.UUID]:
    """A profile's key: its person (users.id), whose deletion takes the profile with it."""
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def _link(table: str, ondelete: str, index: bool = True) -> Mapped[uuid.UUID | None]:
    """An optional link to a row of ``table`` (nullable as the attribute's annotation says):
    ``CASCADE`` for what only exists for that row, ``SET NULL`` for what outlives it."""
    return mapped_column(Uuid, ForeignKey(f"{table}.id", ondelete=ondelete), index=index)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role in ('patient','doctor','asha','pharmacist','admin','surveillance','programme')",
                        name="ck_users_role"),
    )
    id: Mapped[uuid.UUID] = _id()
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="hi")
    created_at: Mapped[dt.datetime] = _created()


class DataKeyRow(Base):
    """A person's data key, wrapped by a master key. Deleting it is crypto-shredding."""

    __tablename__ = "data_keys"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    master_key_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = _created()
    rewrapped_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PatientProfile(Base):
    __tablename__ = "patient_profiles"
    user_id: Mapped[uuid.UUID] = _owner_key()
    #: {"name", "birth_year", "sex", "village"} sealed together: one decrypt per profile read.
    details_enc: Mapped[Sealed] = mapped_column(Encrypted(row="user_id", owner="user_id"), nullable=False)
    registered_by: Mapped[uuid.UUID | None] = _link("users", "SET NULL")


class DoctorProfile(Base):
    __tablename__ = "doctor_profiles"
    user_id: Mapped[uuid.UUID] = _owner_key()
    #: {"name", "registration_number"}
    details_enc: Mapped[Sealed] = mapped_column(Encrypted(row="user_id", owner="user_id"), nullable=False)
    specialty: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)


class AshaProfile(Base):
    __tablename__ = "asha_profiles"
    user_id: Mapped[uuid.UUID] = _owner_key()
    #: {"name", "village"}
    details_enc: Mapped[Sealed] = mapped_column(Encrypted(row="user_id", owner="user_id"), nullable=False)
    #: administrative area code (block/district), used for routing, not a person's address.
    area: Mapped[str] = mapped_column(String(64), nullable=False, default="", index=True)


class ChannelIdentity(Base):
    """How a person reaches us: WhatsApp/SMS/IVR number etc. Found by keyed HMAC, stored sealed."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "address_hmac", name="uq_channel_address"),)
    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = _patient_fk()
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    address_hmac: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    address_enc: Mapped[Sealed] = mapped_column(Encrypted(owner="user_id"), nullable=False)
    created_at: Mapped[dt.datetime] = _created()


class Encounter(Base):
    """A conversation with the bot, a teleconsultation or an ASHA visit."""

    __tablename__ = "encounters"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="conversation")
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    started_at: Mapped[dt.datetime] = _created()
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TranscriptLine(Base):
    """One message of a conversation; purged after the retention period."""

    __tablename__ = "transcript_lines"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    encounter_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("encounters.id", ondelete="CASCADE"), nullable=False, index=True
    )
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    #: {"speaker", "text"}; bound to its conversation and time (the database makes the line's id)
    line_enc: Mapped[Sealed] = mapped_column(Encrypted(row=("encounter_id", "at")), nullable=False)


class SymptomReport(Base):
    __tablename__ = "symptom_reports"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    encounter_id: Mapped[uuid.UUID | None] = _link("encounters", "SET NULL")
    created_at: Mapped[dt.datetime] = _created()
    #: {"text", "symptoms", "age", "sex", "duration_days", ...}
    report_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)


class TriageResult(Base):
    __tablename__ = "triage_results"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    symptom_report_id: Mapped[uuid.UUID | None] = _link("symptom_reports", "CASCADE")
    created_at: Mapped[dt.datetime] = _created()
    model_version: Mapped[str] = mapped_column(String(64), nullable=False)
    #: the engine's output: urgency, conditions, specialist, red_flags, advice
    result_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    encounter_id: Mapped[uuid.UUID | None] = _link("encounters", "SET NULL")
    created_at: Mapped[dt.datetime] = _created()
    #: object-store key of the sealed file: random, reveals nothing
    blob_key: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    blob_size: Mapped[int] = mapped_column(Integer, nullable=False)
    #: {"filename", "mime", "doc_type"}
    meta_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)
    #: the OCR engine's JSON output
    ocr_enc: Mapped[Sealed | None] = mapped_column(Encrypted)


class Consultation(Base):
    __tablename__ = "consultations"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    #: SET NULL: a doctor leaving the service must not delete their patients' records.
    doctor_id: Mapped[uuid.UUID | None] = _link("users", "SET NULL")
    encounter_id: Mapped[uuid.UUID | None] = _link("encounters", "SET NULL")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="requested")
    created_at: Mapped[dt.datetime] = _created()
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: {"reason", "notes"}
    notes_enc: Mapped[Sealed | None] = mapped_column(Encrypted)


class Prescription(Base):
    __tablename__ = "prescriptions"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    consultation_id: Mapped[uuid.UUID | None] = _link("consultations", "CASCADE")
    doctor_id: Mapped[uuid.UUID | None] = _link("users", "SET NULL")
    created_at: Mapped[dt.datetime] = _created()
    #: {"items": [...], "advice"}
    details_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)


class Medication(Base):
    __tablename__ = "medications"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    document_id: Mapped[uuid.UUID | None] = _link("documents", "CASCADE")
    prescription_id: Mapped[uuid.UUID | None] = _link("prescriptions", "CASCADE")
    created_at: Mapped[dt.datetime] = _created()
    #: one medication line as the OCR contract shapes it (name, generic, strength, ...)
    details_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)


class Allergy(Base):
    """A medicine (or other) allergy, told by the patient in chat or recorded by their doctor.

    Read by the prescription check (engine.meds.safety) for every doctor the patient consented to:
    a prescriber who cannot see an allergy cannot avoid it.
    """

    __tablename__ = "allergies"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    created_at: Mapped[dt.datetime] = _created()
    #: {"substance": as said or typed, "allergen": canonical group or generic or None, "source": "patient" | "doctor"}
    details_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)


class LabResult(Base):
    __tablename__ = "lab_results"
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk()
    document_id: Mapped[uuid.UUID | None] = _link("documents", "CASCADE")
    created_at: Mapped[dt.datetime] = _created()
    #: {"test", "value", "unit", "ref_low", "ref_high", "flag"}
    details_enc: Mapped[Sealed] = mapped_column(Encrypted, nullable=False)


class Consent(Base):
    """The patient lets one doctor see (part of) their records until ``expires_at``."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("scope in ('all','documents','consultation')", name="ck_consents_scope"),
        Index("ix_consents_lookup", "patient_id", "grantee_id"),
    )
    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient_fk(index=False)
    grantee_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scope: Mapped[str] = mapped_column(String(16), nullable=False, default="all")
    consultation_id: Mapped[uuid.UUID | None] = _link("consultations", "CASCADE", index=False)
    granted_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Append-only, hash-chained record of every read and write of health data.

    No foreign keys: entries outlive the people they mention. The subject is recorded only as a
    tag derived from the subject's data key and a sealed detail, so after crypto-shredding the
    entries say that *something* happened, not to whom.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_chain_id", "chain", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    purpose: Mapped[str] = mapped_column(String(32), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="ok")
    #: which of the parallel hash chains this entry extends (see records.audit)
    chain: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    subject_tag: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    #: bound to the entry's chain and time (the database makes its id); no owner column: the
    #: subject is only a tag, and the chain's HMAC covers these bytes, so they are never re-sealed
    detail_enc: Mapped[Sealed | None] = mapped_column(Encrypted(row=("chain", "at"), owner=None))
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False, unique=True)


class AuditHead(Base):
    """The newest hash of each audit chain (one row per chain, seeded by the migration).

    Updating this row is how an append takes its chain's lock; comparing it with the chain's
    last entry is how :func:`records.audit.verify` notices entries cut off the end.
    """

    __tablename__ = "audit_heads"
    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    prev: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)


class AccessPin(Base):
    """A PIN a person chose over WhatsApp, asked before record access and ASHA or pharmacist
    commands over SMS and voice (engine.stepup), where the sender's number is the only identity.

    Keyed by a keyed digest of the sender pseudonym (no user row: ASHAs, pharmacists and patients
    alike, and a PIN can exist before the person has a record); only an argon2id hash of the PIN."""

    __tablename__ = "access_pins"
    subject_hmac: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(128), nullable=False)
    set_at: Mapped[dt.datetime] = _created()
