"""Notifications: schedule into the outbox, dispatch at the right time, once, by the right route.

Flow: a producer (medicine schedule, appointment, check-up, pharmacy status, emergency, daily
ASHA summary) calls :meth:`NotifyService.schedule` — one outbox row per dedupe key, its time moved
out of the quiet hours unless urgent — and the scheduler (RQ ``enqueue_at`` with Redis, an
in-process timer without) runs :func:`engine.notify.jobs.dispatch` with the row id only.

Dispatch claims the row (``scheduled`` → ``sending`` in one UPDATE, so two workers cannot send it
twice; ``due_at`` becomes the time it was taken), skips people who sent STOP (the gateway's
opt-out, same salted key), and picks the route:
a call that reads the message for people who asked for calls (``channel="voice"``); WhatsApp
free text inside the 24-hour window after the person last wrote to us on WhatsApp (the gateway's
``inbound:<sender>`` or what the producer knows, ``seen_at``), an approved WhatsApp template
outside it (registry ``data/asha/templates.yml``: variables and Content SIDs per language, the
text in the catalogue), SMS otherwise, when no template is approved, or when WhatsApp refused
(Twilio's 63xxx codes, or a ``failed``/``undelivered`` status callback: :meth:`record_status`).
Twilio unreachable: retried with exponential backoff up to ``max_attempts``; refused (a wrong
number) or no Twilio account: failed at once with the reason. :meth:`send_now` is the same path
for a message someone is waiting to see the outcome of (the doctor's prescription): it dispatches
in the caller's process and answers with the :class:`Outcome`. Delivery status comes from
Twilio's status callbacks into the row (:meth:`record_status`), which the doctor's case page
shows (:meth:`deliveries`). Log lines carry ids, kinds and outcomes only.

A worker killed mid-send (SIGKILL, the machine gone) leaves its row ``sending``; the claim is a
lease of :data:`SENDING_LEASE`: :meth:`reclaim` (start-up hooks, and the gateway's lease sweep every
quarter lease, :func:`engine.notify.jobs.lease_sweep`) puts a row ``sending`` for longer back to
``scheduled`` in one UPDATE (one sweeper wins) and puts its dispatch straight on the queue, so it
goes out at most a lease and a sweep after it was taken (plus a live worker's pick-up).
Twilio's Messages API has no idempotency key, so a text send is reconciled instead: just before
Twilio is asked, the row keeps a keyed digest of recipient and text (``intent``, ``intent_at``),
cleared with the outcome. A row dispatched again with its intent still set (its sender died after
asking, or the ask timed out) first lists the messages Twilio holds for that recipient since the
intent (:meth:`NotifyService.reconcile`) and is marked ``sent`` if one of them is this message;
only otherwise is it sent again. Templates and calls are not reconciled (what Twilio lists for them
is not our text): for them it stays at least once.

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

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config.paths import ROOT
from engine.i18n import script_key, t
from engine.notify import followup, timing
from engine.notify.models import DoseTimes, Outbox
from engine.yamlfile import read_yaml

log = logging.getLogger(__name__)
TEMPLATES_FILE = ROOT / "data" / "asha" / "templates.yml"
WINDOW = dt.timedelta(hours=24)
DISPATCH = "engine.notify.jobs.dispatch"
#: How long a claimed row may stay ``sending`` before its sender counts as dead (one send waits
#: at most 15 s for Twilio, engine.outbound; a live worker never holds a row this long).
SENDING_LEASE = dt.timedelta(minutes=2)
#: How much earlier than our intent Twilio's clock may date the message (clock skew between hosts).
RECONCILE_SKEW = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Recipient:
    address: str   # "+91…" (never logged, never stored by this module)
    language: str
    sender: str    # the gateway's salted hash of the number: opt-out and 24-hour window keys


@dataclass(frozen=True)
class Outcome:
    """What became of one message at once: ``status`` is the row's (sent, scheduled, failed,
    opted_out, no_address); ``reason`` why it failed or waits (no_twilio, refused, unreachable,
    quiet_hours, retrying); ``twilio_status`` what Twilio said when it took it (queued …)."""

    outbox_id: uuid.UUID | None
    status: str
    via: str = ""
    sid: str = ""
    reason: str = ""
    twilio_status: str = ""


#: Twilio's message statuses in the order a message goes through them (a late callback never
#: takes a row back: "delivered" after "read" stays "read")
PROGRESS = {"accepted": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5}
FAILED_STATUSES = {"failed", "undelivered", "canceled"}
#: a person who wrote within this long is awake and waiting: quiet hours do not hold their answer
AWAKE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SentMessage:
    """A message Twilio holds (its Messages list): what reconcile compares with a row's intent."""

    sid: str
    to: str
    body: str


class Sealer(Protocol):
    """Seals a message's fields for its recipient; digests dedupe keys (they name patients and events)."""

    # ``row_id``: the outbox row the value is sealed for (a value moved to another row does not open)
    def seal(self, user_id: uuid.UUID, row_id: uuid.UUID, value: dict[str, str]) -> Any: ...  # LookupError: deleted
    def open(self, user_id: uuid.UUID, row_id: uuid.UUID, sealed: Any) -> dict[str, str]: ...  # LookupError: deleted
    def digest(self, text: str) -> str: ...


class AddressBook(Protocol):
    def recipient(self, user_id: uuid.UUID) -> Recipient | None: ...


class Transport(Protocol):
    def send_text(self, to: str, body: str, media_url: str | None = None) -> str: ...
    def send_template(self, to: str, content_sid: str, variables: dict[str, str]) -> str: ...
    def call(self, to: str, text: str, language: str) -> str: ...
    def sent_since(self, to: str, since: dt.datetime) -> list[SentMessage]: ...


class Scheduler(Protocol):
    def at(self, when: dt.datetime, function: str, *args: str) -> str: ...


class State(Protocol):
    """The gateway's store (``engine.store``): opt-outs, last inbound message, delivery status."""

    def get(self, key: str) -> Any: ...
    def delete(self, key: str) -> None: ...


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@cache
def template_registry() -> dict[str, dict[str, Any]]:
    return read_yaml(TEMPLATES_FILE) or {}


class NotifyService:
    def __init__(self, sessions: sessionmaker[Session], addresses: AddressBook, transport: Transport,
                 state: State, scheduler: Scheduler, *, clock: Callable[[], dt.datetime] | None = None,
                 quiet_hours: tuple[int, int] = (22, 7), max_attempts: int = 5,
                 templates: dict[str, dict[str, Any]] | None = None, sealer: Sealer,
                 scripts: Callable[[str], str | None] | None = None,
                 sending_lease: dt.timedelta = SENDING_LEASE) -> None:
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
        #: the script a person last wrote in, by their sender pseudonym (the gateway's memory,
        #: ``engine.i18n.script_key``): "mujhe bukhar hai" gets its reminder in Latin letters too
        self.scripts = scripts or (lambda sender: self.state.get(script_key(sender)))
        self.sending_lease = sending_lease

    # ------------------------------------------------------------------ scheduling

    def schedule(self, user_id: uuid.UUID, key: str, fields: dict[str, str], at: dt.datetime, *,
                 dedupe: str, kind: str, urgent: bool = False, ref: str | None = None, channel: str = "",
                 seen_at: dt.datetime | None = None, arm: bool = True) -> uuid.UUID | None:
        """Queue one message; None when ``dedupe`` was scheduled before (nothing changes) or the
        person is gone (no data key to seal the fields with). ``ref``: what it belongs to (a case
        id, listed on that case's page); ``channel``/``seen_at``: what the producer knows of the
        person's channel and last message. Fields named ``_media`` (a link sent as an attachment)
        and ``_language`` (instead of the person's) are sealed with the others."""
        when = at if urgent else timing.after_quiet_hours(at, *self.quiet_hours)
        row_id = uuid.uuid4()
        try:
            sealed = self.sealer.seal(user_id, row_id, {k: str(v) for k, v in fields.items()})
        except LookupError:
            log.info("notification %s for a deleted person not scheduled", kind)
            return None
        row = Outbox(id=row_id, dedupe_key=self.sealer.digest(dedupe)[:120], kind=kind, user_id=user_id,
                     key=key, fields_enc=sealed, urgent=urgent, due_at=when, ref=ref, channel=channel,
                     seen_at=seen_at)
        try:
            with self.sessions() as s:
                s.add(row)
                s.commit()
        except IntegrityError:
            return None
        if arm:
            self.scheduler.at(when, DISPATCH, str(row.id))
        return row.id

    def send_now(self, user_id: uuid.UUID, key: str, fields: dict[str, str], *, dedupe: str, kind: str,
                 ref: str | None = None, channel: str = "", seen_at: dt.datetime | None = None,
                 media: str | None = None, language: str | None = None, urgent: bool = False,
                 awake: bool = False) -> Outcome:
        """A message someone waits to see the outcome of (a doctor's link or prescription): the
        same outbox row and route as any other, dispatched here and now, answered with the
        :class:`Outcome`. Quiet hours hold it unless ``urgent`` or the person is ``awake`` (in a
        consultation, or wrote within the hour); what they hold, and a send Twilio could not
        take yet, the scheduler sends later. The same ``dedupe`` again answers the first outcome."""
        extra = {"_media": media or "", "_language": language or ""}
        now = self.clock()
        awake = awake or (seen_at is not None and now - _aware(seen_at) <= AWAKE)
        row_id = self.schedule(user_id, key, {**fields, **{k: v for k, v in extra.items() if v}}, now,
                               dedupe=dedupe, kind=kind, urgent=urgent or awake, ref=ref, channel=channel,
                               seen_at=seen_at, arm=False)
        if row_id is None:
            with self.sessions() as s:
                row = s.scalar(select(Outbox).where(Outbox.dedupe_key == self.sealer.digest(dedupe)[:120]))
            return self.outcome(row) if row is not None else Outcome(None, "no_address", reason="no_phone")
        self.dispatch(row_id)
        with self.sessions() as s:
            return self.outcome(s.get(Outbox, row_id))

    def outcome(self, row: Outbox) -> Outcome:
        """The row as its sender sees it now: Twilio's last status callback from the row, or from
        the gateway's store when this process shares it (Redis) and the row has not caught up."""
        reason = row.error
        if row.status == "scheduled":
            reason = "retrying" if row.attempts else "quiet_hours"
        status = (self.state.get(f"status:{row.sid}") if row.sid and row.status == "sent" else None) or row.twilio_status
        return Outcome(row.id, row.status, row.via, row.sid, reason, str(status or ""))

    def rearm(self, stale_after: dt.timedelta | None = None) -> int:
        """Schedule a dispatch for every still-``scheduled`` row; returns how many. With
        ``stale_after`` only rows overdue by more than that (their timer or job was evidently lost:
        another process restarted, or Redis did while this one ran) — the periodic sweep.

        Why: in-process timers (the embedded deployment) die with the process, and Redis here keeps
        nothing on disk, so after a restart the outbox is the only record of what is owed. Each
        process that owns a scheduler calls this at start-up; overdue rows are armed for now (sent
        promptly). Arming a row twice is harmless: :meth:`dispatch` claims the row first. Rows whose
        sender died mid-send (``sending`` past the lease) are put back first (:meth:`reclaim`).
        """
        now = self.clock()
        reclaimed = self.reclaim(now)
        rows = [r for r in self.pending() if r.id not in reclaimed]
        if stale_after is not None:
            rows = [r for r in rows if _aware(r.due_at) < now - stale_after]
        for row in rows:
            self.scheduler.at(max(_aware(row.due_at), now), DISPATCH, str(row.id))
        if rows:
            log.info("re-armed %d scheduled notifications", len(rows))
        return len(rows) + len(reclaimed)

    def reclaim(self, now: dt.datetime | None = None) -> set[uuid.UUID]:
        """Rows ``sending`` for longer than the lease (their worker died mid-send) back to
        ``scheduled`` and armed for now; the ids. One UPDATE: of several sweepers, one gets each.
        A scheduler with a queue (RQ) gets the dispatch straight on it (``enqueue_now``): the
        dead sender may have held RQ's scheduler lock; in-process timers fire at once anyway."""
        now = now or self.clock()
        with self.sessions() as s:
            ids = set(s.scalars(update(Outbox).where(Outbox.status == "sending", Outbox.due_at < now - self.sending_lease)
                                .values(status="scheduled", due_at=now).returning(Outbox.id)))
            s.commit()
        enqueue_now = getattr(self.scheduler, "enqueue_now", None)
        for row_id in ids:
            if enqueue_now is not None:
                enqueue_now(DISPATCH, str(row_id))
            else:
                self.scheduler.at(now, DISPATCH, str(row_id))
        if ids:
            log.warning("re-armed %d notifications whose sender died mid-send", len(ids))
        return ids

    # ------------------------------------------------------------------ dispatch

    def dispatch(self, outbox_id: uuid.UUID | str) -> str:
        """Send one due message (a scheduled job); returns the row's new status."""
        outbox_id = uuid.UUID(str(outbox_id))
        now = self.clock()
        with self.sessions() as s:  # claim and read in one statement (UPDATE … RETURNING)
            row = s.scalars(update(Outbox).where(Outbox.id == outbox_id, Outbox.status == "scheduled")
                            .values(status="sending", due_at=now).returning(Outbox)).one_or_none()
            s.commit()
            if row is None:  # already sent (a duplicate job), cancelled, or unknown
                found = s.get(Outbox, outbox_id)
                return found.status if found else "missing"
        if not row.urgent and timing.in_quiet_hours(now, *self.quiet_hours):
            return self._retry_at(row, timing.after_quiet_hours(now, *self.quiet_hours), count=False)
        recipient = self.addresses.recipient(row.user_id)
        if recipient is None:
            return self._finish(row, "no_address", error="no_phone")
        if self.state.get(f"optout:{recipient.sender}"):
            return self._finish(row, "opted_out", error="opted_out")
        from engine.notify.twilio import NotConfigured, SendRefused

        attempts = row.attempts + 1
        if row.intent:  # an earlier send's outcome is unknown: does Twilio have it already?
            try:
                found = self.reconcile(row, recipient)
            except Exception as exc:  # noqa: BLE001 - logged by type only; never resend blind
                log.warning("notification %s (%s) not reconciled: %s", row.id, row.kind, type(exc).__name__)
                return self._retry_at(row, now + timing.backoff(attempts), attempts=attempts, error="unreconciled")
            if found is not None:
                log.warning("notification %s (%s) was sent before its sender died: not sent again", row.id, row.kind)
                return self._finish(row, "sent", sent_at=row.intent_at, attempts=attempts, sid=found.sid,
                                    via="whatsapp" if found.to.startswith("whatsapp:") else "sms", twilio_status="")
        try:
            route = self._send(row, recipient, now)
        except NotConfigured:
            log.warning("notification %s (%s) not sent: no Twilio account", row.id, row.kind)
            return self._finish(row, "failed", attempts=attempts, error="no_twilio")
        except SendRefused as exc:  # a wrong number stays wrong: no retry
            log.warning("notification %s (%s) refused: %s", row.id, row.kind, exc.code or exc.status)
            return self._finish(row, "failed", attempts=attempts, error=str(exc.code or "refused")[:32])
        except Exception as exc:  # noqa: BLE001 - logged by type only: Twilio errors quote numbers
            log.warning("notification %s (%s) failed, attempt %d: %s", row.id, row.kind, attempts,
                        type(exc).__name__)
            if attempts >= self.max_attempts:
                return self._finish(row, "failed", attempts=attempts, error="unreachable")
            return self._retry_at(row, now + timing.backoff(attempts), attempts=attempts, error="unreachable")
        if row.kind in followup.KINDS:  # the gateway must look for this check-in's answer again
            self.state.delete(followup.no_checkin_key(recipient.sender))
        return self._finish(row, "sent", sent_at=now, attempts=attempts, **route)

    def reconcile(self, row: Outbox, recipient: Recipient) -> SentMessage | None:
        """The message Twilio already holds for ``row``'s unknown send, if any: one listed for the
        recipient (WhatsApp or SMS address) created since the intent whose recipient and text
        match the row's digest. Costs one or two list calls, only for a row whose sender died
        mid-send or timed out (rare); raises when Twilio cannot be asked."""
        since = _aware(row.intent_at or row.due_at) - RECONCILE_SKEW
        for to in (f"whatsapp:{recipient.address}", recipient.address):
            for message in self.transport.sent_since(to, since):
                if self._digest(message.to or to, message.body) == row.intent:
                    return message
        return None

    def _digest(self, to: str, body: str) -> str:
        """The row's reference for a send: a keyed digest (no number or text at rest)."""
        return self.sealer.digest(f"outbox-send\n{to}\n{body}")[:64]

    def _intend(self, row: Outbox, to: str, body: str) -> None:
        """Written before Twilio is asked: what to look for if the outcome never gets recorded."""
        with self.sessions() as s:
            s.execute(update(Outbox).where(Outbox.id == row.id)
                      .values(intent=self._digest(to, body), intent_at=self.clock()))
            s.commit()

    def fields_of(self, row: Outbox) -> dict[str, str]:
        """The row's message fields, opened ({} when the recipient's key is gone)."""
        try:
            return {k: str(v) for k, v in (self.sealer.open(row.user_id, row.id, row.fields_enc) or {}).items()}
        except LookupError:
            return {}

    def _send(self, row: Outbox, recipient: Recipient, now: dt.datetime) -> dict[str, Any]:
        """Send by the row's route; the row's new values (via, sid, twilio_status, fallback, error).
        Text in the person's language and in the script they last wrote in (a call speaks the
        native script; an approved WhatsApp template is sent as approved)."""
        from engine.notify.twilio import SendRefused

        fields = self.fields_of(row)
        script = self._script(recipient.sender)
        language = fields.get("_language") or recipient.language
        media = fields.get("_media") or None
        if row.channel == "voice":
            sid = self.transport.call(recipient.address, t(row.key, language, "voice", **fields), language)
            return {"via": "voice", "sid": sid, "twilio_status": ""}
        inbound = self.state.get(f"inbound:{recipient.sender}") or {}
        seen = [_aware(row.seen_at)] if row.seen_at and row.channel == "whatsapp" else []
        if inbound.get("channel") == "whatsapp":
            seen.append(dt.datetime.fromtimestamp(float(inbound.get("at", 0)), dt.timezone.utc))
        if row.channel != "sms" and seen:
            to = f"whatsapp:{recipient.address}"
            try:
                if now - max(seen) <= WINDOW:
                    return self._result("whatsapp", self._text(row, to, t(row.key, language, script=script, **fields),
                                                               media))
                template = self.templates.get(row.key) or {}
                content_sid = (template.get("content_sid") or {}).get(language)
                if content_sid:
                    values = {**fields, "link": fields.get("link") or media or ""}  # the template's text: catalogue
                    variables = {str(i + 1): values.get(name, "") for i, name in enumerate(template["variables"])}
                    return {"via": "template", "sid": self.transport.send_template(to, content_sid, variables),
                            "twilio_status": ""}
            except SendRefused as exc:
                if not exc.whatsapp_only:
                    raise
                log.info("notification %s: WhatsApp refused (%s), switching to SMS", row.id, exc.code)
                return {**self._sms(row, recipient, language, fields, media, script), "fallback": "sms",
                        "error": str(exc.code)}
        return self._sms(row, recipient, language, fields, media, script)

    def _script(self, sender: str) -> str | None:
        try:
            return self.scripts(sender)
        except Exception as exc:  # noqa: BLE001 - the native script beats no message; type only (URLs)
            log.warning("script of a recipient not read: %s", type(exc).__name__)
            return None

    def _sms(self, row: Outbox, recipient: Recipient, language: str, fields: dict[str, str],
             media: str | None, script: str | None = None) -> dict[str, Any]:
        body = t(row.key, language, "sms", script=script, **fields)
        if media and media not in body:  # no attachments by SMS: the link instead
            body = f"{body} {media}"
        return self._result("sms", self._text(row, recipient.address, body))

    def _text(self, row: Outbox, to: str, body: str, media: str | None = None) -> str:
        self._intend(row, to, body)
        return self.transport.send_text(to, body, media) if media else self.transport.send_text(to, body)

    @staticmethod
    def _result(via: str, sid: str) -> dict[str, Any]:
        return {"via": via, "sid": sid, "twilio_status": ""}  # set by Twilio's status callbacks

    def _finish(self, row: Outbox, status: str, **values: Any) -> str:
        """The row's new status; an outcome (anything but another try) clears the intent."""
        if status != "scheduled":
            values = {"intent": "", **values}
        with self.sessions() as s:
            s.execute(update(Outbox).where(Outbox.id == row.id).values(status=status, **values))
            s.commit()
        return status

    def _retry_at(self, row: Outbox, when: dt.datetime, *, count: bool = True, attempts: int | None = None,
                  error: str = "") -> str:
        values: dict[str, Any] = {"due_at": when, "error": error}
        if count and attempts is not None:
            values["attempts"] = attempts
        self._finish(row, "scheduled", **values)
        self.scheduler.at(when, DISPATCH, str(row.id))
        return "scheduled"

    def delivery(self, outbox_id: uuid.UUID) -> str:
        """Twilio's last word on the message (queued/sent/delivered/read/undelivered: its status
        callbacks, in the row or the gateway's store), else the row's status."""
        with self.sessions() as s:
            row = s.get(Outbox, outbox_id)
        if row is None:
            return "missing"
        return (self.state.get(f"status:{row.sid}") if row.sid else None) or row.twilio_status or row.status

    def record_status(self, sid: str, status: str, error_code: str = "", at: dt.datetime | None = None) -> bool:
        """A Twilio status callback for ``sid`` (the gateway's ``/twilio/status``): kept in the row
        (a late callback never takes it back), with the time it was delivered and read; a WhatsApp
        message that ``failed`` or came back ``undelivered`` goes again by SMS, once. False when
        the SID is not an outbox message (a chat reply)."""
        status = (status or "").strip().lower()[:16]
        at = at or self.clock()
        with self.sessions() as s:
            row = s.scalar(select(Outbox).where(Outbox.sid == sid)) if sid else None
            if row is None:
                return False
            values: dict[str, Any] = {}
            if status in FAILED_STATUSES and row.delivered_at is not None:
                return True  # it arrived (delivered, read): a failure reported after that changes nothing
            if status in FAILED_STATUSES:
                values = {"twilio_status": status, "error": (error_code or status)[:32]}
            elif PROGRESS.get(status, -1) > PROGRESS.get(row.twilio_status, -1) or row.twilio_status in FAILED_STATUSES:
                values = {"twilio_status": status}
            if status in ("delivered", "read") and row.delivered_at is None:
                values["delivered_at"] = at
            if status == "read" and row.read_at is None:
                values["read_at"] = at
            switch = status in FAILED_STATUSES and row.via in ("whatsapp", "template") and not row.fallback
            if switch:  # again by SMS: the row goes back to the scheduler with its route fixed
                values.update(status="scheduled", channel="sms", fallback="sms", due_at=at)
            if values:
                s.execute(update(Outbox).where(Outbox.id == row.id).values(**values))
                s.commit()
        if switch:
            log.info("notification %s: WhatsApp %s, switching to SMS", row.id, status)
            self.scheduler.at(at, DISPATCH, str(row.id))
        return True

    def row(self, outbox_id: uuid.UUID) -> Outbox | None:
        with self.sessions() as s:
            return s.get(Outbox, outbox_id)

    def deliveries(self, ref: str) -> list[Outbox]:
        """Every message that belongs to ``ref`` (a case id), oldest first: the case page's list."""
        with self.sessions() as s:
            return list(s.scalars(select(Outbox).where(Outbox.ref == ref).order_by(Outbox.due_at)))

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
