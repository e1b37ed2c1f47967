"""The gateway process's services over the database, built in one place.

One SQLAlchemy engine, one :class:`~records.RecordsService` on it, and on the same engine the ASHA
service (its cases go to the doctors' queue, its visits remind patients and alert the village's
ASHAs) and the pharmacy service (a pickup made ready by SMS tells the patient). The gateway's
composition root (:meth:`channels.context.Gateway.from_settings`) makes one :class:`GatewayServices`
and the hooks, jobs and views take theirs from the gateway; nothing else builds them.

Each service is made when first asked for, once, under a lock: the gateway must start, and answer
emergencies, while the database is not there yet, and a failure to make one is the caller's to
absorb (the ASHA and pharmacist hooks then let the bot answer). Tests and the CLI hand in their own
(``GatewayServices(settings, asha=…)``).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from config.settings import Settings
from engine.asha import AshaService
from engine.pharmacy import PharmacyService
from engine.services import ProcessServices
from records import RecordsService

log = logging.getLogger(__name__)


class GatewayServices(ProcessServices):
    """Records and pharmacy (:class:`engine.services.ProcessServices`), the ASHA service and the
    doctors' queue its referrals go to."""

    def __init__(self, settings: Settings, *, records: RecordsService | None = None,
                 asha: AshaService | None = None, pharmacy: PharmacyService | None = None,
                 sender: Any | None = None) -> None:
        super().__init__(settings, records=records, asha=asha, pharmacy=pharmacy, sender=sender)
        #: the :class:`channels.context.Gateway` these services belong to (its RQ jobs find it here)
        self.gateway: Any = None

    @property
    def asha(self) -> AshaService:
        def make() -> AshaService:
            from engine.asha.models import migrate

            migrate(self.settings.effective_database_url, self.records)
            service = AshaService(self.sessions, self.records, referrer=self._refer, on_due=self._checkup_reminder)
            service.alerts = self._area_alerts(service)
            return service

        return self._once("asha", make)

    @property
    def handoff(self) -> Any:
        """The doctors' queue (engine.handoff), made on the first ASHA referral: only REFER needs it."""
        from engine.handoff.service import build_handoff

        return self._once("handoff", lambda: build_handoff(self.settings, self.records))

    def _refer(self, patient_id: uuid.UUID, *, text: str, triage: dict[str, Any], language: str) -> None:
        """An ASHA's REFER: the case goes to the doctors' queue."""
        self.handoff.request_doctor(patient_id, text=text, triage=triage, language=language, channel="sms")

    def _area_alerts(self, service: AshaService):  # type: ignore[no-untyped-def]
        """An emergency an ASHA reports on a visit also reaches the other ASHAs of the patient's
        village (engine.notify); trouble sending must never lose the visit, so it is only logged."""

        def alert(event: str, asha_id: uuid.UUID, patient_id: uuid.UUID, code: str, village: str = "") -> None:
            from engine.notify import producers

            try:
                producers.asha_alerts(self.notify, service)(event, asha_id, patient_id, code, village)
            except Exception as exc:  # noqa: BLE001 - logged by type only
                log.warning("ASHA area alert failed: %s", type(exc).__name__)

        return alert

    def _checkup_reminder(self, patient_id: uuid.UUID, due_on: Any, ref: str) -> None:
        """ANC visits and vaccinations: the patient is reminded the day before (engine.notify)."""
        from engine.notify import producers

        producers.checkup_reminder(self.notify, patient_id, due_on, ref=ref)
