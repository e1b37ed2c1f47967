"""Staff accounts of the portal: passwords (argon2), TOTP two-factor, lock-out, SMS reset codes.

Plain module (no Flask): the web views and the CLI both call it. Failures never say which part
was wrong (user, password or code), and every failure counts towards the lock-out.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from records import RecordsService, Role
from records.models import User, utcnow
from records.portal_models import PortalAccount

HASHER = PasswordHasher()
#: verifying against this when the user does not exist keeps the timing the same
_DUMMY_HASH = HASHER.hash("not-a-real-password")
STAFF_ROLES = {Role.DOCTOR.value, Role.ASHA.value, Role.PHARMACIST.value, Role.ADMIN.value}
ISSUER = "Sehat Saathi"
RESET_MINUTES = 10
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A request about an account that cannot be done (weak password, duplicate username...)."""


@dataclass(frozen=True)
class StaffUser:
    id: uuid.UUID
    username: str
    role: str
    totp_enabled: bool
    on_duty: bool = False


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    locked: bool = False


class Accounts:
    def __init__(self, records: RecordsService, *, lockout_attempts: int = 5, lockout_minutes: int = 15,
                 clock=utcnow) -> None:  # type: ignore[no-untyped-def]
        self.records = records
        self.lockout_attempts = lockout_attempts
        self.lockout = dt.timedelta(minutes=lockout_minutes)
        self.now = clock

    # ------------------------------------------------------------------ creation

    def create(self, user_id: uuid.UUID, username: str, password: str, *, phone: str | None = None) -> StaffUser:
        """A login for an existing staff user (``RecordsService.register_doctor`` etc.)."""
        check_password_strength(password)
        with self.records.sessions() as s:
            user = s.get(User, user_id)
            if user is None or user.role not in STAFF_ROLES:
                raise AccountError("a portal login needs a doctor, ASHA, pharmacist or admin user")
            if s.scalar(select(PortalAccount).where(PortalAccount.username == username.lower())):
                raise AccountError("that username is taken")
            key = self.records.vault.for_user(s, user_id)
            row = PortalAccount(user_id=user_id, username=username.lower(), password_hash=HASHER.hash(password),
                                totp_enabled=False, totp_last_step=0, failed_logins=0, active=True,
                                on_duty=False, created_at=self.now(),
                                contact_enc=key.seal({"phone": phone}) if phone else None)
            s.add(row)
            s.commit()
            return _staff(row, user.role)

    def get(self, user_id: uuid.UUID) -> StaffUser | None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            user = s.get(User, user_id)
            return _staff(row, user.role) if row and user and row.active else None

    def listing(self) -> list[StaffUser]:
        with self.records.sessions() as s:
            rows = s.execute(select(PortalAccount, User.role).join(User, User.id == PortalAccount.user_id)
                             .order_by(User.role, PortalAccount.username)).all()
            return [_staff(a, role) for a, role in rows]

    def set_active(self, user_id: uuid.UUID, active: bool) -> None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.active = active
                s.commit()

    def set_on_duty(self, user_id: uuid.UUID, on_duty: bool) -> None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.on_duty = on_duty
                s.commit()

    # ------------------------------------------------------------------ login

    def login(self, username: str, password: str) -> LoginResult:
        """Password step. Locked accounts fail even with the right password."""
        with self.records.sessions() as s:
            row = s.scalar(select(PortalAccount).where(PortalAccount.username == username.strip().lower()))
            if row is None or not row.active:
                _verify(_DUMMY_HASH, password)
                return LoginResult(None)
            if self._locked(row):
                return LoginResult(None, locked=True)
            if not _verify(row.password_hash, password):
                locked = self._fail(s, row)
                return LoginResult(None, locked=locked)
            if HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = HASHER.hash(password)
            s.commit()
            return LoginResult(_staff(row, s.get(User, row.user_id).role))

    def verify_totp(self, user_id: uuid.UUID, code: str) -> bool:
        """Second step: a current TOTP code (one step of drift either way), never the same one twice."""
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None or row.totp_secret_enc is None or self._locked(row):
                return False
            totp = pyotp.TOTP(self._secret(s, row))
            now = self.now()
            step = _matching_step(totp, code, now)
            if step is None or step <= row.totp_last_step:
                self._fail(s, row)
                return False
            row.totp_last_step = step
            row.failed_logins = 0
            row.locked_until = None
            s.commit()
            return True

    def _locked(self, row: PortalAccount) -> bool:
        return row.locked_until is not None and _utc(row.locked_until) > self.now()

    def _fail(self, s: Session, row: PortalAccount) -> bool:
        row.failed_logins += 1
        locked = row.failed_logins >= self.lockout_attempts
        if locked:
            row.locked_until = self.now() + self.lockout
            row.failed_logins = 0
        s.commit()
        return locked

    def is_locked(self, user_id: uuid.UUID) -> bool:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            return bool(row and self._locked(row))

    def unlock(self, user_id: uuid.UUID) -> None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.locked_until, row.failed_logins = None, 0
                s.commit()

    # ------------------------------------------------------------------ TOTP enrolment

    def _secret(self, s: Session, row: PortalAccount) -> str:
        return self.records.vault.for_user(s, row.user_id).open(row.totp_secret_enc)

    def start_totp(self, user_id: uuid.UUID) -> str:
        """A new seed (replacing an unconfirmed one); returns the otpauth:// URI for the QR code."""
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None:
                raise AccountError("no such account")
            if row.totp_enabled:
                raise AccountError("two-factor is already set up; an admin can reset it")
            secret = pyotp.random_base32()
            row.totp_secret_enc = self.records.vault.for_user(s, user_id).seal(secret)
            s.commit()
            return pyotp.TOTP(secret).provisioning_uri(name=row.username, issuer_name=ISSUER)

    def provisioning_uri(self, user_id: uuid.UUID) -> str | None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None or row.totp_secret_enc is None or row.totp_enabled:
                return None
            return pyotp.TOTP(self._secret(s, row)).provisioning_uri(name=row.username, issuer_name=ISSUER)

    def confirm_totp(self, user_id: uuid.UUID, code: str) -> bool:
        if not self.verify_totp(user_id, code):
            return False
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            row.totp_enabled = True
            s.commit()
        return True

    def reset_totp(self, user_id: uuid.UUID) -> None:
        """Admin: the user enrols again at next login."""
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.totp_enabled, row.totp_secret_enc, row.totp_last_step = False, None, 0
                s.commit()

    def totp_secret_for_tests(self, user_id: uuid.UUID) -> str:
        """The seed (tests and the seed-demo command print codes from it; never shown in the UI)."""
        with self.records.sessions() as s:
            return self._secret(s, s.get(PortalAccount, user_id))

    # ------------------------------------------------------------------ password reset by SMS

    def start_reset(self, username: str) -> tuple[str, str] | None:
        """(phone, code) to send by SMS, or None (unknown user, no phone): callers say the same
        thing in every case, so the form does not reveal which usernames exist."""
        with self.records.sessions() as s:
            row = s.scalar(select(PortalAccount).where(PortalAccount.username == username.strip().lower()))
            if row is None or not row.active or row.contact_enc is None:
                return None
            phone = self.records.vault.for_user(s, row.user_id).open(row.contact_enc).get("phone")
            if not phone:
                return None
            code = f"{secrets.randbelow(10**6):06d}"
            row.reset_code_hash = HASHER.hash(code)
            row.reset_expires_at = self.now() + dt.timedelta(minutes=RESET_MINUTES)
            s.commit()
            return phone, code

    def finish_reset(self, username: str, code: str, new_password: str) -> bool:
        check_password_strength(new_password)
        with self.records.sessions() as s:
            row = s.scalar(select(PortalAccount).where(PortalAccount.username == username.strip().lower()))
            if row is None or row.reset_code_hash is None or row.reset_expires_at is None:
                return False
            if self._locked(row) or _utc(row.reset_expires_at) < self.now():
                return False
            if not _verify(row.reset_code_hash, code.strip()):
                self._fail(s, row)
                return False
            row.password_hash = HASHER.hash(new_password)
            row.reset_code_hash = row.reset_expires_at = None
            row.failed_logins, row.locked_until = 0, None
            s.commit()
            return True


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.lower() == password and password.isalpha():
        raise AccountError(f"use at least {MIN_PASSWORD} characters, not only lowercase letters")


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _matching_step(totp: pyotp.TOTP, code: str, now: dt.datetime) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.at(candidate * totp.interval), code):
            return candidate
    return None


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _staff(row: PortalAccount, role: str) -> StaffUser:
    return StaffUser(row.user_id, row.username, role, row.totp_enabled, row.on_duty)
