"""ASHA identity through the real gateway: registration, SMS one-time code (stand-in Twilio), then
only a verified ASHA's command messages are handled as ASHA commands; everyone else reaches the bot."""

from __future__ import annotations

import re

import pytest

from channels import asha as hook
from channels.services import GatewayServices
from engine.i18n import t
from records import RecordsService
from tests.support.asha import Referrals, build, prepare
from tests.support.stepup import open_workday

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import SMS_USER, WHATSAPP_USER, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
ASHA_PHONE = "+919876500001"


@pytest.fixture
def service(channel_settings, gateway):
    from tests.test_asha_commands import fake_triage

    url = channel_settings.effective_database_url
    prepare(url)
    svc = build(url, RecordsService.from_settings(channel_settings), _utc_now, referrer=Referrals(),
                triage_fn=fake_triage)
    gateway.services = GatewayServices(channel_settings, asha=svc)  # the gateway's hook and jobs use it
    return svc


def _utc_now():
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


def reply(hooks, sender, text):
    return twiml_messages(hooks.message(sender, text).get_data(as_text=True))


def test_asha_verifies_by_sms_code_then_commands_bypass_the_bot(hooks, rasa, standin, channel_settings, service):
    hook.enrol(channel_settings, service, name="Paramjit Kaur", village="Dhuri", area="Dhuri-1", language="pa",
               phone=ASHA_PHONE)
    (sms,) = standin.wait_for_messages(ASHA_PHONE)
    number = re.search(r"\d{6}", sms["Body"][0]).group()
    assert sms["Body"][0] == t("asha_otp", "pa", number=number)

    reply(hooks, ASHA_PHONE, "REG Sita 25 F Dhuri")  # not verified yet: the bot answers
    assert rasa.texts()[-1] == "REG Sita 25 F Dhuri"
    assert reply(hooks, ASHA_PHONE, "VERIFY 000000") == [t("asha_verify_failed", "pa")] or number == "000000"
    assert reply(hooks, ASHA_PHONE, f"VERIFY {number}") == [t("asha_verified", "pa")]
    open_workday(hooks.message, ASHA_PHONE)  # SMS commands: her PIN once a day (tests/test_stepup_gateway.py)

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
    from engine.handoff.reminders import ThreadScheduler
    from engine.notify import NotifyService, migrate
    from engine.notify.addresses import RecordsAddressBook, RecordsSealer
    from engine.notify.jobs import set_service
    from engine.notify.twilio import TwilioTransport
    from records.db import make_engine, make_session_factory
    from tests.support.asha import verified_worker

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
        worker_hash = __import__("records.identity", fromlist=["sender_id"]).sender_id(
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


def test_done_means_scenario_over_signed_sms(hooks, rasa, standin, channel_settings, gateway, service):
    """Issue #9's "Done means", through signed Twilio SMS webhooks and without Rasa: a verified ASHA
    registers two people in Punjabi, reports a visit in Punjabi, sends one batch of three offline
    visits (resent once: nothing changes); a patient's 1-0-1 prescription with their own dose times
    gives medicine reminder SMS at those IST times, none in the quiet hours."""
    import datetime as dt
    import uuid
    from types import SimpleNamespace

    from sqlalchemy import func, select

    from engine.asha.models import FollowUp
    from engine.handoff.service import Handoff
    from engine.notify import NotifyService, migrate, timing
    from engine.notify.addresses import RecordsAddressBook, RecordsSealer
    from engine.notify.jobs import set_service
    from engine.notify.twilio import TwilioTransport
    from records import Actor, Purpose
    from records.db import make_engine, make_session_factory
    from records.identity import sender_id
    from tests.support.asha import Clock
    from tests.support.notify import ManualScheduler

    asha_phone, ram_phone = "+919876500021", "+919876500022"
    hook.enrol(channel_settings, service, name="Paramjit Kaur", village="Dhuri", area="Dhuri-1", language="pa", phone=asha_phone)
    number = re.search(r"\d{6}", standin.wait_for_messages(asha_phone)[0]["Body"][0]).group()
    assert reply(hooks, asha_phone, f"ਤਸਦੀਕ {number}") == [t("asha_verified", "pa")]
    open_workday(hooks.message, asha_phone)  # SMS commands: her PIN once a day (issue #14)

    (sita_reply,) = reply(hooks, asha_phone, "ਰਜਿਸਟਰ ਸੀਤਾ ਦੇਵੀ ੨੫ ਔਰਤ ਧੂਰੀ")
    (ram_reply,) = reply(hooks, asha_phone, f"ਰਜਿਸਟਰ ਰਾਮ ਲਾਲ ੬੦ ਆਦਮੀ ਧੂਰੀ {ram_phone}")
    sita, ram = (re.search(r"[A-Z]{2}\d{3}", r).group() for r in (sita_reply, ram_reply))
    assert sita_reply == t("asha_registered", "pa", name="ਸੀਤਾ ਦੇਵੀ", code=sita)
    assert ram_reply == t("asha_registered", "pa", name="ਰਾਮ ਲਾਲ", code=ram)
    (visit,) = reply(hooks, asha_phone, f"ਦੌਰਾ {sita} ਬੁਖਾਰ ਖੰਘ")
    assert visit.startswith(t("asha_visit_saved", "pa", code=sita, urgency=t("asha_urgency_urgent", "pa"),
                              date="")[:12])

    worker = service.worker(sender_id(asha_phone, channel_settings.sender_salt))
    sita_id = service._patient(worker, sita).patient_id

    def state() -> tuple[int, int, int]:
        with service.sessions() as s:
            follow = s.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.asha_id == worker.user_id))
        history = service.records.history(Actor.asha(worker.user_id), sita_id, purpose=Purpose.ASHA_CARE)
        return follow, sum(item["kind"] == "symptom_report" for item in history), len(service.referrer.calls)

    batch = f"#11 ਦੌਰਾ {sita} ਦਸਤ\n#12 ਦੌਰਾ {ram} ਖੰਘ\n#13 ਦੌਰਾ {sita} ਸਿਰ ਦਰਦ"
    before = state()
    (summary,) = reply(hooks, asha_phone, batch)
    assert summary.startswith("3/3 ਪੂਰੇ:") and f"11:{sita}" in summary and f"12:{ram}" in summary
    after = state()
    assert after[1] == before[1] + 2  # two more symptom reports for Sita
    (again,) = reply(hooks, asha_phone, batch)  # the phone resends the whole batch
    assert again.startswith("3/3 ਪੂਰੇ:") and state() == after
    assert rasa.calls == []  # none of it reached the bot

    # Ram's prescription: 1-0-1 for 2 days; he takes them at 06:30 and 21:30 (IST)
    ram_id = service._patient(worker, ram).patient_id
    clock = Clock()  # 26/11/2026 10:00 IST
    notify = NotifyService(make_session_factory(make_engine(channel_settings.effective_database_url)),
                           RecordsAddressBook(service.records, channel_settings.sender_salt),
                           TwilioTransport(gateway.sender), gateway.store, ManualScheduler(), clock=clock,
                           quiet_hours=(22, 7), sealer=RecordsSealer(service.records))
    migrate(channel_settings.effective_database_url, service.records)
    set_service(notify)
    try:
        notify.set_dose_times(ram_id, {"morning": dt.time(6, 30), "night": dt.time(21, 30)})
        Handoff._medicine_reminders(SimpleNamespace(now=clock), ram_id,
                                    [{"frequency": "1-0-1", "duration_days": 2}], uuid.uuid4())

        def ist(day: int, hour: int, minute: int = 0) -> dt.datetime:
            return dt.datetime(2026, 11, day, hour, minute, tzinfo=timing.IST).astimezone(dt.timezone.utc)

        # today 06:30 is past; 06:30 tomorrow falls in the quiet hours: 07:00
        assert [j[0] for j in notify.scheduler.jobs] == [ist(26, 21, 30), ist(27, 7), ist(27, 21, 30)]
        for moment, expected in ((ist(26, 21, 29), 0), (ist(26, 21, 30), 1), (ist(27, 6, 59), 1), (ist(27, 7), 2)):
            clock.now = moment
            notify.scheduler.run_due(moment)
            assert len(standin.sent_messages(ram_phone)) == expected, moment
        bodies = [m["Body"][0] for m in standin.wait_for_messages(ram_phone, count=2)]
        assert bodies == [t("asha_notify_medicine", "pa", "sms", time="21:30"),
                          t("asha_notify_medicine", "pa", "sms", time="06:30")]
    finally:
        set_service(None)
