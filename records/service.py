"""RecordsService: the only code that reads or writes health data (see records/__init__.py).

Every method that touches a patient's records runs as one *unit*: authorise the actor for a
purpose (records.access), fetch the patient's data key, do the work sealing/opening values, append
one audit entry, commit. A denied attempt is audited too, then :class:`AccessDenied` is raised.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config.paths import ROOT
from records import audit, consent, fhir
from records.access import AccessDenied, Action, Actor, Purpose, View, authorize
from records.crypto import DataKey, KeyProvider, KeyShredded, Place, Sealed
from records.identity import normalise_phone, sender_id
from records.keys import RotationReport, Vault
from records.models import (
    AccessPin,
    Allergy,
    AshaProfile,
    ChannelIdentity,
    Consultation,
    DoctorProfile,
    Document,
    Encounter,
    LabResult,
    Medication,
    PatientProfile,
    Prescription,
    Role,
    SymptomReport,
    TranscriptLine,
    TriageResult,
    User,
    utcnow,
)
from records.storage import ObjectStore
from records.types import open_from, place, place_of, seal_into

#: WhatsApp, SMS and voice from one number are one person: they share the "phone" identity.
PHONE_CHANNELS = {"whatsapp", "sms", "ivr", "voice", "phone", "tel"}
#: The gateway's salted pseudonym of the number (:func:`records.identity.sender_id`), which is all that
#: Rasa and the action server ever see: the bot calls get_or_create_patient("sender", sender_id).
SENDER_CHANNEL = "sender"


def identity_channel(channel: str) -> str:
    channel = channel.strip().lower()
    return "phone" if channel in PHONE_CHANNELS else channel


class PatientNotFound(LookupError):
    """No such patient (never existed, or deleted)."""


@dataclass
class _Unit:
    session: Session
    view: View
    key: DataKey
    ids: list[str] = field(default_factory=list)


def normalise_address(channel: str, address: str) -> str:
    """Phone numbers compare equal whatever the spelling (:func:`records.identity.normalise_phone`)."""
    address = address.strip()
    if identity_channel(channel) != "phone":
        return address
    return normalise_phone(address)


def specialty_codes() -> set[str]:
    """Specialist codes from the project's vocabulary (data/specialists.tsv, kept in step with the
    contract by tests/test_contract_sync.py): nothing outside the repository is read at run time."""
    with (ROOT / "data" / "specialists.tsv").open(encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh, delimiter="\t")}


class RecordsService:
    """The bot's and the portal's door to health records. Thread-safe; share one instance."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        keys: KeyProvider,
        store: ObjectStore,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        retention_days: int = 90,
        sender_salt: str | None = None,
    ) -> None:
        self._sessions = session_factory
        self.vault = Vault(keys)
        self.keys = keys
        self.store = store
        self._now = clock
        self.retention_days = retention_days
        self._sender_salt = sender_salt

    @classmethod
    def from_settings(cls, settings: Any | None = None, sessions: sessionmaker[Session] | None = None) -> RecordsService:
        """``sessions``: a process's one session factory (its composition root shares the engine with
        the other services over the same database); by default a new engine of its own."""
        from config.settings import load
        from records.crypto import provider_from_settings
        from records.db import session_factory_from_settings
        from records.storage import store_from_settings

        s = settings or load()
        return cls(sessions or session_factory_from_settings(s), provider_from_settings(s), store_from_settings(s),
                   retention_days=s.transcript_retention_days, sender_salt=s.sender_salt)

    # ------------------------------------------------------------------ units of work

    @contextmanager
    def _unit(self, actor: Actor, patient_id: uuid.UUID, purpose: Purpose, action: Action,
              resource: str) -> Iterator[_Unit]:
        with self._sessions() as session:
            try:
                view = authorize(session, actor, patient_id, purpose, action, self._now())
                unit = _Unit(session, view, self._key(session, patient_id))
                yield unit
            except AccessDenied:  # refused up front or by a scope check inside the unit
                session.rollback()
                self._audit_denied(session, actor, patient_id, purpose, action, resource)
                raise
            key = unit.key
            self._audit(session, actor, action.value, resource, purpose, key,
                        {"patient": str(patient_id), "ids": unit.ids})
            session.commit()

    def _key(self, session: Session, user_id: uuid.UUID) -> DataKey:
        try:
            return self.vault.for_user(session, user_id)
        except KeyShredded as exc:
            raise PatientNotFound("no such person") from exc

    def _audit(self, session: Session, actor: Actor, action: str, resource: str, purpose: Purpose | str,
               key: DataKey | None, detail: dict[str, Any] | None, outcome: str = "ok") -> None:
        # A patient acting on their own records is identified only through the subject tag, so
        # after deletion nothing in the log points back to them.
        actor_id = None if actor.role == Role.PATIENT else actor.user_id
        audit.append(session, key=self.audit_key, actor_id=actor_id, actor_role=actor.role.value, action=action,
                     resource=resource, purpose=Purpose(purpose).value, outcome=outcome,
                     subject_key=key, detail=detail, at=self._now())

    def _audit_denied(self, session: Session, actor: Actor, patient_id: uuid.UUID, purpose: Purpose,
                      action: Action, resource: str) -> None:
        try:
            key: DataKey | None = self.vault.for_user(session, patient_id)
        except KeyShredded:
            key = None
        detail = {"patient": str(patient_id), "actor": str(actor.user_id)}
        self._audit(session, actor, action.value, resource, purpose, key, detail, outcome="denied")
        session.commit()

    # ------------------------------------------------------------------ people

    def _new_user(self, session: Session, role: Role, language: str) -> tuple[User, DataKey]:
        user = User(id=uuid.uuid4(), role=role.value, language=language)
        session.add(user)
        session.flush()
        return user, self.vault.create(session, user.id)

    def _identities(self, channel: str, address: str) -> list[tuple[str, str]]:
        """(channel, normalised address) pairs to register: the phone, plus its gateway pseudonym."""
        ch = identity_channel(channel)
        out = [(ch, normalise_address(ch, address))]
        if ch == "phone" and self._sender_salt:
            out.append((SENDER_CHANNEL, sender_id(out[0][1], self._sender_salt)))
        return out

    def _add_identity(self, session: Session, user_id: uuid.UUID, key: DataKey, channel: str,
                      address: str) -> None:
        for ch, addr in self._identities(channel, address):
            session.add(self._identity_row(key, user_id, ch, addr))

    def _identity_row(self, key: DataKey, user_id: uuid.UUID, channel: str, address: str) -> ChannelIdentity:
        row = ChannelIdentity(id=uuid.uuid4(), user_id=user_id, channel=channel,
                              address_hmac=self.keys.lookup_digest(f"addr:{channel}", address))
        seal_into(key, row, "address_enc", address)
        return row

    def find_user(self, channel: str, address: str) -> uuid.UUID | None:
        """Who owns this address? Found by keyed HMAC; the address itself is never stored in clear."""
        ch, digest = self._lookup_digest(channel, address)
        with self._sessions() as session:
            return session.scalar(select(ChannelIdentity.user_id).where(
                ChannelIdentity.channel == ch, ChannelIdentity.address_hmac == digest))

    def _lookup_digest(self, channel: str, address: str) -> tuple[str, bytes]:
        """The identity channel and the keyed HMAC an address is stored (and found) under."""
        ch = identity_channel(channel)
        return ch, self.keys.lookup_digest(f"addr:{ch}", normalise_address(ch, address))

    def first_user(self, identities: Iterable[tuple[str, str]]) -> uuid.UUID | None:
        """The owner of the first of these (channel, address) pairs that is known, in one query.

        One query, not one per pair: the gateway asks "this number, else its pseudonym" for every
        new sender (:meth:`number_owner`), and each lookup is mostly its session and round trip
        (~0.4 ms of CPU on SQLite, bench/gateway.py), not the index."""
        wanted = [self._lookup_digest(channel, address) for channel, address in identities]
        if not wanted:
            return None
        with self._sessions() as session:
            rows = session.execute(select(ChannelIdentity.channel, ChannelIdentity.address_hmac, ChannelIdentity.user_id)
                                   .where(or_(*(and_(ChannelIdentity.channel == ch, ChannelIdentity.address_hmac == digest)
                                                for ch, digest in wanted)))).all()
        owners = {(ch, bytes(digest)): user_id for ch, digest, user_id in rows}
        return next((owners[pair] for pair in wanted if pair in owners), None)

    def number_owner(self, address: str, salt: str) -> uuid.UUID | None:
        """The records user of a number the gateway answers: its phone identity (a patient an ASHA
        registered), else the bot's pseudonym of it (how the bot registers everyone,
        ``get_or_create_patient("sender", …)``). ``salt``: the gateway's sender salt."""
        return self.first_user([("phone", address), (SENDER_CHANNEL, sender_id(address, salt))])

    def get_or_create_patient(self, channel: str, address: str, language: str = "hi") -> uuid.UUID:
        """The bot's first call for every message: who is writing? Creates the patient if new."""
        found = self.find_user(channel, address)
        if found is not None:
            return found
        user_id: uuid.UUID | None = None
        try:
            with self._sessions() as session:
                user, key = self._new_user(session, Role.PATIENT, language)
                user_id = user.id
                session.add(self._profile(PatientProfile(user_id=user.id), key, {}))
                self._add_identity(session, user.id, key, channel, address)
                self._audit(session, Actor.patient(user.id), "write", "patient", Purpose.SELF_CARE, key,
                            {"patient": str(user.id), "event": "registered", "channel": channel})
                session.commit()
                return user.id
        except IntegrityError:  # two messages raced to register the same number
            if user_id is not None:
                self.vault.forget(user_id)
            found = self.find_user(channel, address)
            if found is None:
                raise
            return found

    def link_phone(self, phone: str) -> uuid.UUID | None:
        """Give the patient the bot knows only by the gateway's pseudonym their phone identity.

        The bot registers people as ``("sender", sender_id)`` and never sees a number, so nothing
        could reach them later (a pickup notice, a reminder: the notification address book reads the
        "phone" identity). The gateway calls this with the number it is answering, when the person
        asked for something that will message them. Returns the patient, or None when neither the
        number nor its pseudonym is known (nothing is created here)."""
        found = self.find_user("phone", phone)
        if found is not None or not self._sender_salt:
            return found
        number = normalise_address("phone", phone)
        user_id = self.find_user(SENDER_CHANNEL, sender_id(number, self._sender_salt))
        if user_id is None:
            return None
        try:
            with self._sessions() as session:
                key = self._key(session, user_id)
                session.add(self._identity_row(key, user_id, "phone", number))
                self._audit(session, Actor.patient(user_id), "write", "patient", Purpose.SELF_CARE, key,
                            {"patient": str(user_id), "event": "phone_linked"})
                session.commit()
        except IntegrityError:  # linked meanwhile by another message
            return self.find_user("phone", phone)
        return user_id

    def create_patient_by_asha(self, asha: Actor, *, name: str, phone: str | None = None,
                               language: str = "hi", village: str | None = None,
                               birth_year: int | None = None, sex: str | None = None,
                               birth_date: str | None = None) -> uuid.UUID:
        """An ASHA worker registers a patient (who may have no phone of their own).

        ``birth_date`` (ISO, estimated from an age in months, weeks or days) is kept for babies: a
        year says nothing about whether a baby is 5 days or 11 months old, and the danger thresholds
        (IMCI young infant under 2 months) depend on exactly that.

        The phone is stored as the bot looks people up (the number, and the gateway's pseudonym of
        it): when the patient later writes from it, the bot finds this very record. A number already
        known under either — someone who wrote to the bot first — is refused, not taken over: an
        ASHA claiming an existing record by its number would read what that person told the bot.
        """
        if asha.role != Role.ASHA or asha.user_id is None:
            raise AccessDenied("only an ASHA worker registers patients this way")
        if phone and self.first_user(self._identities("phone", phone)) is not None:
            raise ValueError("this phone number is already registered")
        with self._sessions() as session:
            user, key = self._new_user(session, Role.PATIENT, language)
            details = {"name": name, "village": village, "birth_year": birth_year, "sex": sex}
            if birth_date:
                details["birth_date"] = birth_date
            session.add(self._profile(PatientProfile(user_id=user.id, registered_by=asha.user_id), key, details))
            if phone:
                self._add_identity(session, user.id, key, "phone", phone)
            self._audit(session, asha, "write", "patient", Purpose.ASHA_CARE, key,
                        {"patient": str(user.id), "event": "registered"})
            session.commit()
            return user.id

    def register_doctor(self, *, name: str, specialty: str, registration_number: str,
                        languages: list[str], language: str = "en",
                        channel: str | None = None, address: str | None = None) -> uuid.UUID:
        codes = specialty_codes()
        if codes and specialty not in codes:
            raise ValueError(f"unknown specialty {specialty!r}")
        with self._sessions() as session:
            user, key = self._new_user(session, Role.DOCTOR, language)
            session.add(self._profile(DoctorProfile(user_id=user.id, specialty=specialty, languages=list(languages)),
                                      key, {"name": name, "registration_number": registration_number}))
            if channel and address:
                self._add_identity(session, user.id, key, channel, address)
            session.commit()
            return user.id

    def register_asha(self, *, name: str, village: str, area: str = "", language: str = "hi",
                      channel: str | None = None, address: str | None = None) -> uuid.UUID:
        with self._sessions() as session:
            user, key = self._new_user(session, Role.ASHA, language)
            session.add(self._profile(AshaProfile(user_id=user.id, area=area), key,
                                      {"name": name, "village": village}))
            if channel and address:
                self._add_identity(session, user.id, key, channel, address)
            session.commit()
            return user.id

    @staticmethod
    def _profile(row: Any, key: DataKey, details: dict[str, Any]) -> Any:
        """A profile row with its details sealed for it."""
        seal_into(key, row, "details_enc", details)
        return row

    def register_staff(self, role: Role, *, language: str = "en") -> uuid.UUID:
        """Pharmacists and admins: a user row and a data key, no profile yet."""
        with self._sessions() as session:
            user, _ = self._new_user(session, role, language)
            session.commit()
            return user.id

    def clinician_name(self, user_id: uuid.UUID) -> str | None:
        """A doctor's or ASHA's display name (not health data; shown to patients in consents)."""
        with self._sessions() as session:
            row = session.get(DoctorProfile, user_id) or session.get(AshaProfile, user_id)
            if row is None:
                return None
            return open_from(self._key(session, user_id), row, "details_enc").get("name")

    def doctors(self, specialty: str | None = None) -> list[dict[str, Any]]:
        """Doctors a patient can consult: id, name, specialty, languages (no patient data)."""
        with self._sessions() as session:
            stmt = select(DoctorProfile)
            if specialty:
                stmt = stmt.where(DoctorProfile.specialty == specialty)
            return [{"id": d.user_id, "name": open_from(self._key(session, d.user_id), d, "details_enc").get("name"),
                     "specialty": d.specialty, "languages": list(d.languages)}
                    for d in session.scalars(stmt)]

    def consultations_for(self, doctor: Actor) -> list[dict[str, Any]]:
        """A doctor's own consultation queue: ids, status and times only. The reason and the
        patient's records come from :meth:`history`, which checks consent."""
        if doctor.role != Role.DOCTOR or doctor.user_id is None:
            raise AccessDenied("only doctors have a consultation queue")
        with self._sessions() as session:
            rows = session.scalars(select(Consultation).where(Consultation.doctor_id == doctor.user_id)
                                   .order_by(Consultation.created_at))
            return [{"id": c.id, "patient_id": c.patient_id, "status": c.status, "created_at": c.created_at,
                     "scheduled_at": c.scheduled_at} for c in rows]

    def patient_profile(self, actor: Actor, patient_id: uuid.UUID, *, purpose: Purpose) -> dict[str, Any]:
        with self._unit(actor, patient_id, purpose, Action.READ, "patient") as u:
            user = u.session.get(User, patient_id)
            profile = u.session.get(PatientProfile, patient_id)
            if user is None or profile is None:
                raise PatientNotFound("no such patient")
            return {"id": str(patient_id), "language": user.language, **open_from(u.key, profile, "details_enc")}

    def update_patient_profile(self, actor: Actor, patient_id: uuid.UUID, *, purpose: Purpose,
                               **fields: Any) -> None:
        """Set name, birth_year, birth_date, sex, village (None removes a field)."""
        allowed = {"name", "birth_year", "birth_date", "sex", "village"}
        if set(fields) - allowed:
            raise ValueError(f"unknown profile fields: {sorted(set(fields) - allowed)}")
        with self._unit(actor, patient_id, purpose, Action.WRITE, "patient") as u:
            profile = u.session.get(PatientProfile, patient_id)
            if profile is None:
                raise PatientNotFound("no such patient")
            details = {**open_from(u.key, profile, "details_enc"), **fields}
            seal_into(u.key, profile, "details_enc", {k: v for k, v in details.items() if v is not None})

    # ------------------------------------------------------------------ health data: writes

    def start_encounter(self, actor: Actor, patient_id: uuid.UUID, *, purpose: Purpose,
                        channel: str = "", kind: str = "conversation") -> uuid.UUID:
        with self._unit(actor, patient_id, purpose, Action.WRITE, "encounter") as u:
            enc = Encounter(id=uuid.uuid4(), patient_id=patient_id, channel=channel, kind=kind,
                            started_at=self._now())
            u.session.add(enc)
            u.ids.append(str(enc.id))
            return enc.id

    def add_transcript_line(self, actor: Actor, patient_id: uuid.UUID, encounter_id: uuid.UUID,
                            speaker: str, text: str, *, purpose: Purpose) -> None:
        """One conversation message; kept for ``retention_days`` then purged."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, "transcript") as u:
            self._owned(u.session, Encounter, encounter_id, patient_id)
            line = TranscriptLine(encounter_id=encounter_id, patient_id=patient_id, at=self._now())
            seal_into(u.key, line, "line_enc", {"speaker": speaker, "text": text})
            u.session.add(line)

    def save_symptom_report(self, actor: Actor, patient_id: uuid.UUID, report: dict[str, Any], *,
                            purpose: Purpose, encounter_id: uuid.UUID | None = None) -> uuid.UUID:
        """``report``: what the patient said and what NLU made of it (text, symptoms, age, sex...)."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, "symptom_report") as u:
            row_id = uuid.uuid4()
            # ORM bulk insert: the hottest write path skips unit-of-work bookkeeping
            u.session.execute(insert(SymptomReport), [{
                "id": row_id, "patient_id": patient_id, "encounter_id": encounter_id,
                "created_at": self._now(),
                "report_enc": u.key.seal(report, place(SymptomReport, "report_enc", row_id))}])
            u.ids.append(str(row_id))
            return row_id

    def save_triage(self, actor: Actor, patient_id: uuid.UUID, result: dict[str, Any], *,
                    model_version: str, purpose: Purpose,
                    symptom_report_id: uuid.UUID | None = None) -> uuid.UUID:
        """``result``: the triage engine's output (urgency, conditions, specialist, advice...)."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, "triage") as u:
            if symptom_report_id is not None:
                self._owned(u.session, SymptomReport, symptom_report_id, patient_id)
            row = TriageResult(id=uuid.uuid4(), patient_id=patient_id, symptom_report_id=symptom_report_id,
                               created_at=self._now(), model_version=model_version)
            seal_into(u.key, row, "result_enc", result)
            u.session.add(row)
            u.ids.append(str(row.id))
            return row.id

    def save_document(self, actor: Actor, patient_id: uuid.UUID, content: bytes, *, filename: str,
                      mime: str, purpose: Purpose, doc_type: str | None = None,
                      ocr: dict[str, Any] | None = None, encounter_id: uuid.UUID | None = None) -> uuid.UUID:
        """Store a file sealed with the patient's key, plus the OCR result and what it found
        (medications and lab results become rows of their own)."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, "document") as u:
            doc_id = uuid.uuid4()
            blob_key = uuid.uuid4().hex
            self.store.put(blob_key, u.key.seal_bytes(content, b"doc:" + doc_id.bytes).blob)
            meta = {"filename": filename, "mime": mime, "doc_type": doc_type or (ocr or {}).get("doc_type")}
            doc = Document(id=doc_id, patient_id=patient_id, encounter_id=encounter_id,
                           created_at=self._now(), blob_key=blob_key, blob_size=len(content))
            seal_into(u.key, doc, "meta_enc", meta)
            seal_into(u.key, doc, "ocr_enc", ocr)
            u.session.add(doc)
            u.session.flush()
            for med in (ocr or {}).get("medications", []):
                u.session.add(self._detail_row(u.key, Medication(id=uuid.uuid4(), patient_id=patient_id,
                                                                 document_id=doc_id, created_at=self._now()), med))
            for lab in (ocr or {}).get("lab_results", []):
                u.session.add(self._detail_row(u.key, LabResult(id=uuid.uuid4(), patient_id=patient_id,
                                                                document_id=doc_id, created_at=self._now()), lab))
            u.ids.append(str(doc_id))
            return doc_id

    def read_document(self, actor: Actor, patient_id: uuid.UUID, document_id: uuid.UUID, *,
                      purpose: Purpose) -> tuple[dict[str, Any], bytes]:
        with self._unit(actor, patient_id, purpose, Action.READ, "document") as u:
            doc = self._owned(u.session, Document, document_id, patient_id)
            if not (u.view.everything or u.view.documents or doc.encounter_id in self._consult_encounters(
                    u.session, u.view)):
                raise AccessDenied("this consent does not cover documents")
            u.ids.append(str(document_id))
            content = u.key.open_bytes(self.store.get(doc.blob_key), b"doc:" + doc.id.bytes)
            return open_from(u.key, doc, "meta_enc"), content

    def open_consultation(self, actor: Actor, patient_id: uuid.UUID, doctor_id: uuid.UUID, *,
                          purpose: Purpose, reason: str | None = None,
                          encounter_id: uuid.UUID | None = None,
                          scheduled_at: dt.datetime | None = None) -> uuid.UUID:
        """The patient (through the bot) asks a doctor for a consultation."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, "consultation") as u:
            doctor = u.session.get(User, doctor_id)
            if doctor is None or doctor.role != Role.DOCTOR.value:
                raise ValueError("no such doctor")
            row = Consultation(id=uuid.uuid4(), patient_id=patient_id, doctor_id=doctor_id,
                               encounter_id=encounter_id, created_at=self._now(), scheduled_at=scheduled_at)
            seal_into(u.key, row, "notes_enc", {"reason": reason} if reason else None)
            u.session.add(row)
            u.ids.append(str(row.id))
            return row.id

    def save_prescription(self, actor: Actor, patient_id: uuid.UUID, consultation_id: uuid.UUID,
                          items: list[dict[str, Any]], *, purpose: Purpose,
                          advice: str | None = None) -> uuid.UUID:
        """The consultation's doctor prescribes; each item also becomes a medication row."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, "prescription") as u:
            consultation = self._owned(u.session, Consultation, consultation_id, patient_id)
            if actor.role != Role.DOCTOR or consultation.doctor_id != actor.user_id:
                raise AccessDenied("only the consultation's doctor prescribes")
            if not (u.view.everything or consultation_id in u.view.consultations):
                raise AccessDenied("this consent does not cover the consultation")
            rx = self._detail_row(u.key, Prescription(id=uuid.uuid4(), patient_id=patient_id,
                                                      consultation_id=consultation_id, doctor_id=actor.user_id,
                                                      created_at=self._now()), {"items": items, "advice": advice})
            u.session.add(rx)
            u.session.flush()
            for item in items:
                u.session.add(self._detail_row(u.key, Medication(id=uuid.uuid4(), patient_id=patient_id,
                                                                 prescription_id=rx.id, created_at=self._now()), item))
            consultation.status = "completed"
            u.ids.append(str(rx.id))
            return rx.id

    # ------------------------------------------------------------------ access PINs

    def _pin_digest(self, subject: str) -> bytes:
        return self.keys.lookup_digest("pin", subject)

    def set_access_pin(self, subject: str, pin: str) -> None:
        """Keep (or replace) the PIN of ``subject`` (a sender pseudonym) as an argon2id hash.

        Only ever called for a sender Twilio/Meta authenticated (WhatsApp) or an operator enrolling a
        worker: the PIN is what SMS and voice, where a number can be spoofed, are asked for."""
        from argon2 import PasswordHasher

        digest, hashed = self._pin_digest(subject), PasswordHasher().hash(pin)
        with self._sessions() as session:
            row = session.get(AccessPin, digest)
            if row is None:
                session.add(AccessPin(subject_hmac=digest, pin_hash=hashed, set_at=self._now()))
            else:
                row.pin_hash, row.set_at = hashed, self._now()
            session.commit()

    def check_access_pin(self, subject: str, pin: str) -> bool | None:
        """Whether ``pin`` is the PIN of ``subject``; None when no PIN was set (argon2 verification:
        the caller limits attempts, engine.stepup)."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        with self._sessions() as session:
            row = session.get(AccessPin, self._pin_digest(subject))
            if row is None:
                return None
            try:
                return PasswordHasher().verify(row.pin_hash, pin)
            except (VerificationError, InvalidHashError):
                return False

    def forget_access_pin(self, subject: str) -> None:
        """Part of "delete my data": the PIN goes with the record."""
        with self._sessions() as session:
            session.execute(delete(AccessPin).where(AccessPin.subject_hmac == self._pin_digest(subject)))
            session.commit()

    # ------------------------------------------------------------------ allergies

    def allergies(self, actor: Actor, patient_id: uuid.UUID, *, purpose: Purpose) -> list[dict[str, Any]]:
        """The patient's recorded allergies, oldest first: ``[{"id", "at", "substance", "allergen",
        "source"}]``. Any consent lets a doctor read them: whoever may prescribe must see them."""
        with self._unit(actor, patient_id, purpose, Action.READ, "allergy") as u:
            rows = list(u.session.scalars(select(Allergy).where(Allergy.patient_id == patient_id)
                                          .order_by(Allergy.created_at)))
            u.ids.extend(str(r.id) for r in rows)
            return [{"id": str(r.id), "at": r.created_at, **open_from(u.key, r, "details_enc")} for r in rows]

    def add_allergy(self, actor: Actor, patient_id: uuid.UUID, substance: str, *, purpose: Purpose,
                    allergen: str | None = None, source: str = "patient") -> uuid.UUID | None:
        """Record an allergy (``allergen``: the canonical medicine or group, when known); None when
        the same allergy is already recorded (same allergen, or the same words)."""
        substance = " ".join((substance or "").split())[:200]
        if not substance:
            raise ValueError("an allergy needs a substance")
        with self._unit(actor, patient_id, purpose, Action.WRITE, "allergy") as u:
            for row in u.session.scalars(select(Allergy).where(Allergy.patient_id == patient_id)):
                known = open_from(u.key, row, "details_enc")
                if (allergen and known.get("allergen") == allergen) or \
                        known.get("substance", "").casefold() == substance.casefold():
                    return None
            row = Allergy(id=uuid.uuid4(), patient_id=patient_id, created_at=self._now())
            seal_into(u.key, row, "details_enc", {"substance": substance, "allergen": allergen, "source": source})
            u.session.add(row)
            u.ids.append(str(row.id))
            return row.id

    def remove_allergy(self, actor: Actor, patient_id: uuid.UUID, allergy_id: uuid.UUID, *,
                       purpose: Purpose) -> bool:
        with self._unit(actor, patient_id, purpose, Action.WRITE, "allergy") as u:
            row = u.session.get(Allergy, allergy_id)
            if row is None or row.patient_id != patient_id:
                return False
            u.session.delete(row)
            u.ids.append(str(allergy_id))
            return True

    def note_decision(self, actor: Actor, patient_id: uuid.UUID, *, resource: str, detail: dict[str, Any],
                      purpose: Purpose) -> None:
        """Keep a decision about a patient in the audit chain (e.g. a prescriber overriding a serious
        medicine warning, with the reason): authorised like a write, ``detail`` sealed with the
        patient's key (only the chain's HMAC and the patient's tag are in clear)."""
        with self._unit(actor, patient_id, purpose, Action.WRITE, resource) as u:
            self._audit(u.session, actor, "override", resource, purpose, u.key, {"patient": str(patient_id), **detail})

    @staticmethod
    def _detail_row(key: DataKey, row: Any, details: Any) -> Any:
        """A medication, lab result or prescription row with its details sealed for it."""
        seal_into(key, row, "details_enc", details)
        return row

    @staticmethod
    def _owned(session: Session, model: Any, row_id: uuid.UUID, patient_id: uuid.UUID) -> Any:
        row = session.get(model, row_id)
        if row is None or row.patient_id != patient_id:
            raise PatientNotFound(f"no such {model.__tablename__} for this patient")
        return row

    # ------------------------------------------------------------------ health data: reads

    @staticmethod
    def _consult_encounters(session: Session, view: View) -> set[uuid.UUID]:
        if not view.consultations:
            return set()
        return {e for e in session.scalars(select(Consultation.encounter_id).where(
            Consultation.id.in_(view.consultations))) if e is not None}

    def _items(self, u: _Unit, patient_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every record the unit's view allows, decrypted, oldest first."""
        s, key, view = u.session, u.key, u.view
        everything = view.everything
        encounters = self._consult_encounters(s, view)
        consults = set(view.consultations)
        out: list[dict[str, Any]] = []

        def add(kind: str, row: Any, at: dt.datetime, data: dict[str, Any]) -> None:
            out.append({"kind": kind, "id": str(row.id), "at": at, "data": data})

        def rows(model: Any) -> list[Any]:
            return list(s.scalars(select(model).where(model.patient_id == patient_id)))

        for r in rows(Encounter):
            if everything or r.id in encounters:
                add("encounter", r, r.started_at, {"kind": r.kind, "channel": r.channel,
                                                   "ended_at": r.ended_at.isoformat() if r.ended_at else None})
        for r in rows(SymptomReport):
            if everything or r.encounter_id in encounters:
                add("symptom_report", r, r.created_at, open_from(key, r, "report_enc"))
        reports_seen = {x["id"] for x in out if x["kind"] == "symptom_report"}
        for r in rows(TriageResult):
            if everything or str(r.symptom_report_id) in reports_seen:
                add("triage", r, r.created_at, {**open_from(key, r, "result_enc"), "model_version": r.model_version})
        docs_seen: set[uuid.UUID] = set()
        for r in rows(Document):
            if everything or view.documents or r.encounter_id in encounters:
                docs_seen.add(r.id)
                data = open_from(key, r, "meta_enc")
                data["ocr"] = open_from(key, r, "ocr_enc")
                data["size"] = r.blob_size
                add("document", r, r.created_at, data)
        for r in rows(LabResult):
            if everything or r.document_id in docs_seen:
                add("lab_result", r, r.created_at, open_from(key, r, "details_enc"))
        for r in rows(Consultation):
            if everything or r.id in consults:
                data = open_from(key, r, "notes_enc", {})
                add("consultation", r, r.created_at, {**data, "status": r.status,
                                                      "doctor_id": str(r.doctor_id) if r.doctor_id else None})
        rx_seen: set[uuid.UUID] = set()
        for r in rows(Prescription):
            if everything or r.consultation_id in consults:
                rx_seen.add(r.id)
                add("prescription", r, r.created_at, {**open_from(key, r, "details_enc"),
                                                      "consultation_id": str(r.consultation_id)})
        for r in rows(Medication):  # the documents consent covers medicines (earlier prescriptions too)
            if everything or view.documents or r.document_id in docs_seen or r.prescription_id in rx_seen:
                source = "prescription" if r.prescription_id else "document"  # the prescribing check says which
                add("medication", r, r.created_at, {**open_from(key, r, "details_enc"), "source": source})
        out.sort(key=lambda x: (_utc(x["at"]), x["kind"]))
        u.ids.extend(x["id"] for x in out)
        return out

    def history(self, actor: Actor, patient_id: uuid.UUID, *, purpose: Purpose) -> list[dict[str, Any]]:
        """The patient's records this actor may see: ``[{"kind", "id", "at", "data"}]``, oldest first.

        kinds: encounter, symptom_report, triage, document (metadata + OCR, not the file),
        lab_result, consultation, prescription, medication.
        """
        with self._unit(actor, patient_id, purpose, Action.READ, "history") as u:
            return self._items(u, patient_id)

    def symptom_report(self, actor: Actor, patient_id: uuid.UUID, report_id: uuid.UUID, *,
                       purpose: Purpose) -> dict[str, Any]:
        with self._unit(actor, patient_id, purpose, Action.READ, "symptom_report") as u:
            row = self._owned(u.session, SymptomReport, report_id, patient_id)
            if not (u.view.everything or row.encounter_id in self._consult_encounters(u.session, u.view)):
                raise AccessDenied("this consent does not cover symptom reports")
            u.ids.append(str(report_id))
            return open_from(u.key, row, "report_enc")

    def transcript(self, actor: Actor, patient_id: uuid.UUID, encounter_id: uuid.UUID, *,
                   purpose: Purpose) -> list[dict[str, Any]]:
        with self._unit(actor, patient_id, purpose, Action.READ, "transcript") as u:
            self._owned(u.session, Encounter, encounter_id, patient_id)
            if not (u.view.everything or encounter_id in self._consult_encounters(u.session, u.view)):
                raise AccessDenied("this consent does not cover the conversation")
            lines = u.session.scalars(select(TranscriptLine).where(
                TranscriptLine.encounter_id == encounter_id).order_by(TranscriptLine.id))
            u.ids.append(str(encounter_id))
            return [{"at": line.at, **open_from(u.key, line, "line_enc")} for line in lines]

    def access_log(self, actor: Actor, patient_id: uuid.UUID) -> list[dict[str, Any]]:
        """The patient's "who looked at my records?" view of the audit log."""
        with self._unit(actor, patient_id, Purpose.PATIENT_REQUEST, Action.READ, "audit") as u:
            if actor.role != Role.PATIENT:
                raise AccessDenied("only the patient reads their access log")
            return audit.entries_about(u.session, u.key)

    # ------------------------------------------------------------------ consent

    def grant_consent(self, actor: Actor, patient_id: uuid.UUID, grantee_id: uuid.UUID | None = None, *,
                      scope: str | None = None, hours: float = consent.DEFAULT_HOURS,
                      consultation_id: uuid.UUID | None = None,
                      purpose: Purpose = Purpose.PATIENT_REQUEST) -> uuid.UUID:
        """The patient lets a doctor (or the doctor of ``consultation_id``) see their records.

        ``scope`` defaults to ``"consultation"`` when a consultation is given, else ``"all"``.
        """
        scope = scope or ("consultation" if consultation_id else "all")
        with self._unit(actor, patient_id, purpose, Action.CONSENT, "consent") as u:
            row = consent.grant(u.session, patient_id, self._now(), grantee_id=grantee_id, scope=scope,
                                hours=hours, consultation_id=consultation_id)
            u.ids.append(str(row.id))
            return row.id

    def revoke_consent(self, actor: Actor, patient_id: uuid.UUID, consent_id: uuid.UUID, *,
                       purpose: Purpose = Purpose.PATIENT_REQUEST) -> bool:
        with self._unit(actor, patient_id, purpose, Action.CONSENT, "consent") as u:
            u.ids.append(str(consent_id))
            return consent.revoke(u.session, patient_id, consent_id, self._now())

    def who_can_see(self, actor: Actor, patient_id: uuid.UUID, *,
                    purpose: Purpose = Purpose.PATIENT_REQUEST) -> list[dict[str, Any]]:
        """Active consents with the grantee's name and specialty, for "who can see my records?"."""
        with self._unit(actor, patient_id, purpose, Action.CONSENT, "consent") as u:
            grants = consent.listing(u.session, patient_id, self._now())
            out = []
            for g in grants:
                doctor = u.session.get(DoctorProfile, g.grantee_id)
                profile = doctor or u.session.get(AshaProfile, g.grantee_id)
                name = (open_from(self._key(u.session, g.grantee_id), profile, "details_enc").get("name")
                        if profile else None)
                out.append({"consent_id": str(g.id), "grantee_id": str(g.grantee_id), "role": g.grantee_role,
                            "name": name, "specialty": doctor.specialty if doctor else None,
                            "scope": g.scope, "consultation_id": str(g.consultation_id) if g.consultation_id
                            else None, "granted_at": g.granted_at, "expires_at": g.expires_at})
            return out

    # ------------------------------------------------------------------ patient rights

    def export_fhir(self, actor: Actor, patient_id: uuid.UUID, *,
                    purpose: Purpose = Purpose.PATIENT_REQUEST, include_files: bool = True) -> dict[str, Any]:
        """Everything we hold about the patient as a validated FHIR R4 Bundle (JSON dict)."""
        with self._unit(actor, patient_id, purpose, Action.EXPORT, "patient") as u:
            user = u.session.get(User, patient_id)
            profile = u.session.get(PatientProfile, patient_id)
            if user is None or profile is None:
                raise PatientNotFound("no such patient")
            phones = sorted({open_from(u.key, c, "address_enc") for c in u.session.scalars(
                select(ChannelIdentity).where(ChannelIdentity.user_id == patient_id))})
            items = self._items(u, patient_id)
            items += [{"kind": "allergy", "id": str(r.id), "at": r.created_at, "data": open_from(u.key, r, "details_enc")}
                      for r in u.session.scalars(select(Allergy).where(Allergy.patient_id == patient_id))]
            files: dict[str, bytes] = {}
            if include_files:
                for doc in u.session.scalars(select(Document).where(Document.patient_id == patient_id)):
                    files[str(doc.id)] = u.key.open_bytes(self.store.get(doc.blob_key), b"doc:" + doc.id.bytes)
            return fhir.build_bundle(str(patient_id), open_from(u.key, profile, "details_enc"), phones, user.language,
                                     items, files, self._now())

    def delete_patient(self, actor: Actor, patient_id: uuid.UUID, *,
                       purpose: Purpose = Purpose.PATIENT_REQUEST) -> int:
        """"Delete my data": shred the data key, delete every row and file; returns files removed.

        The audit log keeps one entry saying a deletion happened (no subject); earlier entries
        stay in the chain but their subject tag and sealed detail can no longer be opened.
        """
        with self._sessions() as session:
            try:
                authorize(session, actor, patient_id, purpose, Action.DELETE, self._now())
            except AccessDenied:
                session.rollback()
                self._audit_denied(session, actor, patient_id, purpose, Action.DELETE, "patient")
                raise
            user = session.get(User, patient_id)
            if user is None or user.role != Role.PATIENT.value:
                raise PatientNotFound("no such patient")
            blobs = list(session.scalars(select(Document.blob_key).where(Document.patient_id == patient_id)))
            self.vault.shred(session, patient_id)
            session.execute(delete(User).where(User.id == patient_id))
            self._audit(session, actor, "delete", "patient", purpose, None, None)
            session.commit()
        for blob in blobs:  # after commit: if this fails, the files are already unreadable
            self.store.delete(blob)
        return len(blobs)

    def purge_transcripts(self, older_than_days: int | None = None) -> int:
        """Retention: delete conversation lines older than the setting; returns lines removed."""
        days = self.retention_days if older_than_days is None else older_than_days
        cutoff = self._now() - dt.timedelta(days=days)
        with self._sessions() as session:
            n = session.execute(delete(TranscriptLine).where(TranscriptLine.at < cutoff)).rowcount
            self._audit(session, Actor(None, Role.ADMIN), "purge", "transcript", Purpose.OPERATIONS, None,
                        None)
            session.commit()
        return int(n or 0)

    # ------------------------------------------------------------------ operations

    def rotate_keys(self, *, new_master_key: bool = True, retire_old: bool = False) -> RotationReport:
        """Make a new master key current (file/env providers) and re-wrap every data key under it.

        With ``retire_old`` the provider forgets master keys that no longer wrap anything.
        """
        if new_master_key:
            self.keys.rotate()
        report = self.vault.rewrap_all(self._sessions)
        with self._sessions() as session:
            self._audit(session, Actor(None, Role.ADMIN), "rotate", "keys", Purpose.OPERATIONS, None, None)
            session.commit()
        if retire_old and set(report.remaining) <= {report.new_master_key_id}:
            with contextlib.suppress(NotImplementedError):  # env/KMS: retire keys where they live
                report.retired = self.keys.retire({report.new_master_key_id})
        return report

    # ------------------------------------------------------------------ sealing for other parts' tables

    def seal_for(self, owner: uuid.UUID, value: Any, where: Place) -> Sealed:
        """``value`` sealed with ``owner``'s data key for its place (table, column, row): the one door
        through which other parts' tables (ASHA follow-ups, the notify outbox) seal a column, so no
        part outside records handles a data key. :class:`KeyShredded` when the owner was deleted."""
        with self._sessions() as session:
            return self.vault.for_user(session, owner).seal(value, where)

    def open_for(self, owner: uuid.UUID, sealed: Sealed | bytes, where: Place) -> Any:
        """The value :meth:`seal_for` sealed for ``owner`` at ``where``; :class:`KeyShredded` when the
        owner was deleted, :class:`records.crypto.CryptoError` when it was sealed for another place."""
        with self._sessions() as session:
            return self.vault.for_user(session, owner).open(sealed, where)

    def open_column(self, owner: uuid.UUID, obj: Any, column: str, default: Any = None) -> Any:
        """``obj.column`` (a model instance of any part's ``Encrypted`` column) opened with ``owner``'s
        key for its place; ``default`` when the column is empty (:func:`records.types.open_from`)."""
        sealed = getattr(obj, column)
        return default if sealed is None else self.open_for(owner, sealed, place_of(obj, column))

    def seal_column(self, owner: uuid.UUID, obj: Any, column: str, value: Any) -> None:
        """``obj.column = value`` sealed with ``owner``'s key for its place (None clears the column;
        :func:`records.types.seal_into`): the portal's account rows, the same door as :meth:`seal_for`."""
        setattr(obj, column, None if value is None else self.seal_for(owner, value, place_of(obj, column)))

    def lookup_digest(self, namespace: str, value: str) -> bytes:
        """The keyed digest of a lookup value (a dedupe key, a line), so another part's table can find
        or compare it without storing it in clear (:meth:`records.crypto.KeyProvider.lookup_digest`)."""
        return self.keys.lookup_digest(namespace, value)

    # ------------------------------------------------------------------ extensions (portal tables)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, for extension tables that hold no health data in clear
        (records.portal_models: accounts, slots); health data goes through :meth:`unit`."""
        return self._sessions

    def unit(self, actor: Actor, patient_id: uuid.UUID, purpose: Purpose, action: Action | str,
             resource: str) -> Any:
        """Public door for extension tables: authorise, patient's data key, audit, commit in one
        unit (the same rules as every method here). Yields an object with ``session``, ``key``
        (seal/open, each value for its place: ``records.types.seal_into`` / ``open_from``), ``view``
        (what the consent covers) and ``ids`` (audited row ids)."""
        return self._unit(actor, patient_id, purpose, Action(action), resource)

    @functools.cached_property
    def audit_key(self) -> bytes:
        """The audit chain's HMAC key (records.audit.chain_key), derived once per process."""
        return audit.chain_key(self.keys)

    def verify_audit(self, anchor: dict[int, bytes] | None = None) -> audit.VerifyResult:
        with self._sessions() as session:
            return audit.verify(session, self.audit_key, anchor=anchor)

    def audit_head(self) -> dict[str, Any]:
        """The audit log's head to anchor elsewhere (records.audit.head)."""
        with self._sessions() as session:
            return audit.head(session)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value
