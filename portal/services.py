"""What the portal runs on, built once per process from settings (or handed in by tests).

:func:`compose` is the portal process's composition root (the app factory and ``python -m portal
worker`` call it): one :class:`engine.services.ProcessServices` (one engine, one records service),
the portal's services on those records, installed as the process's, so the reminder jobs
(:mod:`portal.jobs`), the notifications and the pharmacy jobs the worker runs share them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from config.settings import Settings, load
from engine.handoff import jitsi, reminders
from engine.handoff.notifier import Notifier
from engine.handoff.service import Handoff, build_handoff, portal_secret_key
from portal.accounts import Accounts
from portal.session_store import SessionStore
from portal.throttle import Throttle
from records import RecordsService

#: a browser sign-in lasts at most this long (a working day), whatever the cookie says
SESSION_LIFETIME = dt.timedelta(hours=8)


@dataclass
class PortalServices:
    settings: Settings
    records: RecordsService
    accounts: Accounts
    handoff: Handoff
    secret_key: str
    sessions: SessionStore
    throttle: Throttle
    #: the process's services these run on (:func:`compose`): its pharmacy, notifications, sender
    process: Any = None

    def serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def sign(self, payload: dict[str, Any], salt: str = "public-link") -> str:
        return self.serializer(salt).dumps(payload)

    def unsign(self, token: str, max_age: int, salt: str = "public-link") -> dict[str, Any] | None:
        try:
            return self.serializer(salt).loads(token, max_age=max_age)
        except BadSignature:
            return None


def build(settings: Settings | None = None, *, records: RecordsService | None = None,
          notifier: Notifier | None = None, scheduler: reminders.Scheduler | None = None,
          jitsi_config: jitsi.JitsiConfig | None = None) -> PortalServices:
    settings = settings or load()
    if records is None:
        from engine.services import ProcessServices

        records = ProcessServices(settings).records
    accounts = Accounts(records, lockout_attempts=settings.portal_lockout_attempts,
                        lockout_minutes=settings.portal_lockout_minutes)
    handoff = build_handoff(settings, records, notifier=notifier, scheduler=scheduler, jitsi_config=jitsi_config)
    return PortalServices(settings, records, accounts, handoff, portal_secret_key(settings),
                          SessionStore(records, lifetime=SESSION_LIFETIME), Throttle.from_settings(settings))


def compose(settings: Settings, services: PortalServices | None = None) -> PortalServices:
    """Settings → one engine and records (:class:`engine.services.ProcessServices`) → the portal's
    services on them, installed as this process's (:func:`engine.services.install`); the doctor
    handoff is the process's ``portal_handoff`` part, which the reminder jobs run."""
    from engine.services import ProcessServices, install

    process = ProcessServices(settings, records=services.records if services else None)
    services = services or build(settings, records=process.records)
    process.provide(portal_handoff=services.handoff)
    services.process = process
    install(process)
    return services
