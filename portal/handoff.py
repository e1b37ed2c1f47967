"""The doctor handoff: cases from the bot, slots, routing, the queue, Jitsi/phone, notes, prescriptions.

Plain module (no Flask): the bot's action server and the portal both use :class:`Handoff`.

Consent model: when the patient books a slot, the bot (acting as the patient) opens a
consultation with that doctor and grants two 72-hour consents to that doctor: the consultation
(to read the case and prescribe) and documents (reports, OCR, medicines, lab flags). The case's
words and triage are sealed with the patient's key and read only through
:meth:`records.RecordsService.unit`, so a doctor without consent gets ``AccessDenied`` (audited).
Unassigned cases show doctors only their priority, specialty, language and waiting time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from engine.handoff import icd, jitsi, reminders, routing
from engine.handoff.gloss import gloss
from engine.handoff.pdf import RxDocument, RxItem, render
from engine.i18n import t
from portal.notify import Notifier, address_for
from records import AccessDenied, Actor, Purpose, RecordsService
from records.access import active_consents
from records.models import ChannelIdentity, DoctorProfile, User, utcnow
from records.portal_models import PRIORITY, AvailabilitySlot, DiagnosisLabel, HandoffCase, PortalAccount

log = logging.getLogger(__name__)
IST = ZoneInfo("Asia/Kolkata")
CONSENT_HOURS = 72
OPEN = ("waiting", "offered", "booked", "accepted")


def when(value: dt.datetime) -> str:
    """'26/11 15:30' in India time: reads the same in Hindi, Punjabi and English."""
    return _utc(value).astimezone(IST).strftime("%d/%m %H:%M")


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


@dataclass(frozen=True)
class Option:
    number: int
    slot_id: str
    doctor_id: str
    doctor_name: str
    starts_at: dt.datetime
    now: bool


@dataclass(frozen=True)
class Offer:
    case_id: uuid.UUID
    options: list[Option]

    def menu(self, language: str) -> str:
        return "\n".join(t("portal_slot_line", language, number=o.number, doctor=o.doctor_name,
                           time=t("portal_slot_now", language) if o.now else when(o.starts_at))
                         for o in self.options)


@dataclass(frozen=True)
class Booking:
    case_id: uuid.UUID
    consultation_id: uuid.UUID
    doctor_name: str
    starts_at: dt.datetime


@dataclass
class QueueItem:
    id: uuid.UUID
    status: str
    priority: int
    specialty: str
    language: str
    channel: str
    created_at: dt.datetime
    scheduled_at: dt.datetime | None
    mine: bool
    consented: bool
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def urgency(self) -> str:
        return {v: k for k, v in PRIORITY.items()}.get(self.priority, "routine")


@dataclass(frozen=True)
class Meeting:
    room: str
    doctor_url: str
    patient_url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    patient_notified: bool
    channel: str = "whatsapp"


class Handoff:
    def __init__(self, records: RecordsService, notifier: Notifier, scheduler: reminders.Scheduler,
                 jitsi_config: jitsi.JitsiConfig, *, base_url: str = "http://127.0.0.1:5090",
                 signer: Callable[[dict[str, Any]], str] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.records = records
        self.notifier = notifier
        self.scheduler = scheduler
        self.jitsi = jitsi_config
        self.base_url = base_url.rstrip("/")
        #: signs short-lived public links (PDF for Twilio to fetch, conference TwiML)
        self.signer = signer or (lambda payload: "unsigned")
        self.now = clock

    # ------------------------------------------------------------------ doctors and slots

    def doctor_info(self, doctor_id: uuid.UUID) -> dict[str, Any]:
        """Name, registration number, specialty, languages (the doctor's own details)."""
        with self.records.sessions() as s:
            profile = s.get(DoctorProfile, doctor_id)
            if profile is None:
                raise LookupError("not a doctor")
            details = self.records.vault.for_user(s, doctor_id).open(profile.details_enc)
            return {"id": doctor_id, "name": details.get("name", ""),
                    "registration_number": details.get("registration_number", ""),
                    "specialty": profile.specialty, "languages": list(profile.languages)}

    def add_slots(self, doctor_id: uuid.UUID, starts_at: dt.datetime, ends_at: dt.datetime,
                  minutes: int = 15) -> list[uuid.UUID]:
        """Split ``starts_at``..``ends_at`` into bookable slots of ``minutes``."""
        if ends_at <= starts_at or minutes < 5:
            raise ValueError("the end must be after the start, slots at least 5 minutes")
        ids = []
        with self.records.sessions() as s:
            cursor = starts_at
            while cursor + dt.timedelta(minutes=minutes) <= ends_at:
                slot = AvailabilitySlot(id=uuid.uuid4(), doctor_id=doctor_id, starts_at=cursor,
                                        ends_at=cursor + dt.timedelta(minutes=minutes))
                s.add(slot)
                ids.append(slot.id)
                cursor += dt.timedelta(minutes=minutes)
            s.commit()
        return ids

    def slots_of(self, doctor_id: uuid.UUID, *, upcoming: bool = True) -> list[AvailabilitySlot]:
        with self.records.sessions() as s:
            stmt = select(AvailabilitySlot).where(AvailabilitySlot.doctor_id == doctor_id)
            if upcoming:
                stmt = stmt.where(AvailabilitySlot.ends_at > self.now())
            return list(s.scalars(stmt.order_by(AvailabilitySlot.starts_at)))

    def delete_slot(self, doctor_id: uuid.UUID, slot_id: uuid.UUID) -> bool:
        with self.records.sessions() as s:
            slot = s.get(AvailabilitySlot, slot_id)
            if slot is None or slot.doctor_id != doctor_id or slot.case_id is not None:
                return False
            s.delete(slot)
            s.commit()
            return True

    def _routing_pool(self) -> tuple[list[routing.Doctor], list[routing.Slot]]:
        with self.records.sessions() as s:
            rows = s.execute(select(DoctorProfile, PortalAccount.on_duty, PortalAccount.active)
                             .join(PortalAccount, PortalAccount.user_id == DoctorProfile.user_id, isouter=True)).all()
            doctors = [routing.Doctor(str(p.user_id), p.specialty, tuple(p.languages), bool(on_duty))
                       for p, on_duty, active in rows if active is not False]
            free = [routing.Slot(str(x.id), str(x.doctor_id), _utc(x.starts_at), _utc(x.ends_at))
                    for x in s.scalars(select(AvailabilitySlot).where(AvailabilitySlot.case_id.is_(None),
                                                                      AvailabilitySlot.ends_at > self.now()))]
        return doctors, free

    # ------------------------------------------------------------------ the bot's side (acts as the patient)

    def request_doctor(self, patient_id: uuid.UUID, *, text: str, triage: dict[str, Any] | None,
                       language: str, channel: str = "whatsapp") -> Offer:
        """A case for the queue plus up to three options: "now" (doctor on duty) and next slots."""
        triage = triage or {}
        specialty = triage.get("specialist") or routing.GENERALIST
        priority = PRIORITY.get(triage.get("urgency") or "routine", 2)
        now = self.now()
        doctors, free = self._routing_pool()
        chosen: list[routing.Slot] = []
        current = routing.now_slot(doctors, free, specialty, language, now)
        if current:
            chosen.append(current)
        chosen += [s for s in routing.next_slots(doctors, free, specialty, language, now, count=3)
                   if s.id not in {c.id for c in chosen}]
        chosen = chosen[:3]
        me = Actor.patient(patient_id)
        # no machine translation here: an English summary of what our parsers understood (engine/handoff/gloss)
        details = {"text": text, "text_en": text if language == "en" else gloss(text), "triage": triage,
                   "language": language}
        with self.records.unit(me, patient_id, Purpose.SELF_CARE, "write", "handoff_case") as u:
            # a new request replaces the patient's earlier open, unbooked requests
            u.session.execute(update(HandoffCase).where(
                HandoffCase.patient_id == patient_id, HandoffCase.status.in_(("waiting", "offered"))
            ).values(status="cancelled"))
            case = HandoffCase(id=uuid.uuid4(), patient_id=patient_id, created_at=now,
                               status="offered" if chosen else "waiting", priority=priority, specialty=specialty,
                               language=language, channel=channel or "whatsapp",
                               offered=[c.id for c in chosen], details_enc=u.key.seal(details))
            u.session.add(case)
            u.ids.append(str(case.id))
        names = {str(d["id"]): d["name"] for d in self.records.doctors()}
        options = [Option(i + 1, c.id, c.doctor_id, names.get(c.doctor_id, ""), c.starts_at,
                          now=c is current) for i, c in enumerate(chosen)]
        return Offer(case.id, options)

    def open_case_of(self, patient_id: uuid.UUID) -> HandoffCase | None:
        with self.records.sessions() as s:
            return s.scalar(select(HandoffCase).where(HandoffCase.patient_id == patient_id,
                                                      HandoffCase.status == "offered")
                            .order_by(HandoffCase.created_at.desc()).limit(1))

    def choose(self, patient_id: uuid.UUID, number: int) -> Booking | None:
        """The patient replied 1/2/3: book that slot (first come, first served), open the
        consultation and grant the doctor the two consents. None if the slot was just taken."""
        case = self.open_case_of(patient_id)
        if case is None or not 1 <= number <= len(case.offered):
            return None
        slot_id = uuid.UUID(case.offered[number - 1])
        with self.records.sessions() as s:
            taken = s.execute(update(AvailabilitySlot).where(
                AvailabilitySlot.id == slot_id, AvailabilitySlot.case_id.is_(None)).values(case_id=case.id))
            if taken.rowcount != 1:
                s.rollback()
                return None
            slot = s.get(AvailabilitySlot, slot_id)
            s.commit()
        me = Actor.patient(patient_id)
        reason = self._details(me, patient_id, case.id, Purpose.SELF_CARE).get("text")
        consultation_id = self.records.open_consultation(me, patient_id, slot.doctor_id, purpose=Purpose.SELF_CARE,
                                                         reason=reason, scheduled_at=slot.starts_at)
        self.records.grant_consent(me, patient_id, consultation_id=consultation_id, hours=CONSENT_HOURS)
        self.records.grant_consent(me, patient_id, slot.doctor_id, scope="documents", hours=CONSENT_HOURS)
        with self.records.unit(me, patient_id, Purpose.SELF_CARE, "write", "handoff_case") as u:
            row = u.session.get(HandoffCase, case.id)
            row.status, row.doctor_id, row.consultation_id = "booked", slot.doctor_id, consultation_id
            row.scheduled_at = slot.starts_at
            u.ids.append(str(case.id))
        self._schedule_reminders(case.id, _utc(slot.starts_at))
        doctor = self.doctor_info(slot.doctor_id)
        return Booking(case.id, consultation_id, doctor["name"], _utc(slot.starts_at))

    def rearm(self) -> int:
        """Re-arm the slot reminders of every booked or accepted case whose slot is still ahead;
        returns how many jobs were armed.

        Why: the embedded deployment's timers die with the portal, and Redis here keeps nothing on
        disk, so after a restart the cases are the only record of what is owed. Only reminder times
        still in the future are armed: :meth:`remind` is not idempotent, and a reminder whose time
        passed while the portal was down may already have gone out. Arming twice is harmless: both
        schedulers key a job by function, arguments and time, so the second replaces the first.
        Follow-up reminders are re-armed from ``follow_up_on`` (kept in clear for this).
        """
        now = self.now()
        with self.records.sessions() as s:
            rows = s.execute(select(HandoffCase.id, HandoffCase.scheduled_at)
                             .where(HandoffCase.status.in_(("booked", "accepted")),
                                    HandoffCase.scheduled_at.is_not(None),
                                    HandoffCase.scheduled_at > now)).all()
            follow_ups = s.execute(select(HandoffCase.id, HandoffCase.follow_up_on)
                                   .where(HandoffCase.follow_up_on >= now.astimezone(IST).date())).all()
        armed = 0
        for case_id, starts_at in rows:
            armed += self._schedule_reminders(case_id, _utc(starts_at))
        for case_id, day in follow_ups:
            armed += self._schedule_follow_up(case_id, day)
        if armed:
            log.info("re-armed %d portal reminders", armed)
        return armed

    def _schedule_reminders(self, case_id: uuid.UUID, starts_at: dt.datetime) -> int:
        armed = 0
        for at in reminders.reminder_times(starts_at, self.now()):
            for side in ("patient", "doctor"):
                self.scheduler.at(at, "portal.jobs.remind", str(case_id), side)
                armed += 1
        return armed

    # ------------------------------------------------------------------ reading cases

    def _details(self, actor: Actor, patient_id: uuid.UUID, case_id: uuid.UUID,
                 purpose: Purpose) -> dict[str, Any]:
        with self.records.unit(actor, patient_id, purpose, "read", "handoff_case") as u:
            case = u.session.get(HandoffCase, case_id)
            if case is None or case.patient_id != patient_id:
                raise LookupError("no such case")
            if actor.role.value == "doctor" and not (
                    u.view.everything or (case.consultation_id and case.consultation_id in u.view.consultations)):
                raise AccessDenied("this consent does not cover the case")
            u.ids.append(str(case_id))
            out = u.key.open(case.details_enc)
            out["notes"] = u.key.open(case.notes_enc) if case.notes_enc is not None else None
            out["meeting"] = u.key.open(case.meeting_enc) if case.meeting_enc is not None else None
            return out

    def case_row(self, case_id: uuid.UUID) -> HandoffCase:
        with self.records.sessions() as s:
            case = s.get(HandoffCase, case_id)
            if case is None:
                raise LookupError("no such case")
            return case

    def queue(self, doctor_id: uuid.UUID) -> list[QueueItem]:
        """The doctor's queue: her booked/accepted cases (details under consent) and unassigned
        waiting cases she could take (specialty/language routing; no details), by urgency then wait."""
        doctor = self.doctor_info(doctor_id)
        me = routing.Doctor(str(doctor_id), doctor["specialty"], tuple(doctor["languages"]))
        with self.records.sessions() as s:
            rows = list(s.scalars(select(HandoffCase).where(HandoffCase.status.in_(OPEN))))
        items = []
        for case in rows:
            mine = case.doctor_id == doctor_id
            if not mine and (case.doctor_id is not None or not routing.in_queue(me, case.specialty, case.language)):
                continue
            item = QueueItem(case.id, case.status, case.priority, case.specialty, case.language, case.channel,
                             _utc(case.created_at), _utc(case.scheduled_at) if case.scheduled_at else None,
                             mine=mine, consented=False)
            if mine:
                try:
                    item.details = self._details(Actor.doctor(doctor_id), case.patient_id, case.id, Purpose.TREATMENT)
                    item.consented = True
                except AccessDenied:
                    pass
            items.append(item)
        items.sort(key=lambda i: routing.queue_order(i.priority, i.created_at))
        return items

    def case_view(self, doctor_id: uuid.UUID, case_id: uuid.UUID) -> dict[str, Any]:
        """Everything the case page shows; AccessDenied without the patient's consent."""
        case = self.case_row(case_id)
        actor = Actor.doctor(doctor_id)
        if case.doctor_id != doctor_id:
            raise AccessDenied("this case is not booked with you")
        details = self._details(actor, case.patient_id, case_id, Purpose.TREATMENT)
        history = self.records.history(actor, case.patient_id, purpose=Purpose.TREATMENT)
        profile = self.records.patient_profile(actor, case.patient_id, purpose=Purpose.TREATMENT)
        with self.records.sessions() as s:
            consents = active_consents(s, case.patient_id, self.now(), doctor_id)
        expires = max((_utc(c.expires_at) for c in consents), default=None)
        return {
            "case": case, "details": details, "profile": profile, "history": history,
            "documents": [h for h in history if h["kind"] == "document"],
            "medications": [h for h in history if h["kind"] == "medication"],
            "labs": [h for h in history if h["kind"] == "lab_result"],
            "consents": [{"scope": c.scope, "expires_at": _utc(c.expires_at)} for c in consents],
            "consent_left": (expires - self.now()) if expires else None,
            "slot_in": (_utc(case.scheduled_at) - self.now()) if case.scheduled_at else None,
        }

    # ------------------------------------------------------------------ the doctor's side

    def offer_slot(self, doctor_id: uuid.UUID, case_id: uuid.UUID, slot_id: uuid.UUID) -> bool:
        """A doctor offers one of her free slots to a waiting case; the patient replies 1 to book."""
        case = self.case_row(case_id)
        with self.records.sessions() as s:
            slot = s.get(AvailabilitySlot, slot_id)
            if (slot is None or slot.doctor_id != doctor_id or slot.case_id is not None
                    or case.status not in ("waiting", "offered") or case.doctor_id is not None):
                return False
            s.execute(update(HandoffCase).where(HandoffCase.id == case_id).values(
                status="offered", offered=[str(slot_id)]))
            s.commit()
        name = self.doctor_info(doctor_id)["name"]
        offer = Offer(case_id, [Option(1, str(slot_id), str(doctor_id), name, _utc(slot.starts_at), False)])
        body = t("portal_handoff_slots", case.language, menu=offer.menu(case.language))
        return self._to_patient(case, body)

    def accept(self, doctor_id: uuid.UUID, case_id: uuid.UUID) -> Meeting:
        """Create the room and one token per participant (valid around the slot), send the patient
        their link in their language."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id or case.status not in ("booked", "accepted"):
            raise AccessDenied("only the booked doctor accepts this case")
        actor = Actor.doctor(doctor_id)
        info = self.doctor_info(doctor_id)
        with self.records.sessions() as s:
            slot = s.scalar(select(AvailabilitySlot).where(AvailabilitySlot.case_id == case_id))
        starts = _utc(slot.starts_at) if slot else self.now()
        ends = _utc(slot.ends_at) if slot else starts + dt.timedelta(minutes=15)
        with self.records.unit(actor, case.patient_id, Purpose.TREATMENT, "write", "handoff_case") as u:
            row = u.session.get(HandoffCase, case_id)
            if not (u.view.everything or row.consultation_id in u.view.consultations):
                raise AccessDenied("this consent does not cover the case")
            meeting = u.key.open(row.meeting_enc) if row.meeting_enc is not None else None
            room = meeting["room"] if meeting else jitsi.new_room()
            row.meeting_enc = u.key.seal({"room": room, "mode": self.jitsi.mode, "domain": self.jitsi.host})
            row.status = "accepted"
            u.ids.append(str(case_id))
        doctor_token = jitsi.token(self.jitsi, room, jitsi.Participant(str(doctor_id), f"Dr {info['name']}", True),
                                   starts, ends)
        patient_token = jitsi.token(self.jitsi, room, jitsi.Participant(str(case.patient_id), "Patient", False),
                                    starts, ends)
        doctor_url = jitsi.meeting_url(self.jitsi, room, doctor_token, low_bandwidth=False)
        patient_url = jitsi.meeting_url(self.jitsi, room, patient_token)
        notified = False
        if case.channel == "whatsapp":
            body = t("portal_meeting_link", case.language, doctor=f"Dr {info['name']}", link=patient_url,
                     time=when(starts))
            notified = self._to_patient(case, body)
        return Meeting(room, doctor_url, patient_url, starts, ends, notified, case.channel)

    def phone_call(self, doctor_id: uuid.UUID, case_id: uuid.UUID, doctor_phone: str) -> bool:
        """SMS/IVR patients, or a failed video call: Twilio calls both into one conference."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id:
            raise AccessDenied("only the booked doctor calls this patient")
        phone = self._patient_phone(case.patient_id)
        if not phone or not doctor_phone:
            return False
        conference = f"saathi-{uuid.uuid4().hex}"
        info = self.doctor_info(doctor_id)
        self._to_patient(case, t("portal_phone_call", case.language, doctor=f"Dr {info['name']}"))
        url_patient = f"{self.base_url}/voice/conference/{self.signer({'c': conference, 'l': case.language})}"
        url_doctor = f"{self.base_url}/voice/conference/{self.signer({'c': conference, 'l': 'en'})}"
        return self.notifier.start_conference_call(phone, doctor_phone, url_patient, url_doctor)

    def save_notes(self, doctor_id: uuid.UUID, case_id: uuid.UUID, *, soap: dict[str, str],
                   diagnosis: str | None = None, follow_up: dt.date | None = None) -> None:
        """SOAP notes and the confirmed diagnosis (ICD-10); a de-identified label for retraining;
        a follow-up reminder to the patient on that date."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id:
            raise AccessDenied("only the booked doctor writes notes")
        if diagnosis and not icd.is_valid(diagnosis):
            raise ValueError("not an ICD-10 category or sub-category")
        actor = Actor.doctor(doctor_id)
        with self.records.unit(actor, case.patient_id, Purpose.TREATMENT, "write", "handoff_notes") as u:
            row = u.session.get(HandoffCase, case_id)
            if not (u.view.everything or row.consultation_id in u.view.consultations):
                raise AccessDenied("this consent does not cover the case")
            details = u.key.open(row.details_enc)
            notes = {"soap": {k: soap.get(k, "") for k in ("subjective", "objective", "assessment", "plan")},
                     "diagnosis": {"code": diagnosis, "description": icd.describe(diagnosis)} if diagnosis else None,
                     "follow_up": follow_up.isoformat() if follow_up else None,
                     "at": self.now().isoformat()}
            row.notes_enc = u.key.seal(notes)
            row.follow_up_on = follow_up
            u.ids.append(str(case_id))
            if diagnosis:
                triage = details.get("triage") or {}
                u.session.add(DiagnosisLabel(day=self.now().date(), model_version=str(triage.get("model_version", "")),
                                             features={"symptoms": list(triage.get("symptoms") or []),
                                                       "predicted": [c.get("icd10") for c in triage.get("conditions") or []
                                                                     if isinstance(c, dict)],
                                                       "urgency": triage.get("urgency")},
                                             confirmed_icd10=diagnosis))
        if follow_up:
            self._schedule_follow_up(case_id, follow_up)

    def _schedule_follow_up(self, case_id: uuid.UUID, day: dt.date) -> int:
        """The patient's follow-up reminder, 09:00 IST on the day, if that is still ahead."""
        at = dt.datetime.combine(day, dt.time(9, 0), IST).astimezone(dt.timezone.utc)
        if at <= self.now():
            return 0
        self.scheduler.at(at, "portal.jobs.follow_up", str(case_id))
        return 1

    def prescribe(self, doctor_id: uuid.UUID, case_id: uuid.UUID, items: list[dict[str, Any]], *,
                  advice: str = "", follow_up: dt.date | None = None) -> uuid.UUID:
        """Save the prescription, render the PDF (patient's language + English), store it in the
        record and send it to the patient. Returns the document id of the PDF."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id or case.consultation_id is None:
            raise AccessDenied("only the booked doctor prescribes")
        clean = [normalise_item(i) for i in items if (i.get("generic") or "").strip()]
        if not clean:
            raise ValueError("a prescription needs at least one medicine")
        actor = Actor.doctor(doctor_id)
        details = self._details(actor, case.patient_id, case_id, Purpose.TREATMENT)
        self.records.save_prescription(actor, case.patient_id, case.consultation_id, clean,
                                       purpose=Purpose.TREATMENT, advice=advice or None)
        info = self.doctor_info(doctor_id)
        lang = case.language
        lines = [(t(k, lang), t(k, "en")) for k in ("portal_rx_take", "portal_rx_warning")]
        if follow_up:
            date = follow_up.strftime("%d/%m/%Y")
            lines.append((t("portal_rx_follow_up", lang, date=date), t("portal_rx_follow_up", "en", date=date)))
        diagnosis = (details.get("notes") or {}).get("diagnosis") or {}
        pdf = render(RxDocument(
            doctor_name=info["name"], registration_number=info["registration_number"],
            specialty=info["specialty"].replace("_", " ").capitalize(),
            patient_label=_patient_label(self.records.patient_profile(actor, case.patient_id, purpose=Purpose.TREATMENT)),
            language=lang, items=[RxItem(i["generic"], i["dose"], i["frequency"], i["duration_days"],
                                         i.get("instructions", "")) for i in clean],
            diagnosis=" ".join(filter(None, [diagnosis.get("code"), diagnosis.get("description")])),
            advice_en=advice, instructions=lines, follow_up=follow_up, issued_at=self.now()))
        doc_id = self.records.save_document(actor, case.patient_id, pdf, filename="prescription.pdf",
                                            mime="application/pdf", purpose=Purpose.TREATMENT,
                                            doc_type="prescription",
                                            ocr={"doc_type": "prescription", "medications": [], "lab_results": []})
        medicines = "; ".join(t("portal_dose_line", lang, medicine=i["generic"], dose=i["dose"],
                                frequency=i["frequency"], days=i["duration_days"]) for i in clean)
        body = t("portal_rx_ready", lang, doctor=f"Dr {info['name']}", medicines=medicines)
        media = None
        if case.channel == "whatsapp":
            media = f"{self.base_url}/media/rx/{self.signer({'p': str(case.patient_id), 'd': str(doc_id)})}"
        self._to_patient(case, body, media)
        self._medicine_reminders(case.patient_id, clean, doc_id)
        with self.records.sessions() as s:
            s.execute(update(HandoffCase).where(HandoffCase.id == case_id).values(status="closed"))
            s.commit()
        return doc_id

    def _medicine_reminders(self, patient_id: uuid.UUID, items: list[dict[str, Any]], ref: uuid.UUID) -> None:
        """"1-0-1 for 5 days" becomes reminders at the patient's dose times (engine.notify).

        Reminders are a help, not part of the prescription: trouble here never blocks it."""
        try:
            from engine.notify import producers
            from engine.notify.jobs import service

            notify = service()
        except Exception as exc:  # noqa: BLE001
            log.warning("medicine reminders not scheduled: %s", type(exc).__name__)
            return
        for index, item in enumerate(items):
            try:  # "1-0-1" gets reminders; "when needed" / free text does not
                producers.medicine_reminders(notify, patient_id, [{"frequency": item["frequency"],
                                                                   "days": item["duration_days"]}],
                                             ref=f"{ref}:{index}", start=_utc(self.now()).astimezone(IST).date())
            except ValueError:
                continue
            except Exception as exc:  # noqa: BLE001
                log.warning("medicine reminder not scheduled: %s", type(exc).__name__)

    # ------------------------------------------------------------------ reaching the patient

    def _patient_phone(self, patient_id: uuid.UUID) -> str | None:
        """The patient's number, read as the patient's own assistant (they asked to be contacted)."""
        with self.records.unit(Actor.patient(patient_id), patient_id, Purpose.SELF_CARE, "read", "contact") as u:
            rows = u.session.scalars(select(ChannelIdentity).where(ChannelIdentity.user_id == patient_id,
                                                                   ChannelIdentity.channel == "phone"))
            phones = [u.key.open(r.address_enc) for r in rows]
            return phones[0] if phones else None

    def _to_patient(self, case: HandoffCase, body: str, media_url: str | None = None) -> bool:
        phone = self._patient_phone(case.patient_id)
        if not phone:
            log.warning("case %s: patient has no phone identity; message not sent", case.id)
            return False
        return self.notifier.send_message(address_for(case.channel, phone), body, media_url)

    def remind(self, case_id: uuid.UUID, side: str) -> bool:
        case = self.case_row(case_id)
        if case.status not in ("booked", "accepted") or case.doctor_id is None or case.scheduled_at is None:
            return False
        info = self.doctor_info(case.doctor_id)
        if side == "patient":
            return self._to_patient(case, t("portal_reminder", case.language, doctor=f"Dr {info['name']}",
                                            time=when(case.scheduled_at)))
        phone = self.staff_phone(case.doctor_id)
        return bool(phone) and self.notifier.send_message(
            phone, t("portal_reminder_doctor", "en", time=when(case.scheduled_at)))

    def follow_up(self, case_id: uuid.UUID) -> bool:
        case = self.case_row(case_id)
        name = self.doctor_info(case.doctor_id)["name"] if case.doctor_id else ""
        return self._to_patient(case, t("portal_follow_up", case.language, doctor=f"Dr {name}".strip()))

    def staff_phone(self, user_id: uuid.UUID) -> str | None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None or row.contact_enc is None:
                return None
            return self.records.vault.for_user(s, user_id).open(row.contact_enc).get("phone")

    def patient_language(self, patient_id: uuid.UUID) -> str:
        with self.records.sessions() as s:
            user = s.get(User, patient_id)
            return user.language if user else "hi"


def normalise_item(item: dict[str, Any]) -> dict[str, Any]:
    """One prescription line as the records and OCR contract shape it (generic name first)."""
    from engine.meds.kb import load

    name = (item.get("generic") or "").strip()
    generic = load().generic(name) or name.lower()
    days = int(item.get("duration_days") or 0)
    if not 0 < days <= 365:
        raise ValueError("duration must be 1 to 365 days")
    return {"generic": generic, "name": generic, "dose": (item.get("dose") or "").strip(),
            "strength": (item.get("dose") or "").strip(), "frequency": (item.get("frequency") or "").strip(),
            "duration_days": days, "instructions": (item.get("instructions") or "").strip()}


def _patient_label(profile: dict[str, Any]) -> str:
    parts = [profile.get("name") or "Patient"]
    if profile.get("sex"):
        parts.append(str(profile["sex"]))
    if profile.get("birth_year"):
        parts.append(f"born {profile['birth_year']}")
    return ", ".join(parts)
