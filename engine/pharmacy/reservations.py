"""Reservations: a time-limited hold on stock, a pickup code, and status changes.

Overselling is impossible by construction: each line takes its units with one atomic conditional
``UPDATE … SET quantity = quantity - n WHERE id = … AND quantity >= n``; a line that finds too
little stock fails the whole reservation (rolled back). Lines are taken in stock-id order so two
reservations never wait on each other's rows in opposite orders (no deadlock). Releasing stock
(expiry, cancellation) is guarded the same way: only the one status change that succeeds puts the
units back, so a sweep racing an RQ job cannot release twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.pharmacy.models import HOLDING, Pharmacy, Reservation, ReservationLine, Status, StockItem

DEFAULT_HOLD = dt.timedelta(hours=4)

#: Allowed changes: new status → the statuses it may come from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.READY.value: (Status.RESERVED.value,),
    Status.PICKED_UP.value: (Status.READY.value, Status.RESERVED.value),
    Status.CANCELLED.value: HOLDING,
    Status.EXPIRED.value: HOLDING,
}
#: Statuses that give the units back to the shelf.
RELEASING = {Status.CANCELLED.value, Status.EXPIRED.value}


class OutOfStock(Exception):
    """A line could not be held: someone else took the last units first."""

    def __init__(self, generic: str) -> None:
        super().__init__(generic)
        self.generic = generic


class BadTransition(Exception):
    """The reservation is not in a state that allows this change (e.g. already picked up)."""


@dataclass(frozen=True)
class LineView:
    generic: str
    strength: str
    brand: str
    quantity: int
    price_paise: int


@dataclass(frozen=True)
class ReservationView:
    """A reservation as plain values (safe to use after the session closed)."""

    id: uuid.UUID
    code: str
    status: str
    pharmacy_id: uuid.UUID
    pharmacy_name: str
    pharmacy_contact: str
    patient_id: uuid.UUID
    language: str
    expires_at: dt.datetime
    lines: tuple[LineView, ...]

    @property
    def total_paise(self) -> int:
        return sum(line.price_paise * line.quantity for line in self.lines)


def view_of(row: Reservation) -> ReservationView:
    return ReservationView(
        row.id, row.code, row.status, row.pharmacy_id, row.pharmacy.name, row.pharmacy.contact, row.patient_id,
        row.language, row.expires_at,
        tuple(LineView(x.generic, x.strength, x.brand, x.quantity, x.price_paise) for x in row.lines))


def _new_code(session: Session, pharmacy_id: uuid.UUID) -> str:
    """A 6-digit pickup code unique among this shop's open reservations."""
    for _ in range(20):
        code = f"{secrets.randbelow(900000) + 100000}"
        taken = session.scalar(select(Reservation.id).where(
            Reservation.pharmacy_id == pharmacy_id, Reservation.code == code, Reservation.status.in_(HOLDING)))
        if taken is None:
            return code
    raise RuntimeError("no free pickup code")


def hold(session: Session, pharmacy_id: uuid.UUID, patient_id: uuid.UUID, stock: list[tuple[int, int]],
         now: dt.datetime, *, hold_for: dt.timedelta = DEFAULT_HOLD, language: str = "hi") -> Reservation:
    """Take ``[(stock_id, units)]`` at one pharmacy for a patient; raises :class:`OutOfStock`.

    The caller commits (or rolls back on the exception)."""
    if not stock:
        raise ValueError("nothing to reserve")
    reservation = Reservation(id=uuid.uuid4(), pharmacy_id=pharmacy_id, patient_id=patient_id,
                              code=_new_code(session, pharmacy_id), status=Status.RESERVED.value,
                              language=language, created_at=now, updated_at=now, expires_at=now + hold_for)
    session.add(reservation)
    for stock_id, units in sorted(stock):
        taken = session.execute(
            update(StockItem)
            .where(StockItem.id == stock_id, StockItem.pharmacy_id == pharmacy_id, StockItem.quantity >= units)
            .values(quantity=StockItem.quantity - units)
            .returning(StockItem.generic, StockItem.strength, StockItem.brand, StockItem.price_paise)
        ).first()
        if taken is None:
            generic = session.scalar(select(StockItem.generic).where(StockItem.id == stock_id)) or "?"
            raise OutOfStock(generic)
        reservation.lines.append(ReservationLine(stock_id=stock_id, generic=taken.generic, strength=taken.strength,
                                                 brand=taken.brand, quantity=units, price_paise=taken.price_paise))
    session.flush()
    return reservation


def change(session: Session, reservation_id: uuid.UUID, new_status: str, now: dt.datetime, *,
           due_only: bool = False) -> bool:
    """Move a reservation to ``new_status`` if allowed; True when this call made the change.

    ``due_only`` (expiry) changes it only once the hold has passed. Releasing statuses put the
    units back in the same transaction."""
    sources = TRANSITIONS[new_status]
    condition = [Reservation.id == reservation_id, Reservation.status.in_(sources)]
    if due_only:
        condition.append(Reservation.expires_at <= now)
    changed = session.execute(
        update(Reservation).where(*condition).values(status=new_status, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed and new_status in RELEASING:
        for line in session.scalars(select(ReservationLine).where(ReservationLine.reservation_id == reservation_id)
                                    .order_by(ReservationLine.stock_id)):
            session.execute(update(StockItem).where(StockItem.id == line.stock_id)
                            .values(quantity=StockItem.quantity + line.quantity))
    return bool(changed)


def due(session: Session, now: dt.datetime, limit: int = 500) -> list[uuid.UUID]:
    return list(session.scalars(select(Reservation.id).where(
        Reservation.status.in_(HOLDING), Reservation.expires_at <= now).limit(limit)))


def by_code(session: Session, pharmacy_id: uuid.UUID, code: str) -> Reservation | None:
    return session.scalar(select(Reservation).where(
        Reservation.pharmacy_id == pharmacy_id, Reservation.code == code.strip())
        .order_by(Reservation.created_at.desc()).limit(1))


def pharmacy_name(session: Session, pharmacy_id: uuid.UUID) -> str:
    return session.scalar(select(Pharmacy.name).where(Pharmacy.id == pharmacy_id)) or ""
