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

from engine.handoff.errors import InputError
from engine.metrics import PORTAL_LOCKOUTS, PORTAL_LOGINS
from portal.session_store import revoke_user
from records import RecordsService, Role
from records.models import User, utcnow
from records.portal_models import PortalAccount

HASHER = PasswordHasher()
#: verifying against this when the user does not exist keeps the timing the same
_DUMMY_HASH = HASHER.hash("not-a-real-password")
STAFF_ROLES = {Role.DOCTOR.value, Role.ASHA.value, Role.PHARMACIST.value, Role.ADMIN.value,
               Role.SURVEILLANCE.value, Role.PROGRAMME.value}
ISSUER = "Sehat Saathi"
RESET_MINUTES = 10
MIN_PASSWORD = 10


class AccountError(InputError):
    """A request about an account that cannot be done (weak password, duplicate username...): a
    catalogue sentence (hi/pa/en) and the field it is about; ``str()`` is the English one."""


@dataclass(frozen=True)
class StaffUser:
    id: uuid.UUID
    username: str
    role: str
    totp_enabled: bool
    on_duty: bool = False


@dataclass
class AccountRow:
    """One line of the admin's list of logins."""

    id: uuid.UUID
    username: str
    role: str
    name: str
    totp_enabled: bool
    active: bool
    locked_until: dt.datetime | None


@dataclass(frozen=True)
class LoginResult:
    """``locked_until`` is for the account holder only (the views show it on a device that signed
    in as that user before): to anyone else, a locked account must look like a wrong password."""

    user: StaffUser | None
    locked_until: dt.datetime | None = None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


class Accounts:
    def __init__(self, records: RecordsService, *, lockout_attempts: int = 5, lockout_minutes: int = 15,
                 clock=utcnow) -> None:  # type: ignore[no-untyped-def]
        self.records = records
        self.lockout_attempts = lockout_attempts
        self.lockout = dt.timedelta(minutes=lockout_minutes)
        self.now = clock

    # ------------------------------------------------------------------ creation

    def create(self, user_id: uuid.UUID, username: str, password: str, *, phone: str | None = None,
               name: str | None = None) -> StaffUser:
        """A login for an existing staff user (``RecordsService.register_doctor`` etc.); the name
        is kept (sealed, with the phone) for roles whose records profile has none (admins, pharmacists)."""
        check_password_strength(password)
        with self.records.sessions() as s:
            user = s.get(User, user_id)
            if user is None or user.role not in STAFF_ROLES:
                raise AccountError("portal_account_not_staff")
            self._check_username(s, username)
            row = PortalAccount(user_id=user_id, username=username.lower(), password_hash=HASHER.hash(password),
                                totp_enabled=False, totp_last_step=0, failed_logins=0, active=True,
                                on_duty=False, created_at=self.now())
            self.records.seal_column(user_id, row, "contact_enc", {"phone": phone, "name": name} if phone or name else None)
            s.add(row)
            s.commit()
            return _staff(row, user.role)

    def check_new(self, username: str, password: str) -> None:
        """Refuse a new login's username or password before anything is registered for it."""
        check_password_strength(password)
        with self.records.sessions() as s:
            self._check_username(s, username)

    @staticmethod
    def _check_username(s: Session, username: str) -> None:
        if not username.strip():
            raise AccountError("portal_account_username_needed", "username")
        if s.scalar(select(PortalAccount).where(PortalAccount.username == username.lower())):
            raise AccountError("portal_account_username_taken", "username")

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

    def admin_listing(self) -> list[AccountRow]:
        """Every login with its holder's name, whether it is active and until when it is locked."""
        out = []
        with self.records.sessions() as s:
            rows = s.execute(select(PortalAccount, User.role).join(User, User.id == PortalAccount.user_id)
                             .order_by(User.role, PortalAccount.username)).all()
            for row, role in rows:
                contact = self.records.open_column(row.user_id, row, "contact_enc", {})
                out.append(AccountRow(row.user_id, row.username, role, contact.get("name") or "", row.totp_enabled,
                                      row.active, _utc(row.locked_until) if self._locked(row) else None))
        for item in out:
            item.name = item.name or self.records.clinician_name(item.id) or ""
        return out

    def set_active(self, user_id: uuid.UUID, active: bool) -> None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.active = active
                if not active:
                    revoke_user(s, user_id, self.now())
                s.commit()

    def set_on_duty(self, user_id: uuid.UUID, on_duty: bool) -> None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.on_duty = on_duty
                s.commit()

    # ------------------------------------------------------------------ login

    def login(self, username: str, password: str) -> LoginResult:
        """Password step. Locked accounts fail even with the right password, after the same work
        (one argon2 verification) as any other attempt, so timing does not tell them apart."""
        with self.records.sessions() as s:
            row = s.scalar(select(PortalAccount).where(PortalAccount.username == username.strip().lower()))
            if row is None or not row.active:
                _verify(_DUMMY_HASH, password)
                PORTAL_LOGINS.labels("password_wrong").inc()
                return LoginResult(None)
            if self._locked(row):
                _verify(row.password_hash, password)
                PORTAL_LOGINS.labels("locked").inc()
                return LoginResult(None, locked_until=_utc(row.locked_until))
            if not _verify(row.password_hash, password):
                PORTAL_LOGINS.labels("password_wrong").inc()
                self._fail(s, row)
                return LoginResult(None, locked_until=_utc(row.locked_until) if self._locked(row) else None)
            if HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = HASHER.hash(password)
            s.commit()
            PORTAL_LOGINS.labels("password_ok").inc()
            return LoginResult(_staff(row, s.get(User, row.user_id).role))

    def verify_totp(self, user_id: uuid.UUID, code: str) -> bool:
        """Second step: a current TOTP code (one step of drift either way), never the same one twice."""
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None or row.totp_secret_enc is None or self._locked(row):
                return False
            totp = pyotp.TOTP(self._secret(row))
            now = self.now()
            step = _matching_step(totp, code, now)
            if step is None or step <= row.totp_last_step:
                PORTAL_LOGINS.labels("totp_wrong").inc()
                self._fail(s, row)
                return False
            PORTAL_LOGINS.labels("totp_ok").inc()
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
            PORTAL_LOCKOUTS.inc()
        s.commit()
        return locked

    def locked_until(self, user_id: uuid.UUID) -> dt.datetime | None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            return _utc(row.locked_until) if row and self._locked(row) else None

    def unlock(self, user_id: uuid.UUID) -> None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row:
                row.locked_until, row.failed_logins = None, 0
                s.commit()

    # ------------------------------------------------------------------ TOTP enrolment

    def _secret(self, row: PortalAccount) -> str:
        return self.records.open_column(row.user_id, row, "totp_secret_enc")

    def start_totp(self, user_id: uuid.UUID) -> str:
        """A new seed (replacing an unconfirmed one); returns the otpauth:// URI for the QR code."""
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None:
                raise AccountError("portal_account_unknown")
            if row.totp_enabled:
                raise AccountError("portal_account_totp_set")
            secret = pyotp.random_base32()
            self.records.seal_column(user_id, row, "totp_secret_enc", secret)
            s.commit()
            return pyotp.TOTP(secret).provisioning_uri(name=row.username, issuer_name=ISSUER)

    def enrol_totp(self, user_id: uuid.UUID) -> str:
        """Enrol a new seed at once (accounts made by an operator, who hands the otpauth:// URI over
        out of band): the first person to sign in with the password cannot enrol their own."""
        uri = self.start_totp(user_id)
        with self.records.sessions() as s:
            s.get(PortalAccount, user_id).totp_enabled = True
            s.commit()
        return uri

    def provisioning_uri(self, user_id: uuid.UUID) -> str | None:
        with self.records.sessions() as s:
            row = s.get(PortalAccount, user_id)
            if row is None or row.totp_secret_enc is None or row.totp_enabled:
                return None
            return pyotp.TOTP(self._secret(row)).provisioning_uri(name=row.username, issuer_name=ISSUER)

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
                revoke_user(s, user_id, self.now())  # whoever is signed in must enrol again
                s.commit()

    def totp_secret_for_tests(self, user_id: uuid.UUID) -> str:
        """The seed (tests and the seed-demo command print codes from it; never shown in the UI)."""
        with self.records.sessions() as s:
            return self._secret(s.get(PortalAccount, user_id))

    # ------------------------------------------------------------------ password reset by SMS

    def start_reset(self, username: str) -> tuple[str, str] | None:
        """(phone, code) to send by SMS, or None (unknown user, no phone): callers say the same
        thing in every case, so the form does not reveal which usernames exist."""
        with self.records.sessions() as s:
            row = s.scalar(select(PortalAccount).where(PortalAccount.username == username.strip().lower()))
            if row is None or not row.active or row.contact_enc is None:
                return None
            phone = self.records.open_column(row.user_id, row, "contact_enc").get("phone")
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
            revoke_user(s, row.user_id, self.now())  # a stolen session ends with the old password
            s.commit()
            return True


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.lower() == password and password.isalpha():
        raise AccountError("portal_account_weak_password", "password", min=MIN_PASSWORD)


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
