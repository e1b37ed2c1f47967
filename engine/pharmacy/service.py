"""The pharmacy service: one object the bot, the portal, SMS and the CLI share.

It owns transactions (one per call), the clock (injectable for tests), the hold length, the expiry
scheduling (RQ ``enqueue_in`` when ``REDIS_URL`` is set, else the in-process :meth:`sweep`) and the
notification hook (called with a :class:`ReservationView` after each status change; the channel
layer turns it into a message with :func:`engine.pharmacy.notify.notification_text`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.pharmacy import reservations as rsv
from engine.pharmacy.geo import Location
from engine.pharmacy.models import HOLDING, Pharmacy, Reservation, Status, utcnow
from engine.pharmacy.search import Offer, search
from engine.pharmacy.wanted import Wanted

log = logging.getLogger(__name__)

Notifier = Callable[[rsv.ReservationView], None]
Scheduler = Callable[[uuid.UUID, dt.timedelta], None]


class PharmacyService:
    def __init__(self, session_factory: sessionmaker[Session], *, clock: Callable[[], dt.datetime] = utcnow,
                 hold_for: dt.timedelta = rsv.DEFAULT_HOLD, notifier: Notifier | None = None,
                 scheduler: Scheduler | None = None) -> None:
        self.sessions = session_factory
        self.clock = clock
        self.hold_for = hold_for
        self.notifier = notifier
        self.scheduler = scheduler

    # ----------------------------------------------------------------- search

    def search(self, wanted: list[Wanted], where: Location, *, limit: int = 3) -> list[Offer]:
        with self.sessions() as session:
            return search(session, wanted, where, self.clock(), limit=limit)

    # ----------------------------------------------------------- reservations

    def reserve(self, pharmacy_id: uuid.UUID, patient_id: uuid.UUID, stock: list[tuple[int, int]],
                language: str = "hi") -> rsv.ReservationView:
        """Hold the stock (raises :class:`~engine.pharmacy.reservations.OutOfStock`), schedule expiry."""
        with self.sessions() as session:
            try:
                row = rsv.hold(session, pharmacy_id, patient_id, stock, self.clock(), hold_for=self.hold_for,
                               language=language)
                view = rsv.view_of(row)
                session.commit()
            except Exception:
                session.rollback()
                raise
        if self.scheduler:
            try:
                self.scheduler(view.id, self.hold_for)
            except Exception as exc:  # the in-process sweep still releases it
                log.warning("could not schedule the expiry of a reservation (%s)", type(exc).__name__)
        self._notify(view)
        return view

    def change(self, reservation_id: uuid.UUID, status: Status | str, *, due_only: bool = False
               ) -> rsv.ReservationView | None:
        """Apply a status change; the new view when it happened, None when not allowed / not due."""
        new = Status(status).value
        with self.sessions() as session:
            changed = rsv.change(session, reservation_id, new, self.clock(), due_only=due_only)
            session.commit()
            view = rsv.view_of(session.get(Reservation, reservation_id)) if changed else None
        if view:
            self._notify(view)
        return view

    def expire(self, reservation_id: uuid.UUID) -> bool:
        return self.change(reservation_id, Status.EXPIRED, due_only=True) is not None

    def sweep(self) -> int:
        """Expire every hold that has run out; returns how many (call it from a timer or a request)."""
        with self.sessions() as session:
            ids = rsv.due(session, self.clock())
        return sum(self.expire(rid) for rid in ids)

    def get(self, reservation_id: uuid.UUID) -> rsv.ReservationView | None:
        with self.sessions() as session:
            row = session.get(Reservation, reservation_id)
            return rsv.view_of(row) if row else None

    def by_code(self, pharmacy_id: uuid.UUID, code: str) -> rsv.ReservationView | None:
        with self.sessions() as session:
            row = rsv.by_code(session, pharmacy_id, code)
            return rsv.view_of(row) if row else None

    def open_for_patient(self, patient_id: uuid.UUID) -> list[rsv.ReservationView]:
        with self.sessions() as session:
            rows = session.scalars(select(Reservation).where(
                Reservation.patient_id == patient_id, Reservation.status.in_(HOLDING))
                .order_by(Reservation.created_at.desc()))
            return [rsv.view_of(r) for r in rows]

    def for_pharmacy(self, pharmacy_id: uuid.UUID, limit: int = 100) -> list[rsv.ReservationView]:
        with self.sessions() as session:
            rows = session.scalars(select(Reservation).where(Reservation.pharmacy_id == pharmacy_id)
                                   .order_by(Reservation.created_at.desc()).limit(limit))
            return [rsv.view_of(r) for r in rows]

    # -------------------------------------------------------------- pharmacies

    def set_sms_phone(self, pharmacy_id: uuid.UUID, phone_hash: str | None) -> bool:
        """Link (or with None unlink) the pharmacist's mobile for SMS commands; False if another shop has it.

        Only the salted hash is stored (``records.identity.phone_hash``): the shop's record must
        not become a list of phone numbers."""
        from sqlalchemy.exc import IntegrityError

        with self.sessions() as session:
            shop = session.get(Pharmacy, pharmacy_id)
            if shop is None:
                raise KeyError("no such pharmacy")
            shop.sms_phone_hash = phone_hash
            try:
                session.commit()
            except IntegrityError:  # the unique index: one phone, one shop
                session.rollback()
                return False
        return True

    def pharmacy_count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Pharmacy)) or 0

    def _notify(self, view: rsv.ReservationView) -> None:
        if self.notifier:
            try:
                self.notifier(view)
            except Exception as exc:  # never the text: it names the medicines
                log.warning("reservation notification failed (status %s, %s)", view.status, type(exc).__name__)


def rq_scheduler(redis_url: str, queue: str | None = None) -> Scheduler | None:
    """``enqueue_in`` an expiry job when Redis is configured; None means "rely on :meth:`sweep`".

    The default queue is the reminders queue, whose worker (``python -m portal worker``, started
    with ``REDIS_URL``) runs RQ's scheduler, so expiry jobs need no worker of their own."""
    if not redis_url:
        return None
    if queue is None:
        from engine.handoff.reminders import QUEUE_NAME as queue

    def schedule(reservation_id: uuid.UUID, delay: dt.timedelta) -> None:
        from redis import Redis
        from rq import Queue

        Queue(queue, connection=Redis.from_url(redis_url)).enqueue_in(
            delay + dt.timedelta(seconds=5), "engine.pharmacy.jobs.expire_reservation", str(reservation_id))

    return schedule
