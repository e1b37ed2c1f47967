"""What the portal tells staff after an action, in the browser's language (hi/pa/en, from the
message catalogue, ``data/messages/portal.yml``), and never more than happened.

Views call :func:`say` for the outcome of the action itself and :func:`delivery` for a message
or call it caused: sent and queued are reported as such, a failure says why (no Twilio account,
no phone number, refused, unreachable) in a red box, never in a green one.
"""

from __future__ import annotations

from typing import Any

from flask import flash

from engine.handoff.errors import InputError
from engine.handoff.notifier import FAILED, Delivery
from engine.i18n import t
from portal.security import page_language, services


def text(key: str, **fields: Any) -> str:
    """A catalogue sentence in the browser's language."""
    return t(key, page_language(), **fields)


def say(key: str, category: str = "ok", **fields: Any) -> None:
    flash(text(key, **fields), category)


def refusal(exc: Exception) -> str:
    """What a refused request says: a catalogue sentence in the browser's language when the refusal
    names one (InputError and AccountError), else the English text the engine gave."""
    return text(exc.key, **exc.fields) if isinstance(exc, InputError) else str(exc)


def delivery_text(outcome: Delivery | None) -> str:
    """One sentence for a delivery outcome; empty when nothing was meant to be sent."""
    if outcome is None:
        return ""
    if outcome.status == FAILED:
        return text(f"portal_delivery_failed_{outcome.reason or 'unreachable'}")
    return text(f"portal_delivery_{outcome.status}")


def delivery_now(stored: dict[str, str] | None) -> Delivery | None:
    """A delivery kept with a case (``{"status", "reason", "sid"}``), brought up to date from the
    status callbacks when the portal can see them (shared Redis)."""
    return services().handoff.notifier.current(Delivery(**stored)) if stored else None


def delivery(outcome: Delivery | None) -> bool:
    """Flash what happened to a message (green when it left or is queued, red when it failed);
    True when it did not fail."""
    if outcome is not None:
        flash(delivery_text(outcome), "error" if not outcome else "ok")
    return outcome is None or bool(outcome)
