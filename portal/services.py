"""What the portal runs on, built once per process from settings (or handed in by tests)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from engine.handoff import jitsi, reminders
from portal.accounts import Accounts
from portal.handoff import Handoff
from portal.notify import Notifier
from records import RecordsService
from saathi.settings import Settings, load


@dataclass
class PortalServices:
    settings: Settings
    records: RecordsService
    accounts: Accounts
    handoff: Handoff
    secret_key: str

    def serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def sign(self, payload: dict[str, Any], salt: str = "public-link") -> str:
        return self.serializer(salt).dumps(payload)

    def unsign(self, token: str, max_age: int, salt: str = "public-link") -> dict[str, Any] | None:
        try:
            return self.serializer(salt).loads(token, max_age=max_age)
        except BadSignature:
            return None


def secret_key(settings: Settings) -> str:
    """SAATHI_PORTAL_SECRET_KEY, else a random key kept in var/keys/portal_secret (0600), so
    sessions survive restarts of the embedded deployment."""
    if settings.portal_secret_key:
        return settings.portal_secret_key
    path = Path(settings.var_dir) / "keys" / "portal_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def base_url(settings: Settings) -> str:
    return (settings.portal_public_url or f"http://{settings.host}:{settings.portal_port}").rstrip("/")


def build(settings: Settings | None = None, *, records: RecordsService | None = None,
          notifier: Notifier | None = None, scheduler: reminders.Scheduler | None = None,
          jitsi_config: jitsi.JitsiConfig | None = None) -> PortalServices:
    settings = settings or load()
    records = records or RecordsService.from_settings(settings)
    key = secret_key(settings)
    accounts = Accounts(records, lockout_attempts=settings.portal_lockout_attempts,
                        lockout_minutes=settings.portal_lockout_minutes)
    signer = URLSafeTimedSerializer(key, salt="public-link")
    handoff = Handoff(records, notifier or Notifier.from_settings(settings),
                      scheduler or reminders.open_scheduler(settings.redis_url),
                      jitsi_config or jitsi.JitsiConfig.from_settings(settings), base_url=base_url(settings),
                      signer=signer.dumps)
    return PortalServices(settings, records, accounts, handoff, key)
