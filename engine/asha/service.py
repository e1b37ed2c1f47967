"""What each ASHA command does, and offline batches of them.

Health data goes through :class:`records.RecordsService` (sealed with the patient's key, audited,
acting as ``Actor.asha``); this module keeps only codes, follow-up dates and identity hashes.
At registration the patient, present in person, consents to her ASHA seeing their records for a
year (recorded through records, so it is audited and revocable by the patient).

Batches: every line is a command, optionally with a client reference (``#12 VISIT …``). A line is
claimed in ``asha_batch_lines`` before it runs, keyed by (ASHA, reference) — or by the line's
text and the India date when it has no reference — so resending a batch changes nothing and a
concurrent duplicate cannot run twice. Lines that fail to parse are not stored: the corrected
line may reuse the reference.

Follow-ups are sealed with the patient's records data key (see :mod:`engine.asha.models`); reading
the list opens one key per patient, through the records vault's cache. Emergencies go to the
patient's ASHA and to every active ASHA whose area (the villages she serves) covers the patient's
village: :meth:`AshaService.responders`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config.timezone import IST
from engine.asha import parse, schedules, villages
from engine.asha.models import AshaPatient, AshaVillage, AshaWorker, BatchLine, FollowUp, utcnow
from engine.asha.text import day, fit, full_day
from engine.i18n import t
from records import AccessDenied, Actor, PatientNotFound, Purpose, RecordsService
from records.crypto import KeyShredded, Place
from records.types import place, place_of

log = logging.getLogger(__name__)
OTP_MINUTES = 15
OTP_MAX_ATTEMPTS = 5
ASHA_CONSENT_HOURS = 24 * 365
WRITES = {"reg", "visit", "refer", "done", "preg", "child"}
FOLLOW_UP_DAYS = {"emergency": 0, "urgent": 1, "routine": 3}
#: A registered pregnancy still counts this long after its due date: pre-eclampsia and eclampsia
#: occur up to 6 weeks after delivery (WHO postnatal care, 2013).
POSTPARTUM_DAYS = 42
#: Readings quoted back in a VISIT reply (the SMS stays within 2 segments).
MAX_READINGS_SHOWN = 3
LIST_AHEAD_DAYS = 7
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class Referrer(Protocol):
    """Queues a case for a doctor (the portal's ``Handoff.request_doctor``)."""

    def __call__(self, patient_id: uuid.UUID, *, text: str, triage: dict[str, Any], language: str) -> None: ...


#: Told about events other people must hear of: ("emergency", asha_id, patient_id, code, village) —
#: asha_id is the ASHA who reported it, village the patient's ('' when unknown).
Alerts = Callable[[str, uuid.UUID, uuid.UUID, str, str], None]
#: Told of each dated check-up (ANC visit, vaccination) so the patient gets a reminder:
#: (patient_id, due_on, ref) with ref unique per check-up.
OnDue = Callable[[uuid.UUID, dt.date, str], None]
TriageFn = Callable[..., Any]


@dataclass(frozen=True)
class Worker:
    user_id: uuid.UUID
    area: str
    language: str
    verified: bool
    active: bool = True


@dataclass(frozen=True)
class FollowUpView:
    """A follow-up with its details opened (what LIST, DONE and the morning summary show)."""

    id: uuid.UUID
    code: str
    kind: str
    label: str
    due_on: dt.date
    status: str


@dataclass(frozen=True)
class WorkerListing:
    """An ASHA as the admin page lists her (no phone number, no patients)."""

    user_id: uuid.UUID
    area: str
    language: str
    verified: bool
    active: bool
    created_at: dt.datetime
    villages: tuple[str, ...]


@dataclass(frozen=True)
class Responder:
    """An ASHA to alert about a patient's emergency; ``registrar``: she registered the patient."""

    asha_id: uuid.UUID
    code: str
    registrar: bool


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok", "sos" (emergency), "err"
    reply: str
    code: str = ""


def consent_in_person(records: RecordsService, patient_id: uuid.UUID, asha_id: uuid.UUID) -> None:
    """The patient, present while their ASHA registers them (REG by SMS or the portal's "My area"),
    lets her see their record: without it she could not tell the people she registered apart."""
    records.grant_consent(Actor.patient(patient_id), patient_id, asha_id, scope="all", hours=ASHA_CONSENT_HOURS,
                          purpose=Purpose.PATIENT_REQUEST)


def _worker(row: AshaWorker) -> Worker:
    return Worker(row.user_id, row.area, row.language, row.verified_at is not None, bool(row.active))


def follow_up_digest(records: RecordsService, asha_id: uuid.UUID, code: str, kind: str, label: str,
                     due: dt.date) -> str:
    """The keyed digest (records' lookup key) that makes a follow-up unique without its kind or label
    in clear."""
    return records.lookup_digest("asha-followup", f"{asha_id}|{code}|{kind}|{label}|{due}").hex()[:64]


def _otp_hash(user_id: uuid.UUID, number: str) -> str:
    return hmac.new(str(user_id).encode(), number.encode(), hashlib.sha256).hexdigest()


def _line_key(cmd: parse.Command, line: str, today: dt.date, records: RecordsService) -> str:
    """The reference, or a keyed HMAC of the line and the day (records' lookup key): a plain hash of
    'VISIT KD472 bukhar' could be guessed back from the table."""
    if cmd.ref:
        return f"ref:{cmd.ref}"
    normal = " ".join(line.casefold().split())
    return "h:" + records.lookup_digest("asha-line", f"{today}|{normal}").hex()[:40]


class AshaService:
    def __init__(self, sessions: sessionmaker[Session], records: RecordsService, *,
                 clock: Callable[[], dt.datetime] = utcnow, referrer: Referrer | None = None,
                 alerts: Alerts | None = None, triage_fn: TriageFn | None = None, on_due: OnDue | None = None) -> None:
        self.sessions = sessions
        self.records = records
        self.clock = clock
        self.referrer = referrer
        self.alerts = alerts
        self._triage = triage_fn
        self.on_due = on_due

    def today(self) -> dt.date:
        return self.clock().astimezone(IST).date()

    # ------------------------------------------------------------------ identity

    def register_worker(self, *, name: str, village: str, area: str, language: str, phone: str,
                        phone_hash: str, serves: Iterable[str] | None = None) -> uuid.UUID:
        """A new ASHA (records user + profile, phone identity) awaiting phone verification.

        ``serves``: the villages of her area (emergencies there reach her); her own village if None.
        """
        if self.worker(phone_hash) is not None:
            raise ValueError("this phone is already registered as an ASHA")
        try:
            user_id = self.records.register_asha(name=name, village=village, area=area, language=language,
                                                 channel="phone", address=phone)
        except IntegrityError as exc:  # the number is already someone's identity in the records
            raise ValueError("this phone number already belongs to someone else in the records") from exc
        with self.sessions() as s:
            s.add(AshaWorker(user_id=user_id, phone_hash=phone_hash, area=area, language=language,
                             created_at=self.clock()))
            s.commit()
        self.set_villages(user_id, [village] if serves is None else serves)
        return user_id

    def set_villages(self, user_id: uuid.UUID, names: Iterable[str]) -> list[str]:
        """Her area is exactly these villages (spellings made comparable); returns the keys kept."""
        keys = list(dict.fromkeys(k for k in (villages.key(n) for n in names) if k))
        with self.sessions() as s:
            s.execute(delete(AshaVillage).where(AshaVillage.asha_id == user_id))
            s.add_all(AshaVillage(asha_id=user_id, village=k) for k in keys)
            s.commit()
        return keys

    def villages(self, user_id: uuid.UUID) -> list[str]:
        with self.sessions() as s:
            return list(s.scalars(select(AshaVillage.village).where(AshaVillage.asha_id == user_id)
                                  .order_by(AshaVillage.village)))

    def set_active(self, user_id: uuid.UUID, active: bool) -> bool:
        """Deactivated, she is like anyone else to the gateway, and gets no alerts or summaries."""
        with self.sessions() as s:
            row = s.get(AshaWorker, user_id)
            if row is None:
                return False
            row.active = active
            if not active:
                row.otp_hash, row.otp_expires_at = None, None
            s.commit()
            return True

    def listing(self) -> list[WorkerListing]:
        """Every ASHA, newest first, for the admin page."""
        with self.sessions() as s:
            rows = list(s.scalars(select(AshaWorker).order_by(AshaWorker.created_at.desc())))
            served: dict[uuid.UUID, list[str]] = {}
            for asha_id, village in s.execute(select(AshaVillage.asha_id, AshaVillage.village)
                                              .order_by(AshaVillage.village)):
                served.setdefault(asha_id, []).append(village)
        return [WorkerListing(r.user_id, r.area, r.language, r.verified_at is not None, bool(r.active),
                              r.created_at, tuple(served.get(r.user_id, ()))) for r in rows]

    def issue_code(self, user_id: uuid.UUID) -> str:
        """A fresh 6-digit one-time code (only its keyed hash is kept) valid for 15 minutes."""
        number = f"{secrets.randbelow(10**6):06d}"
        with self.sessions() as s:
            worker = s.get(AshaWorker, user_id)
            if worker is None or not worker.active:
                raise LookupError("not an active registered ASHA")
            worker.otp_hash = _otp_hash(user_id, number)
            worker.otp_expires_at = self.clock() + dt.timedelta(minutes=OTP_MINUTES)
            worker.otp_attempts = 0
            s.commit()
        return number

    def verify(self, phone_hash: str, number: str) -> bool:
        with self.sessions() as s:
            worker = s.scalar(select(AshaWorker).where(AshaWorker.phone_hash == phone_hash))
            if worker is None or not worker.active or worker.otp_hash is None or worker.otp_expires_at is None:
                return False
            worker.otp_attempts += 1
            expires = worker.otp_expires_at.replace(tzinfo=worker.otp_expires_at.tzinfo or dt.timezone.utc)
            ok = (worker.otp_attempts <= OTP_MAX_ATTEMPTS and self.clock() <= expires
                  and hmac.compare_digest(worker.otp_hash, _otp_hash(worker.user_id, number)))
            if ok:
                worker.verified_at, worker.otp_hash, worker.otp_expires_at = self.clock(), None, None
            s.commit()
            return ok

    def worker(self, phone_hash: str) -> Worker | None:
        with self.sessions() as s:
            row = s.scalar(select(AshaWorker).where(AshaWorker.phone_hash == phone_hash))
            return _worker(row) if row else None

    def worker_by_id(self, user_id: uuid.UUID) -> Worker | None:
        with self.sessions() as s:
            row = s.get(AshaWorker, user_id)
            return _worker(row) if row else None

    # ------------------------------------------------------------------ messages

    def handle(self, worker: Worker, text: str) -> str:
        """The reply to one message: one command's answer, or a batch summary."""
        lines = [line for line in text.splitlines() if line.strip()]
        results = [self.run_line(worker, line) for line in lines]
        if len(results) == 1:
            return results[0][1].reply
        language = next((c.language for c, _ in results if c.language), None) or worker.language
        return self._summary(results, language)

    def run_line(self, worker: Worker, line: str) -> tuple[parse.Command | parse.ParseError, Outcome]:
        cmd = parse.parse_line(line)
        language = cmd.language or worker.language
        if isinstance(cmd, parse.ParseError):
            return cmd, Outcome("err", self._correction(cmd, language))
        if cmd.name not in WRITES:
            return cmd, self.run(worker, cmd, language)
        key = _line_key(cmd, parse.split_ref(line)[1], self.today(), self.records)
        try:
            with self.sessions() as s:
                s.add(BatchLine(asha_id=worker.user_id, line_key=key,
                                outcome_enc=self.records.seal_for(worker.user_id, "pending", place(BatchLine, "outcome_enc", key)),
                                created_at=self.clock()))
                s.commit()
        except IntegrityError:
            with self.sessions() as s:
                seen = s.get(BatchLine, (worker.user_id, key))
            status, _, code = str((self._open(worker.user_id, seen.outcome_enc, place_of(seen, "outcome_enc")) if seen else None) or "ok:"
                                  ).partition(":")
            return cmd, Outcome(status if status in ("ok", "sos") else "ok", t("asha_already", language, code=code),
                                code)
        try:
            outcome = self.run(worker, cmd, language)
        except Exception as exc:  # noqa: BLE001 - logged by type only (messages can hold names)
            log.error("ASHA command %s failed: %s", cmd.name, type(exc).__name__)
            outcome = Outcome("err", t("asha_failed", language))
        with self.sessions() as s:
            if outcome.status == "err":
                s.execute(delete(BatchLine).where(BatchLine.asha_id == worker.user_id, BatchLine.line_key == key))
            else:
                s.execute(update(BatchLine).where(BatchLine.asha_id == worker.user_id, BatchLine.line_key == key)
                          .values(outcome_enc=self.records.seal_for(worker.user_id, f"{outcome.status}:{outcome.code}",
                                                                    place(BatchLine, "outcome_enc", key))))
            s.commit()
        return cmd, outcome

    def run(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        return getattr(self, f"_cmd_{cmd.name}")(worker, cmd, language)

    def _correction(self, error: parse.ParseError, language: str) -> str:
        if error.command is None:
            return t("asha_unknown_command", language)
        return t("asha_missing", language, what=t(f"asha_field_{error.missing}", language),
                 usage=t(f"asha_usage_{error.command}", language))

    def _summary(self, results: list[tuple[Any, Outcome]], language: str) -> str:
        items, first_error = [], ""
        for number, (cmd, outcome) in enumerate(results, 1):
            ref = cmd.ref or str(number)
            mark = {"ok": outcome.code or "ok", "sos": f"108!{outcome.code}", "err": "x"}[outcome.status]
            items.append(f"{ref}:{mark}")
            if outcome.status == "err" and not first_error:
                first_error = f" | {ref}: {outcome.reply}"
        ok = sum(o.status != "err" for _, o in results)
        return fit(t("asha_batch", language, ok=ok, total=len(results), items=" ".join(items)) + first_error)

    # ------------------------------------------------------------------ commands

    def _patient(self, worker: Worker, code: str | None) -> AshaPatient | None:
        with self.sessions() as s:
            row = s.get(AshaPatient, code)
            return row if row is not None and row.asha_id == worker.user_id else None

    def _new_code(self) -> str:
        letters = parse.CODE_LETTERS
        return (secrets.choice(letters) + secrets.choice(letters) + f"{secrets.randbelow(1000):03d}")

    def _cmd_help(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        return Outcome("ok", t("asha_help", language))

    def _cmd_verify(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        return Outcome("ok", t("asha_verified", language))

    def _cmd_reg(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        asha = Actor.asha(worker.user_id)
        today = self.today()
        birth_year, birth_date = born(cmd, today)
        try:
            pid = self.records.create_patient_by_asha(asha, name=cmd.name_text or "", phone=cmd.phone,
                                                      language=language, village=cmd.village,
                                                      birth_year=birth_year, sex=cmd.sex, birth_date=birth_date)
        except ValueError:
            return Outcome("err", t("asha_phone_taken", language))
        consent_in_person(self.records, pid, worker.user_id)
        for _ in range(20):
            code = self._new_code()
            try:
                with self.sessions() as s:
                    s.add(AshaPatient(code=code, patient_id=pid, asha_id=worker.user_id, created_at=self.clock()))
                    s.commit()
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 20 collisions in a 529,000-code space
            raise RuntimeError("no free patient code")
        return Outcome("ok", t("asha_registered", language, name=cmd.name_text, code=code), code)

    def _profile(self, worker: Worker, patient_id: uuid.UUID) -> dict[str, Any]:
        return self.records.patient_profile(Actor.asha(worker.user_id), patient_id, purpose=Purpose.ASHA_CARE)

    def _pregnant(self, patient: AshaPatient) -> bool:
        """A pregnancy registered with PREG: its delivery follow-up is open and at most
        ``POSTPARTUM_DAYS`` past (any ASHA's; the kind is sealed, so each candidate is opened)."""
        since = self.today() - dt.timedelta(days=POSTPARTUM_DAYS)
        with self.sessions() as s:
            rows = list(s.scalars(select(FollowUp).where(FollowUp.patient_id == patient.patient_id,
                                                         FollowUp.status == "open", FollowUp.due_on >= since)))
        return any((self._open(row.patient_id, row.details_enc, place_of(row, "details_enc")) or {}).get("kind") == "delivery" for row in rows)

    def _cmd_visit(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        """Triage the visit with the bot's rules (symptoms, red flags, readings such as ``T 103 P 128
        SPO2 89``), in the context of a registered pregnancy; save it, set the follow-up, and on an
        emergency refer and alert. The reply quotes the readings that decided and asks again for
        any that cannot be right."""
        patient = self._patient(worker, cmd.code)
        if patient is None:
            return Outcome("err", t("asha_unknown_code", language, code=cmd.code))
        profile = self._profile(worker, patient.patient_id)
        age = age_years(profile, self.today())
        pregnant = True if profile.get("sex") != "m" and self._pregnant(patient) else None
        triage_fn = self._triage or _default_triage
        place = self._place(profile, worker)
        context = {"state": place.state, "district": place.district} if place is not None and place.state else {}
        result = triage_fn(cmd.text, age=age, sex=profile.get("sex"), pregnant=pregnant, when=self.today(),
                           **context)  # today's season and the village's region rank the differential
        contract = result.to_contract()
        asha = Actor.asha(worker.user_id)
        report_id = self.records.save_symptom_report(asha, patient.patient_id, {"text": cmd.text, "by": "asha",
                                                     "symptoms": contract.get("symptoms", [])},
                                                     purpose=Purpose.ASHA_CARE)
        self.records.save_triage(asha, patient.patient_id, contract, model_version=result.model_version or "",
                                 purpose=Purpose.ASHA_CARE, symptom_report_id=report_id)
        self._count(result, age, profile, place)
        urgency = result.urgency if result.urgency in FOLLOW_UP_DAYS else "routine"
        due = self.today() + dt.timedelta(days=FOLLOW_UP_DAYS[urgency])
        self._follow_up(worker, patient, "visit", "VISIT", due)
        notes = _reading_notes(result, language)
        if urgency == "emergency":
            self._refer(patient.patient_id, cmd.text, contract, language)
            if self.alerts:
                self.alerts("emergency", worker.user_id, patient.patient_id, patient.code,
                            str(profile.get("village") or ""))
            return Outcome("sos", fit(t("asha_visit_emergency", language, code=patient.code) + notes), patient.code)
        return Outcome("ok", fit(t("asha_visit_saved", language, code=patient.code,
                                   urgency=t(f"asha_urgency_{urgency}", language), date=day(due)) + notes),
                       patient.code)

    def _place(self, profile: dict[str, Any], worker: Worker) -> Any:
        """The patient's village in the place table (else the first village of the ASHA's area that
        is), or None; never raises (a place only sharpens the visit's answer and counts)."""
        from engine.surveillance.places import resolve

        try:
            place = resolve(village=str(profile.get("village") or ""))
            for village in [] if place else self.villages(worker.user_id):
                place = place or resolve(village=village)
            return place
        except Exception as exc:  # noqa: BLE001
            log.warning("place not found (%s)", type(exc).__name__)
            return None

    def _count(self, result: Any, age: float | None, profile: dict[str, Any], place: Any) -> None:
        """The visit in this week's syndromic counts, placed at ``place`` (``_place``); only codes and
        bands leave (engine.surveillance.events)."""
        from engine.surveillance.events import case_of, log_case, url_of

        try:
            log_case(case_of(result, age=age, sex=profile.get("sex")), place, "other", "asha",
                     url=url_of(self.records), day=self.today())
        except Exception as exc:  # noqa: BLE001 - the visit is saved whatever happens to the count
            log.warning("surveillance count skipped (%s)", type(exc).__name__)

    def _refer(self, patient_id: uuid.UUID, text: str, triage: dict[str, Any], language: str) -> None:
        if self.referrer is not None:
            self.referrer(patient_id, text=text, triage=triage, language=language)

    def _cmd_refer(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        patient = self._patient(worker, cmd.code)
        if patient is None:
            return Outcome("err", t("asha_unknown_code", language, code=cmd.code))
        text = cmd.text or "ASHA referral"
        self._refer(patient.patient_id, f"{text} (ASHA referral, consent given in person)",
                    {"urgency": "urgent", "referred_by": "asha"}, language)
        self._follow_up(worker, patient, "referral", "REFER", self.today() + dt.timedelta(days=2))
        return Outcome("ok", t("asha_referred", language, code=patient.code), patient.code)

    def _open(self, owner: uuid.UUID, sealed: Any, where: Place) -> Any:
        """The sealed value, or None when its owner was deleted (their key is gone)."""
        try:
            return self.records.open_for(owner, sealed, where)
        except KeyShredded:
            return None

    def _follow_up(self, worker: Worker, patient: AshaPatient, kind: str, label: str, due: dt.date,
                   remind: bool = False) -> bool:
        """Record a follow-up (details sealed with the patient's key); with ``remind`` the patient
        is also reminded (``on_due``)."""
        digest = follow_up_digest(self.records, worker.user_id, patient.code, kind, label, due)
        try:
            with self.sessions() as s:
                row_id = uuid.uuid4()
                s.add(FollowUp(id=row_id, asha_id=worker.user_id, patient_id=patient.patient_id, code=patient.code,
                               details_enc=self.records.seal_for(patient.patient_id, {"kind": kind, "label": label},
                                                      place(FollowUp, "details_enc", row_id)),
                               dedupe=digest, due_on=due))
                s.commit()
        except IntegrityError:
            return False
        if remind and self.on_due is not None:
            self.on_due(patient.patient_id, due, f"{patient.code}:{kind}:{due}")
        return True

    def open_follow_ups(self, asha_id: uuid.UUID, until: dt.date | None = None) -> list[FollowUpView]:
        """Her open follow-ups by due date (those of deleted patients are left out)."""
        with self.sessions() as s:
            query = select(FollowUp).where(FollowUp.asha_id == asha_id, FollowUp.status == "open")
            if until is not None:
                query = query.where(FollowUp.due_on <= until)
            rows = list(s.scalars(query.order_by(FollowUp.due_on, FollowUp.code)))
        out = []
        for row in rows:
            details = self._open(row.patient_id, row.details_enc, place_of(row, "details_enc"))
            if details is not None:
                out.append(FollowUpView(row.id, row.code, details.get("kind", ""), details.get("label", ""),
                                        row.due_on, row.status))
        return out

    def _cmd_list(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        rows = self.open_follow_ups(worker.user_id, self.today() + dt.timedelta(days=LIST_AHEAD_DAYS))
        if not rows:
            return Outcome("ok", t("asha_list_empty", language))
        items = "; ".join(f"{r.code} {r.label.split(' ')[0]} {day(r.due_on)}" for r in rows)
        return Outcome("ok", fit(t("asha_list", language, items=items)))

    def _cmd_done(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        if self._patient(worker, cmd.code) is None:
            return Outcome("err", t("asha_unknown_code", language, code=cmd.code))
        with self.sessions() as s:
            row = s.scalar(select(FollowUp).where(FollowUp.asha_id == worker.user_id, FollowUp.code == cmd.code,
                                                  FollowUp.status == "open").order_by(FollowUp.due_on).limit(1))
            if row is None:
                return Outcome("ok", t("asha_nothing_open", language, code=cmd.code), cmd.code or "")
            row.status, row.done_at = "done", self.clock()
            details = self._open(row.patient_id, row.details_enc, place_of(row, "details_enc")) or {}
            label = f"{str(details.get('label', '')).split(' ')[0]} {day(row.due_on)}"
            s.commit()
        return Outcome("ok", t("asha_done", language, code=cmd.code, items=label), cmd.code or "")

    def _cmd_preg(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        patient = self._patient(worker, cmd.code)
        if patient is None:
            return Outcome("err", t("asha_unknown_code", language, code=cmd.code))
        assert cmd.date is not None
        edd = schedules.due_date(cmd.date, cmd.date_is_lmp)
        today = self.today()
        if not today - dt.timedelta(days=14) <= edd <= today + dt.timedelta(days=schedules.PREGNANCY_DAYS):
            return Outcome("err", t("asha_bad_date", language, date=full_day(cmd.date),
                                    usage=t("asha_usage_preg", language)))
        visits = [v for v in schedules.antenatal_visits(edd) if v.on >= today]
        for visit in visits:
            self._follow_up(worker, patient, "anc", visit.label, visit.on, remind=True)
        self._follow_up(worker, patient, "delivery", "EDD", edd)
        items = ", ".join(f"{v.label} {day(v.on)}" for v in visits) or "-"
        return Outcome("ok", fit(t("asha_pregnancy", language, code=patient.code, date=full_day(edd), items=items)),
                       patient.code)

    def _cmd_child(self, worker: Worker, cmd: parse.Command, language: str) -> Outcome:
        patient = self._patient(worker, cmd.code)
        if patient is None:
            return Outcome("err", t("asha_unknown_code", language, code=cmd.code))
        assert cmd.date is not None
        today = self.today()
        if cmd.date > today or cmd.date < today - dt.timedelta(days=17 * 365):
            return Outcome("err", t("asha_bad_date", language, date=full_day(cmd.date),
                                    usage=t("asha_usage_child", language)))
        # The birth date is the child's exact age from now on: VISIT judges a baby by it (IMCI young
        # infant under 2 months, fast breathing by age), and REG's "3 mahine" was only an estimate.
        self.records.update_patient_profile(Actor.asha(worker.user_id), patient.patient_id,
                                            purpose=Purpose.ASHA_CARE, birth_year=cmd.date.year,
                                            birth_date=cmd.date.isoformat())
        dues = schedules.upcoming(schedules.immunisations(cmd.date), today)
        for due in dues:
            self._follow_up(worker, patient, "immunisation", due.label, due.on, remind=True)
        if not dues:
            return Outcome("ok", t("asha_child_done", language, code=patient.code), patient.code)
        items = "; ".join(f"{day(d.on)} {d.label}" for d in dues[:2])
        return Outcome("ok", fit(t("asha_child", language, code=patient.code, items=items)), patient.code)


    # ------------------------------------------------------------------ emergencies by area

    def responders(self, patient_id: uuid.UUID, village: str | None) -> list[Responder]:
        """Who must hear of this patient's emergency: the ASHA who registered them, and every
        verified, active ASHA whose area covers their village — each once, registrar first."""
        where = villages.key(village or "")
        with self.sessions() as s:
            mine = s.scalar(select(AshaPatient).where(AshaPatient.patient_id == patient_id))
            code = mine.code if mine else ""
            out: dict[uuid.UUID, Responder] = {}
            if mine is not None:
                registrar = s.get(AshaWorker, mine.asha_id)
                if registrar is not None and registrar.active:
                    out[mine.asha_id] = Responder(mine.asha_id, code, True)
            if where:
                # the patient's village as any area spells it, in any script ("Dhuri" is "ਧੂਰੀ")
                spellings = villages.same_village(where, s.scalars(select(AshaVillage.village).distinct()))
                area = select(AshaVillage.asha_id).where(AshaVillage.village.in_(spellings or [where]))
                for asha_id in s.scalars(select(AshaWorker.user_id).where(
                        AshaWorker.user_id.in_(area), AshaWorker.active.is_(True),
                        AshaWorker.verified_at.is_not(None)).order_by(AshaWorker.created_at)):
                    out.setdefault(asha_id, Responder(asha_id, code, False))
        return list(out.values())

    def patient_village(self, patient_id: uuid.UUID, actor: Actor, purpose: Purpose) -> str:
        """The village in the patient's records profile ('' if none), read as ``actor`` (audited)."""
        try:
            profile = self.records.patient_profile(actor, patient_id, purpose=purpose)
        except (AccessDenied, PatientNotFound):
            return ""
        return str(profile.get("village") or "")


def born(cmd: parse.Command, today: dt.date) -> tuple[int, str | None]:
    """(birth year, ISO birth date or None) from REG's age: a date only for an age in months, weeks or
    days (a baby), estimated at ``DAYS_PER_MONTH`` days a month."""
    if cmd.age_years is not None:
        return today.year - cmd.age_years, None
    days = cmd.age_days if cmd.age_days is not None else round((cmd.age_months or 0) * DAYS_PER_MONTH)
    date = today - dt.timedelta(days=days)
    return date.year, date.isoformat()


def age_years(profile: dict[str, Any], today: dt.date) -> float | None:
    """The patient's age in years at ``today``: exact (a fraction) from a birth date, else from the year."""
    if profile.get("birth_date"):
        try:
            return max(0.0, (today - dt.date.fromisoformat(str(profile["birth_date"]))).days / DAYS_PER_YEAR)
        except ValueError:
            pass
    return today.year - int(profile["birth_year"]) if profile.get("birth_year") else None


def _reading_notes(result: Any, language: str) -> str:
    """" | Readings: 89% (<90%)" and " | Check, send again: pulse 900" for a VISIT reply ('' if none)."""
    notes = ""
    findings = list(getattr(result, "vitals", None) or [])[:MAX_READINGS_SHOWN]
    if findings:
        notes += " | " + t("asha_visit_readings", language, items="; ".join(f"{f.shown} ({f.limit})" for f in findings))
    unclear = list(getattr(result, "vitals_unclear", None) or [])
    if unclear:
        items = ", ".join(f"{t(f'vital_measure_{u.measure}', language)} {u.shown}" for u in unclear)
        notes += " | " + t("asha_visit_recheck", language, items=items)
    return notes


def _default_triage(text: str, **kwargs: Any) -> Any:
    from engine.triage import triage

    return triage(text, **kwargs)
