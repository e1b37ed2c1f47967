"""Consents: a patient lets a doctor (or the doctor of one consultation) see their records.

Default window is 72 hours; scope ``all``, ``documents`` or ``consultation``; revocable at any
time; :func:`listing` answers "who can see my records?". Authorisation of the *caller* (only the
patient, or an admin on the patient's request) is done by :mod:`records.access` in the service.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.access import active_consents
from records.models import Consent, Consultation, Role, User

DEFAULT_HOURS = 72
SCOPES = ("all", "documents", "consultation")
GRANTEE_ROLES = {Role.DOCTOR.value, Role.ASHA.value, Role.PHARMACIST.value}


class ConsentError(ValueError):
    """The consent asked for does not make sense (unknown scope, grantee is not a clinician...)."""


@dataclass(frozen=True)
class Grant:
    id: uuid.UUID
    grantee_id: uuid.UUID
    grantee_role: str
    scope: str
    consultation_id: uuid.UUID | None
    granted_at: dt.datetime
    expires_at: dt.datetime


def grant(
    session: Session,
    patient_id: uuid.UUID,
    now: dt.datetime,
    *,
    grantee_id: uuid.UUID | None = None,
    scope: str = "all",
    hours: float = DEFAULT_HOURS,
    consultation_id: uuid.UUID | None = None,
) -> Consent:
    if scope not in SCOPES:
        raise ConsentError(f"unknown scope {scope!r}")
    if not 0 < hours <= 24 * 365:
        raise ConsentError("a consent lasts between a moment and a year")
    if consultation_id is not None:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None or consultation.patient_id != patient_id:
            raise ConsentError("no such consultation for this patient")
        grantee_id = grantee_id or consultation.doctor_id
    elif scope == "consultation":
        raise ConsentError("scope 'consultation' needs a consultation")
    if grantee_id is None:
        raise ConsentError("a consent needs a grantee or a consultation")
    grantee = session.get(User, grantee_id)
    if grantee is None or grantee.role not in GRANTEE_ROLES:
        raise ConsentError("consent can be given only to a doctor, ASHA worker or pharmacist")
    consent = Consent(
        id=uuid.uuid4(),
        patient_id=patient_id,
        grantee_id=grantee_id,
        scope=scope,
        consultation_id=consultation_id,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    session.add(consent)
    return consent


def revoke(session: Session, patient_id: uuid.UUID, consent_id: uuid.UUID, now: dt.datetime) -> bool:
    """Revoke one consent; False if it is not this patient's or already ended."""
    consent = session.get(Consent, consent_id)
    if consent is None or consent.patient_id != patient_id or consent.revoked_at is not None:
        return False
    consent.revoked_at = now
    return True


def listing(session: Session, patient_id: uuid.UUID, now: dt.datetime) -> list[Grant]:
    consents = active_consents(session, patient_id, now)
    roles = dict(session.execute(
        select(User.id, User.role).where(User.id.in_({c.grantee_id for c in consents}))
    ).all()) if consents else {}
    return [
        Grant(c.id, c.grantee_id, roles.get(c.grantee_id, ""), c.scope, c.consultation_id,
              c.granted_at, c.expires_at)
        for c in consents
    ]
