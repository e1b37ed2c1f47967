"""A registered worker's day opened the way the product opens it (issue #14 finding 5): the PIN set
over WhatsApp, a first SMS command held for it, the PIN by SMS. For tests whose point is the
commands themselves, not the PIN."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEMO_PIN = "4821"


def open_workday(send: Callable[[str, str], Any], phone: str, pin: str = DEMO_PIN, command: str = "HELP") -> None:
    """``send(address, text)`` posts one signed Messaging webhook (FlaskWebhooks/WebhookClient.message)."""
    send(f"whatsapp:{phone}", f"SET PIN {pin}")
    send(phone, command)
    send(phone, f"PIN {pin}")
