"""ASHA identity through the real gateway: registration, SMS one-time code (stand-in Twilio), then
only a verified ASHA's command messages are handled as ASHA commands; everyone else reaches the bot."""

from __future__ import annotations

import re

import pytest

from channels import asha as hook
from engine.asha.testing import Referrals, build, prepare
from engine.i18n import t
from records import RecordsService

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import SMS_USER, WHATSAPP_USER, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
ASHA_PHONE = "+919876500001"


@pytest.fixture
def service(channel_settings):
    from tests.test_asha_commands import fake_triage

    url = channel_settings.effective_database_url
    prepare(url)
    svc = build(url, RecordsService.from_settings(channel_settings), _utc_now, referrer=Referrals(),
                triage_fn=fake_triage)
    hook.set_service(channel_settings, svc)
    yield svc
    hook.set_service(channel_settings, None)


def _utc_now():
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


def reply(hooks, sender, text):
    return twiml_messages(hooks.message(sender, text).get_data(as_text=True))


def test_asha_verifies_by_sms_code_then_commands_bypass_the_bot(hooks, rasa, standin, channel_settings, service):
    hook.enrol(channel_settings, name="Paramjit Kaur", village="Dhuri", area="Dhuri-1", language="pa",
               phone=ASHA_PHONE)
    (sms,) = standin.wait_for_messages(ASHA_PHONE)
    number = re.search(r"\d{6}", sms["Body"][0]).group()
    assert sms["Body"][0] == t("asha_otp", "pa", number=number)

    reply(hooks, ASHA_PHONE, "REG Sita 25 F Dhuri")  # not verified yet: the bot answers
    assert rasa.texts()[-1] == "REG Sita 25 F Dhuri"
    assert reply(hooks, ASHA_PHONE, "VERIFY 000000") == [t("asha_verify_failed", "pa")] or number == "000000"
    assert reply(hooks, ASHA_PHONE, f"VERIFY {number}") == [t("asha_verified", "pa")]

    calls = len(rasa.calls)
    (registered,) = reply(hooks, ASHA_PHONE, "ਰਜਿਸਟਰ ਸੀਤਾ ੨੫ ਔਰਤ ਧੂਰੀ")
    code = re.search(r"[A-Z]{2}\d{3}", registered).group()
    assert registered == t("asha_registered", "pa", name="ਸੀਤਾ", code=code)
    (batch,) = reply(hooks, ASHA_PHONE, f"#1 VISIT {code} bukhar\n#2 LIST")
    assert batch.startswith("2/2") and len(rasa.calls) == calls  # Rasa never saw the commands

    reply(hooks, ASHA_PHONE, "mujhe bukhar hai")  # not a command: she can still talk to the bot
    assert rasa.texts()[-1] == "mujhe bukhar hai"


def test_other_people_with_command_words_reach_the_bot(hooks, rasa, service):
    reply(hooks, WHATSAPP_USER, "LIST")
    reply(hooks, SMS_USER, "VISIT AB123 fever")
    assert rasa.texts()[-2:] == ["LIST", "VISIT AB123 fever"]


def test_cli_registers_and_resends_a_code(channel_settings, standin, service, capsys):
    from saathi.cli import main

    assert main(["asha", "register", "--name", "Asha Devi", "--village", "Sangrur", "--area", "Sangrur-2",
                 "--phone", "+919876500002", "--language", "hi"]) == 0
    assert "+91" not in capsys.readouterr().out
    assert main(["asha", "send-code", "--phone", "+919876500002"]) == 0
    bodies = [m["Body"][0] for m in standin.wait_for_messages("+919876500002", count=2)]
    assert len(bodies) == 2 and all("सत्यापन" in b for b in bodies)


def test_emergency_of_a_patient_reaches_their_asha_and_their_villages_asha(hooks, standin, channel_settings,
                                                                          gateway, service):
    from engine.asha.testing import verified_worker
    from engine.handoff.reminders import ThreadScheduler
    from engine.notify import NotifyService, migrate
    from engine.notify.addresses import RecordsAddressBook, RecordsSealer
    from engine.notify.jobs import set_service
    from engine.notify.twilio import TwilioTransport
    from records.db import make_engine, make_session_factory

    url = channel_settings.effective_database_url
    migrate(url)
    notify = NotifyService(make_session_factory(make_engine(url)),
                           RecordsAddressBook(service.records, channel_settings.sender_salt),
                           TwilioTransport(gateway.sender), gateway.store, ThreadScheduler(), quiet_hours=(0, 0),
                           sealer=RecordsSealer(service.records))
    set_service(notify)
    try:
        hers, other, village = "+919876500011", "+919876500012", "+919876500013"
        worker = verified_worker(service, hers, language="hi", village="Sangrur")  # registers a Dhuri patient
        verified_worker(service, other, language="hi", village="Barnala")
        verified_worker(service, village, language="pa", village="Kanjhla", serves=["Kanjhla", "dhuri"])
        code = re.search(r"[A-Z]{2}\d{3}", service.handle(worker, f"REG Sita 25 F Dhuri {SMS_USER}")).group()
        standin.reset()
        assert reply(hooks, SMS_USER, "I have chest pain")[0].startswith(t("core_emergency", "en", variant="sms")[:20])
        (alert,) = standin.wait_for_messages(hers)
        assert alert["Body"][0] == t("asha_notify_emergency", "hi", "sms", code=code)
        (area,) = standin.wait_for_messages(village)
        assert area["Body"][0] == t("asha_notify_emergency_area", "pa", "sms", code=code, village="Dhuri")
        assert standin.sent_messages(other) == []
    finally:
        set_service(None)


def test_cli_daily_summary_reaches_the_asha_by_sms(channel_settings, standin, service, monkeypatch, capsys):
    import datetime as dt

    from engine.notify.jobs import set_service
    from saathi.cli import main

    monkeypatch.setenv("SAATHI_QUIET_HOURS", "0-0")
    set_service(None)  # built from the settings, like in production
    try:
        main(["asha", "register", "--name", "Asha Devi", "--village", "Dhuri", "--area", "Dhuri-2",
              "--phone", "+919876500003", "--language", "en"])
        (otp,) = standin.wait_for_messages("+919876500003")
        worker_hash = __import__("channels.identity", fromlist=["sender_id"]).sender_id(
            "+919876500003", channel_settings.sender_salt)
        assert service.verify(worker_hash, re.search(r"\d{6}", otp["Body"][0]).group())
        worker = service.worker(worker_hash)
        code = re.search(r"[A-Z]{2}\d{3}", service.handle(worker, "REG Baby 1 months F Dhuri")).group()
        born = (dt.date.today() - dt.timedelta(days=10)).strftime("%d/%m/%Y")
        service.handle(worker, f"CHILD {code} {born}")
        yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        assert main(["asha", "daily", "--date", yesterday]) == 0
        assert "1 sent now" in capsys.readouterr().out
        summary = standin.wait_for_messages("+919876500003", count=2)[-1]["Body"][0]
        assert summary.startswith("Good morning! 1 follow-ups today:") and code in summary
    finally:
        set_service(None)
