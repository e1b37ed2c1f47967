"""The outbox: one row per notification, on its own ``DeclarativeBase``; schema history in
``engine/notify/migrations/versions`` (the ``notify`` branch of :mod:`engine.schema`).

A row names its recipient by records user id only; the number is looked up (and decrypted) at
send time and never stored here. The message's fields (a time, a date, patient codes and
follow-up labels in an ASHA's summary, a pharmacy and pickup code) are sealed with the
*recipient's* records data key (``fields_enc``): deleting the person makes them unreadable.
``dedupe_key`` is a keyed digest of the producer's key (which names patients and events), unique,
so scheduling the same reminder twice — a re-run of the scheduler, a retried webhook — keeps one
row. Kind, due time and status stay clear: the scheduler and ``saathi asha daily`` select by them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from records.crypto import Sealed
from records.types import Encrypted


class NotifyBase(DeclarativeBase):
    pass


class Outbox(NotifyBase):
    __tablename__ = "notify_outbox"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)  # keyed digest (NotifyService.sealer)
    kind: Mapped[str] = mapped_column(String(24), index=True)  # medicine, appointment, checkup, pickup, emergency, daily
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    key: Mapped[str] = mapped_column(String(60))          # catalogue key
    fields_enc: Mapped[Sealed] = mapped_column(Encrypted(owner="user_id"))  # the message's fields, sealed for the recipient
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # emergencies ignore quiet hours
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    # scheduled, sending, sent, failed, opted_out, no_address
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    via: Mapped[str] = mapped_column(String(12), default="")  # sms, whatsapp, template, voice
    sid: Mapped[str] = mapped_column(String(64), default="", index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # what the row belongs to (a handoff case id): the doctor's case page lists its messages
    ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # the person's channel as the producer knows it ("" = by their last message to the gateway)
    channel: Mapped[str] = mapped_column(String(12), default="", server_default="")
    # when the person last wrote to us, as the producer knows it (WhatsApp's 24-hour window)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str] = mapped_column(String(32), default="", server_default="")  # no_twilio, refused, 63016 …
    # Twilio's status callbacks: queued, sent, delivered, read, undelivered, failed
    twilio_status: Mapped[str] = mapped_column(String(16), default="", server_default="")
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    fallback: Mapped[str] = mapped_column(String(12), default="", server_default="")  # "sms": WhatsApp failed
    # a send whose outcome is not known yet: a keyed digest of recipient and text, written just before
    # Twilio is asked and cleared with the outcome; left set, the next dispatch reconciles first
    intent: Mapped[str] = mapped_column(String(64), default="", server_default="")
    intent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DoseTimes(NotifyBase):
    """A person's chosen reminder times (IST, "HH:MM") for the slots of a dose pattern."""

    __tablename__ = "notify_dose_times"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    times: Mapped[dict] = mapped_column(JSON, default=dict)  # {"morning": "07:30", "night": "21:30"}


def migrate(url: str, records: object | None = None) -> None:
    """Bring the notify tables to the newest schema (idempotent; SQLite file or PostgreSQL).

    ``records`` lends the data keys for sealing rows written in clear before fields were sealed;
    a database without such rows needs none.
    """
    from engine.schema import upgrade

    upgrade(url, records, "notify@head")
