"""Pharmacy tables on their own ``DeclarativeBase``; schema history in ``engine/pharmacy/migrations/versions``
(the ``pharmacy`` branch of :mod:`engine.schema`, run by :func:`migrate`; databases whose tables the
old ``create_all`` made are stamped at its baseline).

Pharmacy data is not patient health data; a reservation links to the patient only by the records
patient UUID (never a phone number). Pharmacists are found from an SMS by a salted phone *hash*.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from config.timezone import utcnow


class PharmacyBase(DeclarativeBase):
    pass


class Status(str, enum.Enum):
    """A reservation's life: reserved → ready → picked_up, or expired / cancelled on the way."""

    RESERVED = "reserved"
    READY = "ready"
    PICKED_UP = "picked_up"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


#: States that still hold stock.
HOLDING = (Status.RESERVED.value, Status.READY.value)


class Pharmacy(PharmacyBase):
    __tablename__ = "pharmacies"
    __table_args__ = (Index("ix_pharmacies_lat_lon", "lat", "lon"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    chain: Mapped[str | None] = mapped_column(String(60), nullable=True)
    jan_aushadhi: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    pin: Mapped[str] = mapped_column(String(6), index=True)
    place: Mapped[str] = mapped_column(String(80), default="")
    district: Mapped[str] = mapped_column(String(60), default="")
    #: "09:00-21:00" or several ranges "09:00-13:00,17:00-21:00"; "00:00-24:00" round the clock.
    hours: Mapped[str] = mapped_column(String(60), default="09:00-21:00")
    #: Public shop phone (a business number, shown to patients).
    contact: Mapped[str] = mapped_column(String(20), default="")
    #: Salted hash of the pharmacist's mobile, for SMS stock commands (channels.hash of the sender).
    sms_phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    #: Portal user (role pharmacist) who manages this shop.
    manager_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    #: Language of SMS replies to the pharmacist.
    language: Mapped[str] = mapped_column(String(2), default="en")
    #: For chain adapters: the shop's id in the chain's API.
    external_id: Mapped[str | None] = mapped_column(String(60), nullable=True)

    stock: Mapped[list[StockItem]] = relationship(back_populates="pharmacy", cascade="all, delete-orphan")


class StockItem(PharmacyBase):
    """One product on a shelf: generic + strength + form, sold as ``brand`` at ``price_paise``."""

    __tablename__ = "pharmacy_stock"
    __table_args__ = (
        UniqueConstraint("pharmacy_id", "generic", "strength", "form", "brand", name="uq_stock_product"),
        CheckConstraint("quantity >= 0", name="ck_stock_quantity"),
        # covering on PostgreSQL: the search's per-shop grouping reads only this index (index-only scan)
        Index("ix_stock_product_pharmacy", "generic", "strength", "pharmacy_id",
              postgresql_include=["quantity", "price_paise", "form"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pharmacies.id", ondelete="CASCADE"))
    generic: Mapped[str] = mapped_column(String(120))
    strength: Mapped[str] = mapped_column(String(40), default="")
    form: Mapped[str] = mapped_column(String(30), default="")
    brand: Mapped[str] = mapped_column(String(80), default="")
    price_paise: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    pharmacy: Mapped[Pharmacy] = relationship(back_populates="stock")


class Reservation(PharmacyBase):
    __tablename__ = "pharmacy_reservations"
    __table_args__ = (Index("ix_reservations_status_expiry", "status", "expires_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    pharmacy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pharmacies.id", ondelete="CASCADE"), index=True)
    #: The records patient UUID (records.models.User.id); never a phone number.
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(12), default=Status.RESERVED.value)
    language: Mapped[str] = mapped_column(String(2), default="hi")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[ReservationLine]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    pharmacy: Mapped[Pharmacy] = relationship(lazy="joined")


class ReservationLine(PharmacyBase):
    __tablename__ = "pharmacy_reservation_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reservation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pharmacy_reservations.id", ondelete="CASCADE"),
                                                      index=True)
    stock_id: Mapped[int] = mapped_column(ForeignKey("pharmacy_stock.id", ondelete="CASCADE"))
    generic: Mapped[str] = mapped_column(String(120))
    strength: Mapped[str] = mapped_column(String(40), default="")
    brand: Mapped[str] = mapped_column(String(80), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price_paise: Mapped[int] = mapped_column(Integer, default=0)


def migrate(url: str) -> None:
    """Bring the pharmacy tables to the newest schema (idempotent; SQLite file or PostgreSQL)."""
    from engine.schema import upgrade

    upgrade(url, target="pharmacy@head")
