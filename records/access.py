"""The one place that decides who may see or change a patient's records, and for what purpose.

Only :mod:`records.service` queries health tables, and every service method calls
:func:`authorize` first and records the outcome in the audit log (denials too).

Rules:

* a **patient** may read, write, export and delete their own records;
* a **doctor, ASHA or pharmacist** may read only under an active consent (granted, not revoked,
  not expired), limited to its scope: everything, documents (and what OCR found in them), or one
  consultation; they write under the same consent, or (ASHA) for patients they registered;
* an **admin** touches health data only to carry out a patient's verified request
  (export/deletion, purpose ``patient_request``); never to read for any other reason;
* ``system`` (retention, key rotation) never reads health data.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.models import Consent, PatientProfile, Role


class Purpose(str, enum.Enum):
    SELF_CARE = "self_care"          # the patient, through the bot or the portal
    TRIAGE = "triage"                # the bot recording symptoms and triage for the patient
    TREATMENT = "treatment"          # a clinician caring for the patient
    ASHA_CARE = "asha_care"          # an ASHA worker registering or following up a patient
    PATIENT_REQUEST = "patient_request"  # export / deletion / consent asked for by the patient
    OPERATIONS = "operations"        # retention, key rotation: never reads health data


class Action(str, enum.Enum):
    READ = "read"
    WRITE = "write"
    EXPORT = "export"
    DELETE = "delete"
    CONSENT = "consent"


@dataclass(frozen=True)
class Actor:
    """Who is asking. The bot acts as the patient it is talking to (found by channel address)."""

    user_id: uuid.UUID | None
    role: Role

    @classmethod
    def patient(cls, user_id: uuid.UUID) -> Actor:
        return cls(user_id, Role.PATIENT)

    @classmethod
    def doctor(cls, user_id: uuid.UUID) -> Actor:
        return cls(user_id, Role.DOCTOR)

    @classmethod
    def asha(cls, user_id: uuid.UUID) -> Actor:
        return cls(user_id, Role.ASHA)

    @classmethod
    def admin(cls, user_id: uuid.UUID | None = None) -> Actor:
        return cls(user_id, Role.ADMIN)


class AccessDenied(PermissionError):
    """The actor may not do this; the reason is for logs and never contains health data."""


@dataclass(frozen=True)
class View:
    """What an authorised actor may see of one patient's records."""

    everything: bool = False
    documents: bool = False
    consultations: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @property
    def anything(self) -> bool:
        return self.everything or self.documents or bool(self.consultations)


FULL = View(everything=True)
_SELF_PURPOSES = {Purpose.SELF_CARE, Purpose.TRIAGE, Purpose.PATIENT_REQUEST}
_GRANTEE_PURPOSES = {
    Role.DOCTOR: {Purpose.TREATMENT},
    Role.PHARMACIST: {Purpose.TREATMENT},
    Role.ASHA: {Purpose.ASHA_CARE},
}


def active_consents(
    session: Session, patient_id: uuid.UUID, now: dt.datetime, grantee_id: uuid.UUID | None = None
) -> list[Consent]:
    stmt = select(Consent).where(
        Consent.patient_id == patient_id,
        Consent.revoked_at.is_(None),
        Consent.expires_at > now,
    )
    if grantee_id is not None:
        stmt = stmt.where(Consent.grantee_id == grantee_id)
    return list(session.scalars(stmt.order_by(Consent.granted_at)))


def consent_view(consents: list[Consent]) -> View:
    return View(
        everything=any(c.scope == "all" for c in consents),
        documents=any(c.scope == "documents" for c in consents),
        consultations=frozenset(c.consultation_id for c in consents
                                if c.scope == "consultation" and c.consultation_id),
    )


def authorize(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    purpose: Purpose,
    action: Action,
    now: dt.datetime,
) -> View:
    """Return what ``actor`` may see of ``patient_id``'s records, or raise :class:`AccessDenied`."""
    purpose = Purpose(purpose)
    if actor.role == Role.PATIENT:
        if actor.user_id == patient_id and purpose in _SELF_PURPOSES:
            return FULL
        raise AccessDenied("a patient may act only on their own records")
    if actor.role == Role.ADMIN:
        if purpose == Purpose.PATIENT_REQUEST and action in (Action.EXPORT, Action.DELETE, Action.CONSENT):
            return FULL
        raise AccessDenied("an administrator may only carry out a patient's export or deletion request")
    if action in (Action.EXPORT, Action.DELETE, Action.CONSENT):
        raise AccessDenied("only the patient may export, delete or change consent")
    if purpose not in _GRANTEE_PURPOSES.get(actor.role, set()):
        raise AccessDenied(f"purpose {purpose.value} is not allowed for role {actor.role.value}")
    if actor.role == Role.ASHA and action == Action.WRITE and _registered_by(session, patient_id, actor):
        return FULL
    view = consent_view(active_consents(session, patient_id, now, actor.user_id))
    if not view.anything:
        raise AccessDenied("no active consent from this patient")
    return view


def _registered_by(session: Session, patient_id: uuid.UUID, actor: Actor) -> bool:
    registrar = session.scalar(select(PatientProfile.registered_by).where(PatientProfile.user_id == patient_id))
    return registrar is not None and registrar == actor.user_id
