"""Notifications: schedule into the outbox, dispatch at the right time, once, by the right route.

Flow: a producer (medicine schedule, appointment, check-up, pharmacy status, emergency, daily
ASHA summary) calls :meth:`NotifyService.schedule` — one outbox row per dedupe key, its time moved
out of the quiet hours unless urgent — and the scheduler (RQ ``enqueue_at`` with Redis, an
in-process timer without) runs :func:`engine.notify.jobs.dispatch` with the row id only.

Dispatch claims the row (``scheduled`` → ``sending`` in one UPDATE, so two workers cannot send it
twice), skips people who sent STOP (the gateway's opt-out, same salted key), and picks the route:
WhatsApp free text inside the 24-hour window after the person last wrote to us on WhatsApp, an
approved WhatsApp template outside it (registry ``data/asha/templates.yml``), SMS otherwise or when
no template is approved. A failed send is retried with exponential backoff up to
``max_attempts``; delivery status comes from Twilio's status callback (``status:<sid>`` in the
gateway store). Log lines carry ids, kinds and outcomes only.

At rest a row's fields are sealed for its recipient and its dedupe key is a keyed digest (the
:class:`Sealer`: the records' data keys in production, :class:`engine.notify.addresses.RecordsSealer`);
someone whose key is gone (deleted) is scheduled nothing and sent nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import yaml
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config.paths import ROOT
from engine.i18n import script_key, t
from engine.notify import timing
from engine.notify.models import DoseTimes, Outbox

log = logging.getLogger(__name__)
TEMPLATES_FILE = ROOT / "data" / "asha" / "templates.yml"
WINDOW = dt.timedelta(hours=24)
DISPATCH = "engine.notify.jobs.dispatch"


@dataclass(frozen=True)
class Recipient:
    address: str   # "+91…" (never logged, never stored by this module)
    language: str
    sender: str    # the gateway's salted hash of the number: opt-out and 24-hour window keys


class Sealer(Protocol):
    """Seals a message's fields for its recipient; digests dedupe keys (they name patients and events)."""

    # ``row_id``: the outbox row the value is sealed for (a value moved to another row does not open)
    def seal(self, user_id: uuid.UUID, row_id: uuid.UUID, value: dict[str, str]) -> Any: ...  # LookupError: deleted
    def open(self, user_id: uuid.UUID, row_id: uuid.UUID, sealed: Any) -> dict[str, str]: ...  # LookupError: deleted
    def digest(self, text: str) -> str: ...


class AddressBook(Protocol):
    def recipient(self, user_id: uuid.UUID) -> Recipient | None: ...


class Transport(Protocol):
    def send_text(self, to: str, body: str) -> str: ...
    def send_template(self, to: str, content_sid: str, variables: dict[str, str]) -> str: ...


class Scheduler(Protocol):
    def at(self, when: dt.datetime, function: str, *args: str) -> str: ...


class State(Protocol):
    """The gateway's store (``engine.store``): opt-outs, last inbound message, delivery status."""

    def get(self, key: str) -> Any: ...


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@cache
def template_registry() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(TEMPLATES_FILE.read_text(encoding="utf-8")) or {}


class NotifyService:
    def __init__(self, sessions: sessionmaker[Session], addresses: AddressBook, transport: Transport,
                 state: State, scheduler: Scheduler, *, clock: Callable[[], dt.datetime] | None = None,
                 quiet_hours: tuple[int, int] = (22, 7), max_attempts: int = 5,
                 templates: dict[str, dict[str, Any]] | None = None, sealer: Sealer) -> None:
        self.sessions = sessions
        self.addresses = addresses
        self.transport = transport
        self.state = state
        self.scheduler = scheduler
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.quiet_hours = quiet_hours
        self.max_attempts = max_attempts
        self.templates = template_registry() if templates is None else templates
        self.sealer = sealer

    # ------------------------------------------------------------------ scheduling

    def schedule(self, user_id: uuid.UUID, key: str, fields: dict[str, str], at: dt.datetime, *,
                 dedupe: str, kind: str, urgent: bool = False) -> uuid.UUID | None:
        """Queue one message; None when ``dedupe`` was scheduled before (nothing changes) or the
        person is gone (no data key to seal the fields with)."""
        when = at if urgent else timing.after_quiet_hours(at, *self.quiet_hours)
        row_id = uuid.uuid4()
        try:
            sealed = self.sealer.seal(user_id, row_id, {k: str(v) for k, v in fields.items()})
        except LookupError:
            log.info("notification %s for a deleted person not scheduled", kind)
            return None
        row = Outbox(id=row_id, dedupe_key=self.sealer.digest(dedupe)[:120], kind=kind, user_id=user_id,
                     key=key, fields_enc=sealed, urgent=urgent, due_at=when)
        try:
            with self.sessions() as s:
                s.add(row)
                s.commit()
        except IntegrityError:
            return None
        self.scheduler.at(when, DISPATCH, str(row.id))
        return row.id

    def rearm(self, stale_after: dt.timedelta | None = None) -> int:
        """Schedule a dispatch for every still-``scheduled`` row; returns how many. With
        ``stale_after`` only rows overdue by more than that (their timer or job was evidently lost:
        another process restarted, or Redis did while this one ran) — the periodic sweep.

        Why: in-process timers (the embedded deployment) die with the process, and Redis here keeps
        nothing on disk, so after a restart the outbox is the only record of what is owed. Each
        process that owns a scheduler calls this at start-up; overdue rows are armed for now (sent
        promptly). Arming a row twice is harmless: :meth:`dispatch` claims the row first.
        """
        now = self.clock()
        rows = self.pending()
        if stale_after is not None:
            rows = [r for r in rows if _aware(r.due_at) < now - stale_after]
        for row in rows:
            self.scheduler.at(max(_aware(row.due_at), now), DISPATCH, str(row.id))
        if rows:
            log.info("re-armed %d scheduled notifications", len(rows))
        return len(rows)

    # ------------------------------------------------------------------ dispatch

    def dispatch(self, outbox_id: uuid.UUID | str) -> str:
        """Send one due message (a scheduled job); returns the row's new status."""
        outbox_id = uuid.UUID(str(outbox_id))
        now = self.clock()
        with self.sessions() as s:  # claim and read in one statement (UPDATE … RETURNING)
            row = s.scalars(update(Outbox).where(Outbox.id == outbox_id, Outbox.status == "scheduled")
                            .values(status="sending").returning(Outbox)).one_or_none()
            s.commit()
            if row is None:  # already sent (a duplicate job), cancelled, or unknown
                found = s.get(Outbox, outbox_id)
                return found.status if found else "missing"
        if not row.urgent and timing.in_quiet_hours(now, *self.quiet_hours):
            return self._retry_at(row, timing.after_quiet_hours(now, *self.quiet_hours), count=False)
        recipient = self.addresses.recipient(row.user_id)
        if recipient is None:
            return self._finish(row, "no_address")
        if self.state.get(f"optout:{recipient.sender}"):
            return self._finish(row, "opted_out")
        try:
            via, sid = self._send(row, recipient, now)
        except Exception as exc:  # noqa: BLE001 - logged by type only: Twilio errors quote numbers
            attempts = row.attempts + 1
            log.warning("notification %s (%s) failed, attempt %d: %s", row.id, row.kind, attempts,
                        type(exc).__name__)
            if attempts >= self.max_attempts:
                return self._finish(row, "failed", attempts=attempts)
            return self._retry_at(row, now + timing.backoff(attempts), attempts=attempts)
        return self._finish(row, "sent", via=via, sid=sid, sent_at=now, attempts=row.attempts + 1)

    def fields_of(self, row: Outbox) -> dict[str, str]:
        """The row's message fields, opened ({} when the recipient's key is gone)."""
        try:
            return {k: str(v) for k, v in (self.sealer.open(row.user_id, row.id, row.fields_enc) or {}).items()}
        except LookupError:
            return {}

    def _send(self, row: Outbox, recipient: Recipient, now: dt.datetime) -> tuple[str, str]:
        """Text in the person's language and in the script they last wrote in (the gateway remembers
        it per sender, ``script:<sender>``): someone who types "mujhe bukhar hai" gets a reminder in
        Latin letters hours later too. An approved WhatsApp template is sent as approved."""
        fields = self.fields_of(row)
        script = self.state.get(script_key(recipient.sender))
        inbound = self.state.get(f"inbound:{recipient.sender}") or {}
        if inbound.get("channel") == "whatsapp":
            last = dt.datetime.fromtimestamp(float(inbound.get("at", 0)), dt.timezone.utc)
            to = f"whatsapp:{recipient.address}"
            if now - last <= WINDOW:
                return "whatsapp", self.transport.send_text(to, t(row.key, recipient.language, script=script,
                                                                  **fields))
            template = self.templates.get(row.key) or {}
            content_sid = (template.get("content_sid") or {}).get(recipient.language)
            if content_sid:
                variables = {str(i + 1): fields.get(name, "") for i, name in enumerate(template["variables"])}
                return "template", self.transport.send_template(to, content_sid, variables)
        return "sms", self.transport.send_text(recipient.address, t(row.key, recipient.language, "sms", script=script,
                                                                   **fields))

    def _finish(self, row: Outbox, status: str, **values: Any) -> str:
        with self.sessions() as s:
            s.execute(update(Outbox).where(Outbox.id == row.id).values(status=status, **values))
            s.commit()
        return status

    def _retry_at(self, row: Outbox, when: dt.datetime, *, count: bool = True, attempts: int | None = None) -> str:
        values: dict[str, Any] = {"due_at": when}
        if count and attempts is not None:
            values["attempts"] = attempts
        self._finish(row, "scheduled", **values)
        self.scheduler.at(when, DISPATCH, str(row.id))
        return "scheduled"

    def delivery(self, outbox_id: uuid.UUID) -> str:
        """Twilio's last word on the message (queued/sent/delivered/undelivered), else the row's status."""
        with self.sessions() as s:
            row = s.get(Outbox, outbox_id)
        if row is None:
            return "missing"
        return (self.state.get(f"status:{row.sid}") if row.sid else None) or row.status

    def set_dose_times(self, user_id: uuid.UUID, times: dict[str, dt.time]) -> None:
        """Remember when this person wants their medicine reminders (slots: morning, noon, evening, night)."""
        unknown = set(times) - set(timing.DEFAULT_TIMES)
        if unknown:
            raise ValueError(f"unknown dose slots: {sorted(unknown)}")
        with self.sessions() as s:
            row = s.get(DoseTimes, user_id) or DoseTimes(user_id=user_id, times={})
            row.times = {**row.times, **{k: v.strftime("%H:%M") for k, v in times.items()}}
            s.merge(row)
            s.commit()

    def dose_times(self, user_id: uuid.UUID) -> dict[str, dt.time]:
        with self.sessions() as s:
            row = s.get(DoseTimes, user_id)
        return {k: dt.time.fromisoformat(v) for k, v in (row.times if row else {}).items()}

    def pending(self, user_id: uuid.UUID | None = None) -> list[Outbox]:
        with self.sessions() as s:
            query = select(Outbox).where(Outbox.status == "scheduled")
            if user_id is not None:
                query = query.where(Outbox.user_id == user_id)
            return list(s.scalars(query.order_by(Outbox.due_at)))
