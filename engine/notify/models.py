"""The outbox: one row per notification, on its own ``DeclarativeBase`` (``create_all``: additive
table, no Alembic history yet).

A row names its recipient by records user id only; the number is looked up (and decrypted) at
send time and never stored here. ``dedupe_key`` is unique, so scheduling the same reminder twice
— a re-run of the scheduler, a retried webhook — keeps one row. Fields hold only what the
message shows (a time, a date, a patient code, a pickup code): no symptoms, no medicine names.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class NotifyBase(DeclarativeBase):
    pass


class Outbox(NotifyBase):
    __tablename__ = "notify_outbox"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)  # medicine, appointment, checkup, pickup, emergency, daily
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    key: Mapped[str] = mapped_column(String(60))          # catalogue key
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # emergencies ignore quiet hours
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    # scheduled, sending, sent, failed, opted_out, no_address
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    via: Mapped[str] = mapped_column(String(12), default="")  # sms, whatsapp, template
    sid: Mapped[str] = mapped_column(String(64), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DoseTimes(NotifyBase):
    """A person's chosen reminder times (IST, "HH:MM") for the slots of a dose pattern."""

    __tablename__ = "notify_dose_times"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    times: Mapped[dict] = mapped_column(JSON, default=dict)  # {"morning": "07:30", "night": "21:30"}


def migrate(url: str) -> None:
    """Create the outbox table if missing (idempotent; SQLite file or PostgreSQL)."""
    from records.db import make_engine

    engine = make_engine(url)
    try:
        NotifyBase.metadata.create_all(engine)
    finally:
        engine.dispose()
