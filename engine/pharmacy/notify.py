"""Sentences about reservations, from the catalogue (data/messages/pharmacy.yml), in any language."""

from __future__ import annotations

from config.timezone import IST
from engine.i18n import t
from engine.pharmacy.reservations import ReservationView


def rupees(paise: int) -> str:
    return f"₹{paise / 100:.0f}" if paise % 100 == 0 else f"₹{paise / 100:.2f}"


def notification_key(view: ReservationView) -> str:
    return f"pharmacy_status_{view.status}"


def notification_fields(view: ReservationView) -> dict[str, str]:
    return {"name": view.pharmacy_name, "code": view.code, "total": rupees(view.total_paise),
            "time": view.expires_at.astimezone(IST).strftime("%H:%M")}


def notification_text(view: ReservationView, language: str, variant: str | None = None) -> str:
    """The patient's message for the reservation's current status (reserved, ready, picked_up …)."""
    return t(notification_key(view), language, variant, **notification_fields(view))
