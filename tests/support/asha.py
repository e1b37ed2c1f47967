"""Test helpers (plain code, no pytest): a movable clock, a fake triage, a service on a fresh database.

Fixtures live in tests/asha_fixtures.py; test modules import these helpers directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from engine.asha.models import migrate
from engine.asha.service import AshaService, Worker
from records.db import make_engine, make_session_factory
from tests.support.pharmacy import MORNING, Clock  # noqa: F401  (one controllable clock for tests)

SALT = "test-sender-salt"


@dataclass
class Referrals:
    """Stands in for ``Handoff.request_doctor``: records who was referred, with what urgency."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, patient_id: uuid.UUID, *, text: str, triage: dict[str, Any], language: str) -> None:
        self.calls.append({"patient_id": patient_id, "urgency": triage.get("urgency"), "language": language})


def prepare(url: str) -> None:
    """Records and portal tables, then the ASHA tables (all Alembic histories)."""
    from engine.schema import PORTAL, upgrade

    upgrade(url, target=PORTAL)
    migrate(url)


def build(url: str, records: Any, clock: Clock, **kwargs: Any) -> AshaService:
    return AshaService(make_session_factory(make_engine(url)), records, clock=clock, **kwargs)


def verified_worker(service: AshaService, phone: str, *, language: str = "hi", area: str = "Dhuri",
                    village: str = "Dhuri", serves: list[str] | None = None) -> Worker:
    """A verified ASHA living in ``village`` and serving ``serves`` (her own village when None)."""
    from records.identity import sender_id

    phone_hash = sender_id(phone, SALT)
    uid = service.register_worker(name="Asha Test", village=village, area=area, language=language, phone=phone,
                                  phone_hash=phone_hash, serves=serves)
    assert service.verify(phone_hash, service.issue_code(uid))
    worker = service.worker(phone_hash)
    assert worker is not None
    return worker


def new_phone() -> str:
    return "+9198" + str(uuid.uuid4().int)[:8]
