"""Sentences about reservations, from the catalogue (data/messages/pharmacy.yml), in any language."""

from __future__ import annotations

from engine.i18n import t
from engine.pharmacy.hours import IST
from engine.pharmacy.reservations import ReservationView


def rupees(paise: int) -> str:
    return f"₹{paise / 100:.0f}" if paise % 100 == 0 else f"₹{paise / 100:.2f}"


def notification_text(view: ReservationView, language: str, variant: str | None = None) -> str:
    """The patient's message for the reservation's current status (reserved, ready, picked_up …)."""
    return t(f"pharmacy_status_{view.status}", language, variant, name=view.pharmacy_name, code=view.code,
             time=view.expires_at.astimezone(IST).strftime("%H:%M"), total=rupees(view.total_paise))
