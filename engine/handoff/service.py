"""The doctor handoff: cases from the bot, slots, routing, the queue, Jitsi/phone, notes, prescriptions.

A domain service (no Flask, no Rasa): the bot's action server, the gateway's ASHA ``REFER`` and the
portal all use :class:`Handoff`, built by :func:`build_handoff`.

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
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from config.settings import SECRETS, embedded_secret
from config.timezone import IST
from engine.handoff import icd, jitsi, reminders, routing
from engine.handoff.errors import InputError, RxSafetyStop
from engine.handoff.gloss import gloss
from engine.handoff.names import doctor_title
from engine.handoff.notifier import Delivery, Notifier
from engine.handoff.pdf import RxDocument, RxItem, render
from engine.i18n import t
from engine.meds import safety
from records import AccessDenied, Actor, Purpose, RecordsService
from records.access import active_consents
from records.models import ChannelIdentity, DoctorProfile, utcnow
from records.portal_models import PRIORITY, AvailabilitySlot, DiagnosisLabel, HandoffCase, PortalAccount
from records.types import open_from, seal_into

log = logging.getLogger(__name__)
CONSENT_HOURS = 72
#: bounds of one request for availability (the API and the page): no slot that already ended
#: (a running one may be added, up to one slot's grace), none beyond the booking horizon, no
#: endless block, sensible slot lengths
SLOT_GRACE = dt.timedelta(minutes=15)
SLOT_HORIZON_DAYS = 60
SLOT_MAX_SPAN = dt.timedelta(hours=24)
SLOT_MINUTES = (5, 240)
#: "reopened": a patient's check-in at home said worse, a side effect or a new symptom (engine.notify.followup)
OPEN = ("waiting", "offered", "booked", "accepted", "reopened")
#: longest text accepted per field (characters): a day's notes fit many times over, and a paste
#: of a whole report is refused with a message instead of the web server's bare 413
NOTE_MAX_CHARS = 4000
ADVICE_MAX_CHARS = 2000
LINE_MAX_CHARS = 200
#: longest reason for overriding a serious medicine warning (kept sealed in the audit log)
OVERRIDE_MAX_CHARS = 500
#: how long the patient's signed link to the prescription PDF works (portal/views/public.py)
PATIENT_LINK_LIFETIME = dt.timedelta(days=2)


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
    #: the patient's link: sent/queued/failed and why (None: SMS/IVR patients get no link, they get a call)
    delivery: Delivery | None
    channel: str = "whatsapp"

    @property
    def patient_notified(self) -> bool:
        return bool(self.delivery)


@dataclass
class PastCase:
    """One line of a doctor's past consultations (details only under the patient's consent)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    status: str
    at: dt.datetime
    consented: bool
    name: str = ""
    village: str = ""
    diagnosis: str = ""
    prescription: dict[str, Any] | None = None


@dataclass(frozen=True)
class Prescribed:
    """A prescription saved with its PDF (``document_id``) and what happened to the patient's copy."""

    document_id: uuid.UUID
    delivery: Delivery


class Handoff:
    def __init__(self, records: RecordsService, notifier: Notifier, scheduler: reminders.Scheduler,
                 jitsi_config: jitsi.JitsiConfig, *, base_url: str = "http://127.0.0.1:5090",
                 signer: Callable[[dict[str, Any]], str] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, notify: Any | None = None) -> None:
        self.records = records
        #: staff messages and conference calls; every message to a patient goes through ``notify``
        self.notifier = notifier
        #: the patient's one delivery path (engine.notify.NotifyService; the process's own when None)
        self.notify = notify
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
        details = self.records.open_column(doctor_id, profile, "details_enc")
        return {"id": doctor_id, "name": details.get("name", ""),
                "registration_number": details.get("registration_number", ""),
                "specialty": profile.specialty, "languages": list(profile.languages)}

    def add_slots(self, doctor_id: uuid.UUID, starts_at: dt.datetime, ends_at: dt.datetime,
                  minutes: int = 15) -> list[uuid.UUID]:
        """Split ``starts_at``..``ends_at`` into bookable slots of ``minutes`` (bounds above;
        :class:`InputError` with the reason when outside them). Slots that would overlap the
        doctor's existing ones are left out (the same hours added twice make no duplicates);
        returns the ids of the slots made, which may be none."""
        starts_at, ends_at, now = _utc(starts_at), _utc(ends_at), self.now()
        if ends_at <= starts_at:
            raise InputError("portal_slot_end_before", "end")
        if not SLOT_MINUTES[0] <= minutes <= SLOT_MINUTES[1]:
            raise InputError("portal_slot_length", "minutes", low=SLOT_MINUTES[0], high=SLOT_MINUTES[1])
        if starts_at < now - SLOT_GRACE:
            raise InputError("portal_slot_past", "start", time=when(starts_at))
        if ends_at > now + dt.timedelta(days=SLOT_HORIZON_DAYS):
            raise InputError("portal_slot_horizon", "day", days=SLOT_HORIZON_DAYS)
        if ends_at - starts_at > SLOT_MAX_SPAN:
            raise InputError("portal_slot_span", "end", hours=int(SLOT_MAX_SPAN.total_seconds() // 3600))
        wanted = slot_times(starts_at, ends_at, minutes)
        if not wanted:
            raise InputError("portal_slot_too_short", "end", minutes=minutes)
        ids = []
        with self.records.sessions() as s:
            taken = [(_utc(a), _utc(b)) for a, b in s.execute(
                select(AvailabilitySlot.starts_at, AvailabilitySlot.ends_at).where(
                    AvailabilitySlot.doctor_id == doctor_id, AvailabilitySlot.ends_at > starts_at,
                    AvailabilitySlot.starts_at < ends_at))]
            for start, end in wanted:
                if any(start < b and a < end for a, b in taken):
                    continue
                slot = AvailabilitySlot(id=uuid.uuid4(), doctor_id=doctor_id, starts_at=start, ends_at=end)
                s.add(slot)
                ids.append(slot.id)
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
                       language: str, channel: str = "whatsapp", pregnant: bool = False) -> Offer:
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
        if pregnant:  # said in the intake: the prescription form starts with "pregnant" ticked
            details["pregnant"] = True
        with self.records.unit(me, patient_id, Purpose.SELF_CARE, "write", "handoff_case") as u:
            # a new request replaces the patient's earlier open, unbooked requests
            u.session.execute(update(HandoffCase).where(
                HandoffCase.patient_id == patient_id, HandoffCase.status.in_(("waiting", "offered"))
            ).values(status="cancelled"))
            case = HandoffCase(id=uuid.uuid4(), patient_id=patient_id, created_at=now,
                               status="offered" if chosen else "waiting", priority=priority, specialty=specialty,
                               language=language, channel=channel or "whatsapp",
                               offered=[c.id for c in chosen])
            seal_into(u.key, case, "details_enc", details)
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
            out = open_from(u.key, case, "details_enc")
            out["notes"] = open_from(u.key, case, "notes_enc")
            out["meeting"] = open_from(u.key, case, "meeting_enc")
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
            "allergies": self.records.allergies(actor, case.patient_id, purpose=Purpose.TREATMENT),
            "current": safety.current_medicines(history, self.now(), details.get("text") or ""),
            "age": safety.age_from(profile, _utc(self.now()).astimezone(IST).date()),
            "slot_in": (_utc(case.scheduled_at) - self.now()) if case.scheduled_at else None,
            "messages": self.deliveries(case_id),
        }

    def past_consultations(self, doctor_id: uuid.UUID, query: str = "", limit: int = 100) -> list[PastCase]:
        """The doctor's own cases, newest first. Names, villages and diagnoses only while the
        patient's consent lasts (nothing is read, or refused and audited, without it). ``query``
        keeps cases whose patient's name or village contains it, or whose phone ends with it
        (three digits or more), searched only among those consented patients."""
        now, needle = self.now(), " ".join(query.split()).casefold()
        with self.records.sessions() as s:
            rows = list(s.scalars(select(HandoffCase).where(HandoffCase.doctor_id == doctor_id)
                                  .order_by(HandoffCase.created_at.desc()).limit(500)))
            consenting = {r.patient_id for r in rows if active_consents(s, r.patient_id, now, doctor_id)}
        actor, out = Actor.doctor(doctor_id), []
        for row in rows:
            item = PastCase(row.id, row.patient_id, row.status, _utc(row.scheduled_at or row.created_at),
                            row.patient_id in consenting)
            if item.consented:
                try:
                    profile = self.records.patient_profile(actor, row.patient_id, purpose=Purpose.TREATMENT)
                    notes = self._details(actor, row.patient_id, row.id, Purpose.TREATMENT).get("notes") or {}
                except (AccessDenied, LookupError):
                    item.consented = False
                else:
                    item.name, item.village = profile.get("name") or "", profile.get("village") or ""
                    item.diagnosis = (notes.get("diagnosis") or {}).get("code") or ""
                    item.prescription = notes.get("prescription")
            if needle and not (item.consented and self._matches(item, needle)):
                continue
            out.append(item)
            if len(out) >= limit:
                break
        return out

    def _matches(self, item: PastCase, needle: str) -> bool:
        if needle.isdigit() and len(needle) >= 3:
            phone = self._patient_phone(item.patient_id) or ""
            return phone.endswith(needle)
        return needle in item.name.casefold() or needle in item.village.casefold()

    # ------------------------------------------------------------------ the doctor's side

    def offer_slot(self, doctor_id: uuid.UUID, case_id: uuid.UUID, slot_id: uuid.UUID) -> Delivery | None:
        """A doctor offers one of her free slots to a waiting case; the patient replies 1 to book.

        None when the slot or the case cannot take the offer. The case takes the new choice
        before the message leaves (a quick "1" must find it), and gets its earlier choices back
        if the message could not be sent: the patient still holds those."""
        case = self.case_row(case_id)
        with self.records.sessions() as s:
            slot = s.get(AvailabilitySlot, slot_id)
            if (slot is None or slot.doctor_id != doctor_id or slot.case_id is not None
                    or case.status not in ("waiting", "offered") or case.doctor_id is not None):
                return None
            s.execute(update(HandoffCase).where(HandoffCase.id == case_id).values(
                status="offered", offered=[str(slot_id)]))
            s.commit()
        name = self.doctor_info(doctor_id)["name"]
        offer = Offer(case_id, [Option(1, str(slot_id), str(doctor_id), name, _utc(slot.starts_at), False)])
        delivery = self._to_patient(case, "portal_handoff_slots", {"menu": offer.menu(case.language)},
                                    kind="handoff", dedupe=f"offer:{case_id}:{slot_id}")
        if not delivery:
            with self.records.sessions() as s:
                s.execute(update(HandoffCase).where(HandoffCase.id == case_id, HandoffCase.status == "offered",
                                                    HandoffCase.doctor_id.is_(None))  # not booked meanwhile
                          .values(status=case.status, offered=list(case.offered or [])))
                s.commit()
        return delivery

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
            meeting = open_from(u.key, row, "meeting_enc")
            room = meeting["room"] if meeting else jitsi.new_room()
            # the tokens first: without a Jitsi secret this raises ValueError and the unit rolls
            # back, so a case is never marked accepted without a room anyone can join
            doctor_token = jitsi.token(self.jitsi, room, jitsi.Participant(str(doctor_id), doctor_title(info["name"]),
                                                                          True), starts, ends)
            patient_token = jitsi.token(self.jitsi, room, jitsi.Participant(str(case.patient_id), "Patient", False),
                                        starts, ends)
            seal_into(u.key, row, "meeting_enc", {"room": room, "mode": self.jitsi.mode, "domain": self.jitsi.host})
            row.status = "accepted"
            u.ids.append(str(case_id))
        doctor_url = jitsi.meeting_url(self.jitsi, room, doctor_token, low_bandwidth=False)
        patient_url = jitsi.meeting_url(self.jitsi, room, patient_token)
        delivery = None
        if case.channel == "whatsapp":
            delivery = self._to_patient(case, "portal_meeting_link", {
                "doctor": doctor_title(info["name"]), "link": patient_url, "time": when(starts)},
                kind="meeting", dedupe=f"meet:{case_id}:{room}:{starts.isoformat()}", awake=True)
        with self.records.unit(actor, case.patient_id, Purpose.TREATMENT, "write", "handoff_case") as u:
            row = u.session.get(HandoffCase, case_id)  # what the video page shows on every reload
            seal_into(u.key, row, "meeting_enc", {"room": room, "mode": self.jitsi.mode, "domain": self.jitsi.host,
                                          "delivery": None if delivery is None else delivery.stored()})
            u.ids.append(str(case_id))
        return Meeting(room, doctor_url, patient_url, starts, ends, delivery, case.channel)

    def meeting_view(self, doctor_id: uuid.UUID, case_id: uuid.UUID) -> Meeting:
        """The accepted case's room again (a page to reload, not a POST to repeat): a fresh
        moderator link for the same room and what became of the patient's link. LookupError
        when the case has no room yet."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id:
            raise AccessDenied("only the booked doctor opens this room")
        meeting = self._details(Actor.doctor(doctor_id), case.patient_id, case_id, Purpose.TREATMENT).get("meeting")
        if not meeting:
            raise LookupError("this case has no video room")
        with self.records.sessions() as s:
            slot = s.scalar(select(AvailabilitySlot).where(AvailabilitySlot.case_id == case_id))
        starts = _utc(slot.starts_at) if slot else _utc(case.scheduled_at or self.now())
        ends = _utc(slot.ends_at) if slot else starts + dt.timedelta(minutes=15)
        info = self.doctor_info(doctor_id)
        token = jitsi.token(self.jitsi, meeting["room"], jitsi.Participant(str(doctor_id), doctor_title(info["name"]),
                                                                           True), starts, ends)
        stored = meeting.get("delivery")
        return Meeting(meeting["room"], jitsi.meeting_url(self.jitsi, meeting["room"], token, low_bandwidth=False), "",
                       starts, ends, Delivery(**stored) if stored else None, case.channel)

    def phone_call(self, doctor_id: uuid.UUID, case_id: uuid.UUID, doctor_phone: str) -> Delivery:
        """SMS/IVR patients, or a failed video call: Twilio calls both into one conference."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id:
            raise AccessDenied("only the booked doctor calls this patient")
        phone = self._patient_phone(case.patient_id)
        if not phone:
            return Delivery.failed("no_phone")
        if not doctor_phone:
            return Delivery.failed("no_doctor_phone")
        conference = f"saathi-{uuid.uuid4().hex}"
        info = self.doctor_info(doctor_id)
        self._to_patient(case, "portal_phone_call", {"doctor": doctor_title(info["name"])}, kind="call",
                         dedupe=f"call:{case_id}:{conference}", awake=True)
        url_patient = f"{self.base_url}/voice/conference/{self.signer({'c': conference, 'l': case.language})}"
        url_doctor = f"{self.base_url}/voice/conference/{self.signer({'c': conference, 'l': 'en'})}"
        return self.notifier.start_conference_call(phone, doctor_phone, url_patient, url_doctor)

    def save_notes(self, doctor_id: uuid.UUID, case_id: uuid.UUID, *, soap: dict[str, str],
                   diagnosis: str | None = None, follow_up: dt.date | None = None) -> str | None:
        """SOAP notes and the confirmed diagnosis (ICD-10: a code, or words that
        :func:`icd.resolve` turns into a choice of codes); a de-identified label for retraining; a
        follow-up reminder to the patient on that date. Returns the code saved.
        :class:`InputError` (nothing saved) for too long a note or words that name no single code."""
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id:
            raise AccessDenied("only the booked doctor writes notes")
        if case.status == "closed":
            raise InputError("portal_case_closed")
        for key in ("subjective", "objective", "assessment", "plan"):
            check_length(soap.get(key, ""), key, NOTE_MAX_CHARS)
        diagnosis = icd.resolve(diagnosis)
        actor = Actor.doctor(doctor_id)
        with self.records.unit(actor, case.patient_id, Purpose.TREATMENT, "write", "handoff_notes") as u:
            row = u.session.get(HandoffCase, case_id)
            if not (u.view.everything or row.consultation_id in u.view.consultations):
                raise AccessDenied("this consent does not cover the case")
            details = open_from(u.key, row, "details_enc")
            earlier = open_from(u.key, row, "notes_enc", {})
            notes = {**earlier,  # what else the case holds (the issued prescription) stays
                     "soap": {k: soap.get(k, "") for k in ("subjective", "objective", "assessment", "plan")},
                     "diagnosis": {"code": diagnosis, "description": icd.describe(diagnosis)} if diagnosis else None,
                     "follow_up": follow_up.isoformat() if follow_up else None,
                     "at": self.now().isoformat()}
            seal_into(u.key, row, "notes_enc", notes)
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
        if diagnosis:
            self._count_diagnosis(doctor_id, case.patient_id, diagnosis)
        if follow_up:
            self._schedule_follow_up(case_id, follow_up)
        return diagnosis

    def _count_diagnosis(self, doctor_id: uuid.UUID, patient_id: uuid.UUID, diagnosis: str) -> None:
        """A confirmed diagnosis that is an S-form syndrome counts for surveillance (source "portal"),
        placed at the patient's village; only codes and bands leave (engine.surveillance.events)."""
        from engine.surveillance.events import log_diagnosis, url_of
        from engine.surveillance.places import resolve

        try:
            profile = self.records.patient_profile(Actor.doctor(doctor_id), patient_id, purpose=Purpose.TREATMENT)
            birth_year = profile.get("birth_year")
            age = self.now().year - int(birth_year) if birth_year else None
            log_diagnosis(diagnosis, resolve(village=str(profile.get("village") or "")), age=age,
                          sex=profile.get("sex"), url=url_of(self.records), day=self.now().date())
        except Exception as exc:  # noqa: BLE001 - the notes are saved whatever happens to the count
            log.warning("surveillance diagnosis count skipped (%s)", type(exc).__name__)

    def _schedule_follow_up(self, case_id: uuid.UUID, day: dt.date) -> int:
        """The patient's follow-up reminder, 09:00 IST on the day, if that is still ahead."""
        at = dt.datetime.combine(day, dt.time(9, 0), IST).astimezone(dt.timezone.utc)
        if at <= self.now():
            return 0
        self.scheduler.at(at, "portal.jobs.follow_up", str(case_id))
        return 1

    def _booked(self, doctor_id: uuid.UUID, case_id: uuid.UUID) -> HandoffCase:
        case = self.case_row(case_id)
        if case.doctor_id != doctor_id or case.consultation_id is None:
            raise AccessDenied("only the booked doctor prescribes")
        return case

    def add_allergy(self, doctor_id: uuid.UUID, case_id: uuid.UUID, substance: str) -> uuid.UUID | None:
        """The doctor records an allergy of the case's patient (None: already recorded)."""
        case = self._booked(doctor_id, case_id)
        if not " ".join((substance or "").split()):
            raise InputError("rx_allergy_empty", "substance")
        check_length(substance, "substance", LINE_MAX_CHARS)
        return self.records.add_allergy(Actor.doctor(doctor_id), case.patient_id, substance, purpose=Purpose.TREATMENT,
                                        allergen=safety.allergen(substance), source="doctor")

    def remove_allergy(self, doctor_id: uuid.UUID, case_id: uuid.UUID, allergy_id: uuid.UUID) -> bool:
        case = self._booked(doctor_id, case_id)
        return self.records.remove_allergy(Actor.doctor(doctor_id), case.patient_id, allergy_id,
                                           purpose=Purpose.TREATMENT)

    def check_prescription(self, doctor_id: uuid.UUID, case_id: uuid.UUID, lines: list[dict[str, Any]], *,
                           age: float | None = None, pregnant: bool = False) -> list[safety.RxWarning]:
        """The medicine check of ``lines`` (normalised items) against what the records say of the
        case's patient: current medicines (earlier prescriptions, photo-read ones, the patient's
        words), allergies; ``age`` as the doctor confirmed it (else from the profile)."""
        case = self._booked(doctor_id, case_id)
        actor = Actor.doctor(doctor_id)
        details = self._details(actor, case.patient_id, case_id, Purpose.TREATMENT)
        history = self.records.history(actor, case.patient_id, purpose=Purpose.TREATMENT)
        if age is None:
            profile = self.records.patient_profile(actor, case.patient_id, purpose=Purpose.TREATMENT)
            age = safety.age_from(profile, _utc(self.now()).astimezone(IST).date())
        allergies = self.records.allergies(actor, case.patient_id, purpose=Purpose.TREATMENT)
        patient = safety.Patient(age=age, pregnant=pregnant, allergies=tuple(a["substance"] for a in allergies),
                                 current=tuple(safety.current_medicines(history, self.now(), details.get("text") or "")))
        return safety.check_prescription(lines, patient)

    def prescribe(self, doctor_id: uuid.UUID, case_id: uuid.UUID, items: list[dict[str, Any]], *,
                  advice: str = "", follow_up: dt.date | None = None,
                  as_written: frozenset[str] = frozenset(), age: float | None = None, pregnant: bool = False,
                  seen: frozenset[str] = frozenset(), override: bool = False, reason: str = "") -> Prescribed:
        """Save the prescription, render the PDF (patient's language + English), store it in the
        record and send it to the patient. Returns the PDF's document id and the delivery.

        First the medicine check (:meth:`check_prescription`): warnings the doctor has not seen
        (``seen``: their codes, as the form showed them) stop it with :class:`RxSafetyStop`; so
        does a serious one without ``override`` and a ``reason``. An override is kept in the audit
        log (codes and reason, sealed) and with the issued prescription."""
        case = self._booked(doctor_id, case_id)
        if case.status == "closed":
            raise InputError("portal_case_closed")
        clean = [normalise_item(i, as_written) for i in items if (i.get("generic") or "").strip()]
        if not clean:
            raise InputError("portal_rx_empty", "generic")
        check_length(advice, "advice", ADVICE_MAX_CHARS)
        reason = " ".join((reason or "").split())
        check_length(reason, "reason", OVERRIDE_MAX_CHARS)
        warnings = self.check_prescription(doctor_id, case_id, clean, age=age, pregnant=pregnant)
        if not {w.code for w in warnings} <= seen:
            raise RxSafetyStop("rx_check_review", warnings)
        serious = [w for w in warnings if w.serious]
        if serious and not (override and reason):
            raise RxSafetyStop("rx_check_override_needed", warnings)
        actor = Actor.doctor(doctor_id)
        details = self._details(actor, case.patient_id, case_id, Purpose.TREATMENT)
        self.records.save_prescription(actor, case.patient_id, case.consultation_id, clean,
                                       purpose=Purpose.TREATMENT, advice=advice or None)
        if serious:  # the prescriber's decision, in the HMAC-chained audit log
            self.records.note_decision(actor, case.patient_id, resource="rx_safety", purpose=Purpose.TREATMENT,
                                       detail={"case": str(case_id), "overridden": [w.code for w in serious],
                                               "reason": reason})
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
        media = None
        if case.channel == "whatsapp":
            media = f"{self.base_url}/media/rx/{self.signer({'p': str(case.patient_id), 'd': str(doc_id)})}"
        self._checkins(case, clean, doc_id, details, doctor_title(info["name"]))
        delivery = self._to_patient(case, "portal_rx_ready", {"doctor": doctor_title(info["name"]),
                                                              "medicines": medicines},
                                    kind="prescription", dedupe=f"rx:{doc_id}", media=media, awake=True)
        self._medicine_reminders(case.patient_id, clean, doc_id)
        issued = {"document_id": str(doc_id), "at": self.now().isoformat(), "channel": case.channel,
                  "patient_link": media, "link_until": (self.now() + PATIENT_LINK_LIFETIME).isoformat() if media else None,
                  "delivery": delivery.stored(),
                  "checks": [{"code": w.code, "severity": w.severity, "text": w.text("en")} for w in warnings],
                  "medicines": [i["generic"] for i in clean],  # what a side effect at home is checked against
                  "override_reason": reason if serious else None}
        with self.records.unit(actor, case.patient_id, Purpose.TREATMENT, "write", "handoff_notes") as u:
            row = u.session.get(HandoffCase, case_id)
            notes = open_from(u.key, row, "notes_enc", {})
            notes["prescription"] = issued  # the case page links the PDF and says what became of the copy
            seal_into(u.key, row, "notes_enc", notes)
            row.status = "closed"
            u.ids.append(str(case_id))
        return Prescribed(doc_id, delivery)

    def _checkins(self, case: HandoffCase, items: list[dict[str, Any]], doc_id: uuid.UUID, details: dict[str, Any],
                  doctor: str) -> None:
        """The check-ins at home after this prescription (engine.notify.followup): day 3, and
        adherence for chronic medicines. A help like the reminders: trouble never blocks the prescription."""
        from engine.notify import followup
        from nlu.symptoms import catalogue

        symptoms = [c for c in (details.get("triage") or {}).get("symptoms") or [] if c in catalogue()]
        problem = catalogue()[symptoms[0]].name(case.language) if symptoms else t("followup_problem", case.language)
        try:
            followup.schedule(self.patient_notify(), case, items, rx=str(doc_id),
                              start=_utc(self.now()).astimezone(IST).date(), problem=problem, doctor=doctor)
        except Exception as exc:  # noqa: BLE001
            log.warning("check-ins not scheduled: %s", type(exc).__name__)

    # ------------------------------------------------------------------ after the consultation (check-ins)

    def _case_notes(self, case_id: uuid.UUID) -> tuple[HandoffCase, dict[str, Any]]:
        case = self.case_row(case_id)
        with self.records.unit(Actor.patient(case.patient_id), case.patient_id, Purpose.SELF_CARE, "read",
                               "handoff_notes") as u:
            row = u.session.get(HandoffCase, case_id)
            u.ids.append(str(case_id))
            return case, open_from(u.key, row, "notes_enc", {}) or {}

    def followup_entries(self, case_id: uuid.UUID) -> list[dict[str, Any]]:
        """What the patient answered to the check-ins of this case (oldest first)."""
        return list(self._case_notes(case_id)[1].get("followup") or [])

    def followup_answered(self, case_id: uuid.UUID) -> set[str]:
        """The outbox ids of the check-ins this case's patient has answered."""
        return {str(e.get("outbox")) for e in self.followup_entries(case_id)}

    def recent_prescribed_case(self, patient_id: uuid.UUID, since: dt.datetime) -> uuid.UUID | None:
        """The patient's newest case with a prescription issued since ``since`` (None: none)."""
        with self.records.sessions() as s:
            ids = list(s.scalars(select(HandoffCase.id).where(
                HandoffCase.patient_id == patient_id, HandoffCase.status.in_(("closed", "reopened")),
                HandoffCase.created_at >= since - dt.timedelta(days=30)).order_by(HandoffCase.created_at.desc())
                .limit(3)))
        for case_id in ids:
            issued = (self._case_notes(case_id)[1].get("prescription") or {}).get("at")
            if issued and dt.datetime.fromisoformat(issued) >= since:
                return case_id
        return None

    def prescribed_medicines(self, case_id: uuid.UUID) -> list[str]:
        """The generics of the case's last prescription (what a side effect is checked against)."""
        return list((self._case_notes(case_id)[1].get("prescription") or {}).get("medicines") or [])

    def record_followup(self, case_id: uuid.UUID, entry: dict[str, Any], *, reopen: str | None = None) -> None:
        """Keep a check-in answer with the case (the patient's own words, acting as the patient);
        with ``reopen`` (a priority) the case goes back to the doctor's queue with the answer as
        the reason, and the patient's consent to that doctor runs again (they answered her question)."""
        case = self.case_row(case_id)
        me = Actor.patient(case.patient_id)
        with self.records.unit(me, case.patient_id, Purpose.SELF_CARE, "write", "handoff_notes") as u:
            row = u.session.get(HandoffCase, case_id)
            notes = open_from(u.key, row, "notes_enc", {}) or {}
            notes["followup"] = [*(notes.get("followup") or []), entry]
            if reopen:
                notes["reopened"] = {**entry, "priority": reopen}
                row.status = "reopened"
                row.priority = min(row.priority, PRIORITY.get(reopen, 2))
            seal_into(u.key, row, "notes_enc", notes)
            u.ids.append(str(case_id))
        if reopen and case.doctor_id and case.consultation_id:
            self.records.grant_consent(me, case.patient_id, consultation_id=case.consultation_id, hours=CONSENT_HOURS)
            self.records.grant_consent(me, case.patient_id, case.doctor_id, scope="documents", hours=CONSENT_HOURS)

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
            phones = [open_from(u.key, r, "address_enc") for r in rows]
            return phones[0] if phones else None

    def patient_notify(self) -> Any:
        """The patient's delivery path: the one handed in, else one on this handoff's records, Twilio
        sender and scheduler (engine.notify.jobs.build), else the process's."""
        if self.notify is None:
            from engine.notify.jobs import build, service

            sender = self.notifier.sender
            settings = getattr(sender, "settings", None)
            self.notify = (build(settings, self.records, sender=sender, scheduler=self.scheduler)
                           if settings is not None and hasattr(sender, "store") else service())
        return self.notify

    def _to_patient(self, case: HandoffCase, key: str, fields: dict[str, str], *, kind: str, dedupe: str,
                    media: str | None = None, awake: bool = False) -> Delivery:
        """One message to the case's patient through engine.notify (route, window, template, SMS
        fallback, quiet hours, retries, status callbacks), listed on the case page (``ref``)."""
        channel = case.channel if case.channel in ("whatsapp", "sms", "voice") else "sms"
        try:
            outcome = self.patient_notify().send_now(
                case.patient_id, key, fields, dedupe=dedupe, kind=kind, ref=str(case.id), channel=channel,
                seen_at=_utc(case.created_at), media=media, language=case.language, awake=awake)
        except Exception as exc:  # noqa: BLE001 - the doctor's action stands; the page says it was not sent
            log.warning("case %s: message not sent (%s)", case.id, type(exc).__name__)
            return Delivery.failed("unreachable")
        return Delivery.from_outcome(outcome)

    def deliveries(self, case_id: uuid.UUID) -> list[Any]:
        """Every message to the patient of this case, oldest first, with Twilio's last word on it."""
        try:
            return self.patient_notify().deliveries(str(case_id))
        except Exception as exc:  # noqa: BLE001 - the case page shows without the list
            log.warning("case %s: deliveries not read (%s)", case_id, type(exc).__name__)
            return []

    def delivery_row(self, outbox_id: str) -> Any | None:
        """One outbox row (a message kept with the case by its id), None when gone or unreadable."""
        try:
            return self.patient_notify().row(uuid.UUID(outbox_id))
        except Exception as exc:  # noqa: BLE001
            log.warning("delivery %s not read (%s)", outbox_id, type(exc).__name__)
            return None

    def remind(self, case_id: uuid.UUID, side: str) -> bool:  # a job: the outcome goes to its log
        case = self.case_row(case_id)
        if case.status not in ("booked", "accepted") or case.doctor_id is None or case.scheduled_at is None:
            return False
        info = self.doctor_info(case.doctor_id)
        if side == "patient":
            return bool(self._to_patient(case, "portal_reminder", {"doctor": doctor_title(info["name"]),
                                                                   "time": when(case.scheduled_at)},
                                         kind="appointment",  # each job runs once (the scheduler keys it by time)
                                         dedupe=f"remind:{case_id}:{self.now().isoformat()}"))
        phone = self.staff_phone(case.doctor_id)
        return bool(phone) and bool(self.notifier.send_message(
            phone, t("portal_reminder_doctor", "en", time=when(case.scheduled_at))))

    def follow_up(self, case_id: uuid.UUID) -> bool:
        case = self.case_row(case_id)
        name = self.doctor_info(case.doctor_id)["name"] if case.doctor_id else ""
        return bool(self._to_patient(case, "portal_follow_up", {"doctor": doctor_title(name)}, kind="checkup",
                                     dedupe=f"fu:{case_id}:{case.follow_up_on}"))

    def staff_phone(self, user_id: uuid.UUID) -> str | None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
        if row is None or row.contact_enc is None:
            return None
        return self.records.open_column(user_id, row, "contact_enc").get("phone")


def normalise_item(item: dict[str, Any], as_written: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One prescription line as the records and OCR contract shape it (generic name first).

    A brand becomes its generic composition (its strength fills an empty dose); a name the
    medicine knowledge base does not know is refused with the closest known names, unless the
    doctor confirmed it (``as_written``); dose and frequency are required, days 1 to 365."""
    from engine.handoff import prescribing

    name = (item.get("generic") or "").strip()
    for key in ("generic", "dose", "frequency", "instructions"):
        check_length(item.get(key) or "", key, LINE_MAX_CHARS)
    found = prescribing.resolve(name)
    if found.generic is None and name not in as_written:
        raise InputError("portal_rx_unknown_medicine", "generic", medicine=name,
                         choices=[{"code": g, "description": ""} for g in prescribing.close_names(name)])
    dose = (item.get("dose") or "").strip() or found.strength
    if not dose:
        raise InputError("portal_rx_dose_missing", "dose", medicine=name)
    if not (item.get("frequency") or "").strip():
        raise InputError("portal_rx_frequency_missing", "frequency", medicine=name)
    generic = found.generic or name.lower()
    try:
        days = int(str(item.get("duration_days") or 0).strip())
    except ValueError:
        days = 0
    if not 0 < days <= 365:
        raise InputError("portal_rx_days", "days", medicine=name)
    line = {"generic": generic, "name": generic, "dose": dose, "strength": dose,
            "frequency": (item.get("frequency") or "").strip(), "duration_days": days,
            "instructions": (item.get("instructions") or "").strip()}
    if found.brand:
        line["brand"] = found.brand  # what the doctor typed, kept beside the generic
    return line


def draft_lines(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prescription rows as far as they are typed, for the live medicine check while the doctor
    writes: known medicines only (a brand as its generics, its strength when no dose is typed);
    nothing is refused here, saving still goes through :func:`normalise_item`."""
    from engine.handoff import prescribing

    out = []
    for item in items:
        found = prescribing.resolve((item.get("generic") or "")[:LINE_MAX_CHARS])
        if found.generic:
            out.append({"generic": found.generic, "dose": (item.get("dose") or "").strip()[:LINE_MAX_CHARS] or found.strength,
                        "frequency": (item.get("frequency") or "")[:LINE_MAX_CHARS]})
    return out


def slot_times(starts_at: dt.datetime, ends_at: dt.datetime, minutes: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """The whole slots of ``minutes`` that fit in the block, from its start."""
    step, out, cursor = dt.timedelta(minutes=minutes), [], starts_at
    while cursor + step <= ends_at:
        out.append((cursor, cursor + step))
        cursor += step
    return out


def check_length(text: str, field: str, limit: int) -> None:
    if len(text or "") > limit:
        raise InputError("portal_too_long", field, limit=limit, length=len(text))


def _patient_label(profile: dict[str, Any]) -> str:
    parts = [profile.get("name") or "Patient"]
    if profile.get("sex"):
        parts.append(str(profile["sex"]))
    if profile.get("birth_year"):
        parts.append(f"born {profile['birth_year']}")
    return ", ".join(parts)


def portal_secret_key(settings: Any) -> str:
    """SAATHI_PORTAL_SECRET_KEY; the embedded deployment's settings hold the one kept in
    var/keys/portal_secret (0600), so sessions and signed links survive restarts."""
    return settings.portal_secret_key or embedded_secret(Path(settings.var_dir), SECRETS["portal_secret_key"][1])


def portal_base_url(settings: Any) -> str:
    """Where the portal answers: links in messages (conference TwiML, prescription PDFs) point there."""
    return (settings.portal_public_url or f"http://{settings.host}:{settings.portal_port}").rstrip("/")


def build_handoff(settings: Any, records: RecordsService, *, notifier: Notifier | None = None,
                  scheduler: reminders.Scheduler | None = None,
                  jitsi_config: jitsi.JitsiConfig | None = None, notify: Any | None = None) -> Handoff:
    """The handoff service of a process, on that process's records service; the parts not handed
    in are built from the settings (the Twilio notifier, the reminder scheduler, Jitsi, and the
    patient's delivery path on the same records, sender and scheduler)."""
    from engine.notify.jobs import build as build_notify

    signer = URLSafeTimedSerializer(portal_secret_key(settings), salt="public-link")
    notifier = notifier or Notifier.from_settings(settings)
    scheduler = scheduler or reminders.open_scheduler(settings.redis_url)
    return Handoff(records, notifier, scheduler,
                   jitsi_config or jitsi.JitsiConfig.from_settings(settings), base_url=portal_base_url(settings),
                   signer=signer.dumps,
                   notify=notify or build_notify(settings, records, sender=notifier.sender, scheduler=scheduler,
                                                 scripts=gateway_scripts(settings)))


def gateway_scripts(settings: Any) -> Callable[[str], str | None]:
    """The script a patient last wrote in, by sender pseudonym, from the gateway's memory (shared
    through Redis, or in-process): a Hinglish writer gets the doctor's booking menu, call link,
    prescription and reminders in Latin letters too."""
    from engine.i18n import script_key
    from engine.services import current

    return lambda sender: current().sender.store.get(script_key(sender))
