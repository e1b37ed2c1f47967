"""Server-side sign-in sessions of the portal (table ``portal_sessions``).

Flask's own session is a signed cookie: it cannot be taken back, so a copied cookie kept working
for its whole lifetime after logout or a password reset. Here the cookie carries only a random
id; the database keeps its SHA-256 (a database reader learns no live cookie), and a sign-in is
valid only while its row exists. Deleting rows ends every copy of the cookie at once.

Plain module (no Flask): :mod:`portal.security` uses it for the web pages, and
:class:`portal.accounts.Accounts` calls :func:`revoke_user` when a password, a second factor or an
account's activity changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from records import RecordsService
from records.models import utcnow
from records.portal_models import RefreshToken, StaffSession

#: between the password and the TOTP step: long enough to open an authenticator app
PENDING_LIFETIME = dt.timedelta(minutes=10)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def revoke_user(s: Session, user_id: uuid.UUID, now: dt.datetime) -> None:
    """End every sign-in of ``user_id``: browser sessions and unused API refresh tokens (inside the
    caller's transaction, so the change of password or 2FA and the revocation commit together)."""
    s.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
    s.execute(update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.used_at.is_(None))
              .values(used_at=now))


class SessionStore:
    def __init__(self, records: RecordsService, *, lifetime: dt.timedelta = dt.timedelta(hours=8),
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.records = records
        self.lifetime = lifetime
        self.now = clock

    def open(self, user_id: uuid.UUID, *, full: bool) -> str:
        """A new session id for the cookie (``full`` once both factors passed). Expired rows of
        everyone are swept here, so the table stays small without a timer."""
        token = secrets.token_urlsafe(32)
        now = self.now()
        with self.records.sessions() as s:
            s.execute(delete(StaffSession).where(StaffSession.expires_at < now))
            s.add(StaffSession(id_hash=_digest(token), user_id=user_id, full=full, created_at=now,
                               expires_at=now + (self.lifetime if full else PENDING_LIFETIME)))
            s.commit()
        return token

    def lookup(self, token: str | None, *, full: bool) -> uuid.UUID | None:
        """Whose session ``token`` is, if it exists, has not expired and is at that stage."""
        if not token or not isinstance(token, str):
            return None
        with self.records.sessions() as s:
            row = s.get(StaffSession, _digest(token))
            if row is None or row.full != full or _utc(row.expires_at) <= self.now():
                return None
            return row.user_id

    def close(self, token: str | None) -> None:
        """Sign-out: this session ends (for every copy of the cookie)."""
        if token and isinstance(token, str):
            with self.records.sessions() as s:
                s.execute(delete(StaffSession).where(StaffSession.id_hash == _digest(token)))
                s.commit()
