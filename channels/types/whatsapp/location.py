"""A WhatsApp "share location" pin: read from Twilio's form, handed to the bot as metadata.

Twilio adds ``Latitude``/``Longitude``/``Label``/``Address`` to the Messaging webhook when a user
shares a location. Forms come from the internet: a pin counts only when both coordinates are
finite numbers in range, and its label is cut short (it is shown back, never trusted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_LABEL_CHARS = 120
#: A shared location without text means "pharmacies near me" (Rasa reads "/intent" as that intent).
LOCATION_TEXT = "/find_pharmacy"


@dataclass(frozen=True)
class SharedLocation:
    """A WhatsApp "share location" pin (Twilio's ``Latitude``/``Longitude``/``Label``/``Address``)."""

    latitude: float
    longitude: float
    label: str = ""
    address: str = ""


def _coordinate(value: str | None, limit: float) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def parse_location(form: Mapping[str, str]) -> SharedLocation | None:
    """The shared location, when both coordinates are numbers in range; anything else is ignored."""
    latitude = _coordinate(form.get("Latitude"), 90.0)
    longitude = _coordinate(form.get("Longitude"), 180.0)
    if latitude is None or longitude is None:
        return None
    return SharedLocation(latitude, longitude, " ".join((form.get("Label") or "").split())[:MAX_LABEL_CHARS],
                          " ".join((form.get("Address") or "").split())[:MAX_LABEL_CHARS])


def location_metadata(location: SharedLocation) -> dict[str, Any]:
    """What the bot gets of a shared pin (engine.pharmacy.geo.locate reads these keys)."""
    return {"latitude": location.latitude, "longitude": location.longitude, "label": location.label}
