"""Fixtures of the portal tests (tests/test_portal_*.py import them from here).

``world``: one throw-away PostgreSQL database per test module (records + portal migrations), the
records service, the Twilio stand-in (tests/twilio_standin.py) that the channels' real outbound
sender talks to, a recording reminder scheduler, and the portal app. Helpers create staff with
TOTP, patients with a phone identity, slots and booked cases the way the bot does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from engine import schema
from engine.handoff import jitsi
from engine.handoff.notifier import Notifier
from portal import create_app
from portal.services import PortalServices, build
from records import RecordsService, Role
from records.models import utcnow
from tests.support.notify import ManualScheduler
from tests.support.records import TEST_SENDER_SALT, build_service, fresh_pg_database

__all__ = ["TEST_SENDER_SALT", "World", "csrf_from", "totp_now", "world"]
PASSWORD = "Correct-Horse-42"
JITSI_SECRET = "test-jitsi-secret-of-at-least-32-bytes!"
TRIAGE = {"language": "hi", "symptoms": ["fever", "headache", "body_ache"], "urgency": "urgent", "red_flags": [],
          "conditions": [{"name": "Dengue fever", "icd10": "A97", "probability": 0.41},
                         {"name": "Malaria", "icd10": "B54", "probability": 0.22},
                         {"name": "Typhoid", "icd10": "A01.0", "probability": 0.12}],
          "specialist": "general_physician", "advice": "खूब पानी पिएँ।",
          "explanation": "fever with headache and body ache for 3 days", "model_version": "triage-test"}


@dataclass
class World:
    settings: Settings
    records: RecordsService
    services: PortalServices
    app: Flask
    standin: Any
    scheduler: ManualScheduler

    @property
    def handoff(self):  # type: ignore[no-untyped-def]
        return self.services.handoff

    @property
    def accounts(self):  # type: ignore[no-untyped-def]
        return self.services.accounts

    # ---------------------------------------------------------------- people

    def doctor(self, name: str = "Asha Verma", specialty: str = "general_physician",
               languages: tuple[str, ...] = ("hi", "en"), phone: str | None = None,
               enrol: bool = True) -> tuple[uuid.UUID, str, str | None]:
        """(user id, username, TOTP secret) of a new doctor with a portal login."""
        uid = self.records.register_doctor(name=name, specialty=specialty, languages=list(languages),
                                           registration_number="PMC-" + uuid.uuid4().hex[:6].upper())
        return self._login_for(uid, phone, enrol)

    def staff(self, role: Role, *, area: str = "", phone: str | None = None,
              enrol: bool = True) -> tuple[uuid.UUID, str, str | None]:
        if role == Role.ASHA:
            uid = self.records.register_asha(name="Sunita Devi", village="Rampur", area=area)
        else:
            uid = self.records.register_staff(role)
        return self._login_for(uid, phone, enrol)

    def _login_for(self, uid: uuid.UUID, phone: str | None, enrol: bool) -> tuple[uuid.UUID, str, str | None]:
        username = "u" + uuid.uuid4().hex[:10]
        self.accounts.create(uid, username, PASSWORD, phone=phone)
        secret = None
        if enrol:
            self.accounts.enrol_totp(uid)
            secret = self.accounts.totp_secret_for_tests(uid)
        return uid, username, secret

    def patient(self, phone: str | None = None, language: str = "hi", **profile: Any) -> uuid.UUID:
        phone = phone or "+9198" + str(uuid.uuid4().int)[:8]
        pid = self.records.get_or_create_patient("whatsapp", phone, language)
        if profile:
            from records import Actor, Purpose

            self.records.update_patient_profile(Actor.patient(pid), pid, purpose=Purpose.SELF_CARE, **profile)
        return pid

    # ---------------------------------------------------------------- cases

    def slot(self, doctor_id: uuid.UUID, in_minutes: float = 60, minutes: int = 15) -> uuid.UUID:
        start = utcnow().replace(microsecond=0) + dt.timedelta(minutes=in_minutes)
        while True:  # the doctor may have that time already (add_slots makes no duplicates): the next free one
            made = self.handoff.add_slots(doctor_id, start, start + dt.timedelta(minutes=minutes), minutes)
            if made:
                return made[0]
            start += dt.timedelta(minutes=minutes)

    def booked_case(self, doctor_id: uuid.UUID, *, phone: str | None = None, language: str = "hi",
                    text: str = "मुझे तीन दिन से बुखार और सिर दर्द है", channel: str = "whatsapp",
                    triage: dict | None = None) -> tuple[uuid.UUID, uuid.UUID]:
        """(patient id, case id): the patient asks for a doctor and books the first option."""
        self.slot(doctor_id, in_minutes=30)
        pid = self.patient(phone, language, name="Ramesh Kumar", birth_year=1980, sex="m")
        offer = self.handoff.request_doctor(pid, text=text, triage=triage or TRIAGE, language=language,
                                            channel=channel)
        number = next(o.number for o in offer.options if o.doctor_id == str(doctor_id))
        booking = self.handoff.choose(pid, number)
        assert booking is not None
        return pid, booking.case_id

    # ---------------------------------------------------------------- web

    def client(self, user_id: uuid.UUID | None = None) -> FlaskClient:
        """A test client, signed in as ``user_id`` (a server-side session opened directly) if given."""
        client = self.app.test_client()
        if user_id is not None:
            with client.session_transaction() as sess:
                sess["sid"] = self.services.sessions.open(user_id, full=True)
        return client


def totp_now(secret: str, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30 * offset_steps))


def csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_settings(base: Path, standin_url: str, **overrides: Any) -> Settings:
    return dataclasses.replace(
        Settings(), var_dir=base, twilio_api_base_url=standin_url, twilio_account_sid="ACtest",
        twilio_auth_token="test-token", twilio_whatsapp_from="whatsapp:+14155238886",
        twilio_sms_from="+15005550006", jitsi_app_secret=JITSI_SECRET, jitsi_domain="meet.example.org",
        portal_secret_key="portal-test-secret-key-long-enough-for-hs256-use", portal_public_url="https://portal.example.org",
        portal_secure_cookies=False, redis_url="", **overrides)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from tests.twilio_standin import TwilioStandin

    base = tmp_path_factory.mktemp("portal")
    standin = TwilioStandin().start()
    with fresh_pg_database("saathi_portal") as url:
        schema.upgrade(url, target=(*schema.PORTAL, "notify@head"))  # the patient's messages: engine.notify
        records = build_service(url, base / "keys" / "master.json", base / "files")
        settings = test_settings(base, standin.url)
        scheduler = ManualScheduler()
        services = build(settings, records=records, notifier=Notifier.from_settings(settings), scheduler=scheduler,
                         jitsi_config=jitsi.JitsiConfig.from_settings(settings))
        app = create_app(settings, services)
        app.config["TESTING"] = True
        try:
            yield World(settings, records, services, app, standin, scheduler)
        finally:
            standin.stop()
            records.sessions.kw["bind"].dispose()
