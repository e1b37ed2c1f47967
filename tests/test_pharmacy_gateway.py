"""A pharmacist's SMS commands through the real gateway (signed webhooks, PostgreSQL, stand-in Twilio):
the phone linked with ``saathi pharmacy assign`` is answered by the pharmacy engine, never by Rasa;
READY tells the patient on WhatsApp; everyone else (and a bare CANCEL) is handled as before."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator

import pytest

from engine.i18n import t
from engine.pharmacy import PharmacyService, migrate
from engine.pharmacy.models import Pharmacy, StockItem
from engine.pharmacy.notify import notification_fields, notification_key, notification_text
from records.db import session_factory_from_settings
from records.identity import phone_hash, sender_id
from tests.support.pharmacy import add_shop
from tests.support.production import secrets_env
from tests.support.records import fresh_pg_database

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from channels.rasa import BotMessage  # noqa: E402
from tests.channels_fixtures import SMS_USER, WHATSAPP_USER, ScriptedRasa, twiml_messages  # noqa: E402
from tests.support.stepup import open_workday  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.postgres
PHARMACIST = "+919876511111"
PATIENT = "whatsapp:+919876522222"


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    from engine import schema

    with fresh_pg_database("saathi_phgw") as url:
        schema.upgrade(url, target="records@head")
        migrate(url)
        yield url


@pytest.fixture
def channel_settings(channel_settings, pg, monkeypatch):  # the channels' settings, on PostgreSQL
    monkeypatch.setenv("DATABASE_URL", pg)
    for variable, value in secrets_env(channel_settings).items():  # `saathi pharmacy` runs as production
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("SAATHI_QUIET_HOURS", "0-0")  # the pickup notice must not wait for the morning
    return dataclasses.replace(channel_settings, database_url=pg, quiet_hours_text="0-0")


@pytest.fixture
def notify(app, channel_settings) -> Iterator[object]:
    """The real notification service (records address book, Twilio through the gateway's sender)."""
    from engine.notify import jobs

    service = jobs.service()  # the app's gateway installed its services as this process's
    yield service
    jobs.set_service(None)


@pytest.fixture
def shop(channel_settings) -> uuid.UUID:
    service = PharmacyService(session_factory_from_settings(channel_settings))
    with service.sessions() as s:
        shop_id = add_shop(s, f"Gill Medicos {uuid.uuid4().hex[:4]}", 1,
                           [("paracetamol", "650 mg", "Dolo 650", 30, 5)])
        s.commit()
    service.sessions.kw["bind"].dispose()
    return shop_id


class ReservingRasa(ScriptedRasa):
    """The scripted bot, which answers "1" with the reservation made for it (``reserved``)."""

    reserved = None

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[BotMessage]:
        if text == "1" and self.reserved is not None:
            self.calls.append((sender, text, metadata or {}))
            view = self.reserved
            return [BotMessage(notification_text(view, "hi"), notification_key(view), "hi",
                               notification_fields(view))]
        return super().send(sender, text, metadata)


@pytest.fixture
def rasa() -> ReservingRasa:
    return ReservingRasa()


def _wait_until(condition, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def reply(hooks, sender: str, text: str) -> list[str]:
    return twiml_messages(hooks.message(sender, text).get_data(as_text=True))


def test_pharmacist_sms_commands_bypass_the_bot_and_ready_reaches_the_patient(
        hooks, rasa, standin, channel_settings, gateway, notify, shop, capsys):
    from records import RecordsService
    from saathi.cli import main

    # Linked by the CLI, typed the way people type numbers: stored as the hash of the +91 form.
    assert main(["pharmacy", "assign", str(shop), "--phone", "098765 11111", "--language", "hi"]) == 0
    assert "98765" not in capsys.readouterr().out
    service = gateway.services.pharmacy
    with service.sessions() as s:
        stored = s.get(Pharmacy, shop).sms_phone_hash
    assert stored == sender_id(PHARMACIST, channel_settings.sender_salt) and "98765" not in stored

    open_workday(hooks.message, PHARMACIST)  # SMS commands need the PIN once a day (issue #14)
    saved = reply(hooks, PHARMACIST, "STOCK PARACETAMOL 500 120")
    assert saved == [t("pharmacy_sms_stock_saved", "hi", medicine="paracetamol 500 mg", units=120)]
    assert reply(hooks, PHARMACIST, "HELP") == [t("pharmacy_sms_help", "hi")]
    assert rasa.calls == []  # Rasa never saw a command

    # A patient the bot registered (by the gateway's pseudonym only, as actions do) reserves; the
    # bot's "reserved" answer makes the gateway link the phone the pickup notice will go to.
    records = RecordsService.from_settings(channel_settings)
    patient = records.get_or_create_patient("sender", sender_id(PATIENT, channel_settings.sender_salt), "hi")
    assert records.find_user("phone", PATIENT) is None
    with service.sessions() as s:
        stock_id = s.query(StockItem).filter_by(pharmacy_id=shop, brand="Dolo 650").one().id
    view = service.reserve(shop, patient, [(stock_id, 1)], "hi")
    rasa.reserved = view
    assert reply(hooks, PATIENT, "1") == [notification_text(view, "hi")]
    _wait_until(lambda: records.find_user("phone", PATIENT) == patient)

    (ready,) = reply(hooks, PHARMACIST, f"तैयार {view.code.translate(str.maketrans('0123456789', '०१२३४५६७८९'))}")
    assert ready == t("pharmacy_sms_status_saved", "hi", code=view.code, status=t("pharmacy_label_ready", "hi"))
    assert service.get(view.id).status == "ready"
    notice = notification_text(service.get(view.id), "hi")
    _wait_until(lambda: notice in [m["Body"][0] for m in standin.sent_messages(PATIENT)])
    assert reply(hooks, PHARMACIST, f"DONE {view.code}") == [
        t("pharmacy_sms_status_saved", "hi", code=view.code, status=t("pharmacy_label_picked_up", "hi"))]
    assert service.get(view.id).status == "picked_up"
    assert reply(hooks, PHARMACIST, "READY 000000") == [t("pharmacy_sms_no_such_code", "hi", code="000000")]
    assert [c for c in rasa.calls if c[0] == sender_id(PHARMACIST, channel_settings.sender_salt)] == []

    # The pharmacist can still talk to the bot about anything else.
    reply(hooks, PHARMACIST, "mujhe bukhar hai")
    assert rasa.texts()[-1] == "mujhe bukhar hai"


def test_other_people_and_a_bare_cancel_are_handled_as_before(hooks, rasa, channel_settings, gateway, notify, shop):
    pharmacist = "+919876544444"
    service = gateway.services.pharmacy
    assert service.set_sms_phone(shop, phone_hash(pharmacist, channel_settings.sender_salt))
    assert reply(hooks, SMS_USER, "HELP") == [t("channels_sms_help", "hi")]
    calls = len(rasa.calls)
    reply(hooks, WHATSAPP_USER, "READY 123456")
    reply(hooks, SMS_USER, "स्टॉक कब आएगा")
    assert rasa.texts()[calls:] == ["READY 123456", "स्टॉक कब आएगा"]
    stopped = reply(hooks, SMS_USER, "CANCEL")
    assert stopped == [t("channels_sms_stopped", "hi")]
    assert reply(hooks, SMS_USER, "hello") == []  # opted out, as before
    # Even the pharmacist's own bare CANCEL is the opt-out word, not a command.
    assert reply(hooks, pharmacist, "CANCEL") == [t("channels_sms_stopped", "hi")]


def test_one_phone_links_to_one_pharmacy(channel_settings, gateway, notify, shop):
    service = gateway.services.pharmacy
    with service.sessions() as s:
        other = add_shop(s, "Other", 2, [])
        s.commit()
    number_hash = phone_hash("+919876533333", channel_settings.sender_salt)
    assert service.set_sms_phone(shop, number_hash)
    assert not service.set_sms_phone(other, number_hash)
    assert service.set_sms_phone(shop, None) and service.set_sms_phone(other, number_hash)


def test_link_phone_only_for_a_known_pseudonym(channel_settings, notify):
    from records import RecordsService

    records = RecordsService.from_settings(channel_settings)
    assert records.link_phone("+919876555555") is None  # nobody: nothing is created
    pid = records.get_or_create_patient("sender", sender_id("+919876555555", channel_settings.sender_salt))
    assert records.link_phone("098765 55555") == pid == records.find_user("whatsapp", "whatsapp:+919876555555")
    assert records.link_phone("+919876555555") == pid  # twice is harmless
    both = records.get_or_create_patient("whatsapp", "+919876566666")  # registered by phone: already both
    assert records.link_phone("+919876566666") == both


def test_command_words_are_recognised_cheaply():
    from engine.pharmacy.sms import looks_like_command, normalise

    assert normalise("ਤਿਆਰ ੧੨੩੪੫੬") == ["ready", "123456"]
    assert normalise("स्टॉक Dolo 650 ५०") == ["stock", "Dolo", "650", "50"]
    yes = ["STOCK PARACETAMOL 500 120", "ready 123456", "DONE 123456", "CANCEL 123456", "HELP", "ਰੱਦ 123456",
           "मदद"]
    no = ["CANCEL", "STOP", "ready", "done now please", "help me", "मदद चाहिए", "stock", "मुझे बुखार है", ""]
    assert all(looks_like_command(x) for x in yes)
    assert not any(looks_like_command(x) for x in no)
    assert re.fullmatch(r"u-[0-9a-f]{32}", phone_hash("98765 11111", "salt"))
