"""Step-up identity through the real gateway (issue #14 finding 5): signed SMS, WhatsApp and voice
webhooks; Twilio is the stand-in, the bot a scripted Rasa that answers record questions the way the
record actions do (tests/test_live_stepup.py runs the same through real Rasa and the actions).

A spoofed SMS sender asking for records gets the code prompt and the code goes to the number's
WhatsApp; the right code opens, five wrong ones lock; a PIN set over WhatsApp opens too; a caller
without caller ID gets a pseudonym of the call and the gateway tells the bot so; an ASHA's SMS
command waits for her PIN once a day."""

from __future__ import annotations

import re

import pytest

from channels import asha as hook
from channels.rasa import BotMessage, parse_reply
from channels.services import GatewayServices
from engine import schema
from engine.i18n import t
from engine.stepup import MAX_TRIES
from records import RecordsService
from records.identity import sender_id
from tests.support.asha import Referrals, build, prepare

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import SMS_USER, ScriptedRasa, _reply, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
ASHA_PHONE = "+919876500041"


class RecordsRasa(ScriptedRasa):
    """"my records" answered as actions.health_record does: records only for a verified sender."""

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[BotMessage]:
        if text != "my records":
            return super().send(sender, text, metadata)
        self.calls.append((sender, text, metadata or {}))
        identity = (metadata or {}).get("identity")
        if metadata.get("channel") == "whatsapp" or identity == "verified":
            return parse_reply(_reply("core_records_empty", "en"))
        return parse_reply(_reply("stepup_withheld_caller" if identity == "withheld" else "stepup_needed", "en"))


@pytest.fixture
def rasa() -> RecordsRasa:
    return RecordsRasa()


@pytest.fixture
def records_db(channel_settings):
    schema.upgrade(channel_settings.effective_database_url, target="records@head")


def sms(hooks, sender: str, text: str) -> list[str]:
    return twiml_messages(hooks.message(sender, text).get_data(as_text=True))


def code_sent_to(standin, number: str, count: int = 1) -> str:
    body = standin.wait_for_messages(f"whatsapp:{number}", count)[-1]["Body"][0]
    return re.search(r"\d{6}", body).group()


def test_spoofed_sms_gets_the_code_prompt_and_the_right_code_opens(hooks, rasa, standin, records_db):
    assert sms(hooks, SMS_USER, "my records") == [t("stepup_needed", "en")]
    assert rasa.calls[-1][2]["identity"] == "caller_id"
    code = code_sent_to(standin, SMS_USER)
    assert standin.sent_messages(f"whatsapp:{SMS_USER}")[0]["Body"][0] == t(
        "stepup_code_whatsapp", "en", code=code, minutes="10")
    wrong = "000000" if code != "000000" else "111111"
    assert sms(hooks, SMS_USER, wrong) == [t("stepup_wrong", "en", left=str(MAX_TRIES - 1))]
    assert sms(hooks, SMS_USER, code) == [t("core_records_empty", "en")]
    sender, text, metadata = rasa.calls[-1]
    assert text == "my records" and metadata["identity"] == "verified"  # asked again, now verified
    assert code not in rasa.texts()  # the bot never saw the code
    assert sms(hooks, SMS_USER, "my records") == [t("core_records_empty", "en")]  # open for a while
    assert len(standin.sent_messages(f"whatsapp:{SMS_USER}")) == 1


def test_five_wrong_codes_lock_even_the_right_one(hooks, rasa, standin, records_db):
    number = "+919812300077"
    sms(hooks, number, "my records")
    code = code_sent_to(standin, number)
    wrong = "000000" if code != "000000" else "111111"
    answers = [sms(hooks, number, wrong) for _ in range(MAX_TRIES)]
    assert answers[-2] == [t("stepup_wrong", "en", left="1")]
    assert answers[-1] == [t("stepup_locked", "en", minutes="30")]
    assert sms(hooks, number, code) == [t("stepup_locked", "en", minutes="30")]
    assert sms(hooks, number, "my records") == [t("stepup_locked", "en", minutes="30")]
    assert len(standin.sent_messages(f"whatsapp:{number}")) == 1  # no new code while locked
    assert all(m["identity"] != "verified" for _, _, m in rasa.calls)


def test_a_pin_set_over_whatsapp_opens_records_over_sms(hooks, rasa, standin, records_db):
    number = "+919812300078"
    assert sms(hooks, number, "SET PIN 5937") == [t("stepup_pin_only_whatsapp", "hi")]
    assert sms(hooks, f"whatsapp:{number}", "SET PIN 1234") == [t("stepup_pin_invalid", "hi")]
    assert sms(hooks, f"whatsapp:{number}", "SET PIN 5937") == [t("stepup_pin_set", "hi")]
    assert rasa.calls == []  # PINs never reach the bot
    assert sms(hooks, number, "my records") == [t("stepup_needed", "en")]
    assert sms(hooks, number, "PIN 5937") == [t("core_records_empty", "en")]
    assert sms(hooks, f"whatsapp:{number}", "my records") == [t("core_records_empty", "en")]  # no step-up


def test_withheld_caller_ids_get_a_pseudonym_of_the_call_and_no_record(hooks, rasa, standin, records_db):
    senders = []
    for call, caller in (("CAanon1", "anonymous"), ("CAanon2", "anonymous"), ("CAanon3", "+266696687"),
                         ("CAanon4", "")):
        hooks.call_step("incoming", call, caller)
        hooks.call_step("language", call, caller, Digits="3")
        spoken = hooks.call_step("turn", call, caller, SpeechResult="my records", Confidence="0.95")
        sender, text, metadata = rasa.calls[-1]
        assert text == "my records" and metadata["identity"] == "withheld" and sender.startswith("c-")
        assert t("stepup_withheld_caller", "en") in spoken.get_data(as_text=True)
        senders.append(sender)
    assert len(set(senders)) == 4  # never one pseudonym shared by every hidden caller
    assert standin.sent_messages() == []  # and no code to anybody


def test_a_caller_keys_the_whatsapp_code_to_open_the_record(hooks, rasa, standin, records_db):
    number, call = "+919812300079", "CAcode1"
    hooks.call_step("incoming", call, number)
    hooks.call_step("language", call, number, Digits="3")
    asked = hooks.call_step("turn", call, number, SpeechResult="my records", Confidence="0.95").get_data(as_text=True)
    assert t("stepup_needed", "en", variant="voice") in asked and 'finishOnKey="#"' in asked
    code = code_sent_to(standin, number)
    opened = hooks.call_step("turn", call, number, Digits=code).get_data(as_text=True)
    assert t("core_records_empty", "en") in opened
    assert rasa.calls[-1][1:] == ("my records", {"channel": "voice", "identity": "verified"})


@pytest.fixture
def asha(channel_settings, gateway):
    url = channel_settings.effective_database_url
    prepare(url)
    svc = build(url, RecordsService.from_settings(channel_settings), _utc_now, referrer=Referrals())
    gateway.services = GatewayServices(channel_settings, asha=svc)  # the gateway's hook uses it
    return svc


def _utc_now():
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


def test_asha_sms_command_waits_for_her_pin_once_a_day(hooks, rasa, standin, channel_settings, gateway, asha):
    hook.enrol(channel_settings, asha, name="Paramjit Kaur", village="Dhuri", area="Dhuri-1", language="pa",
               phone=ASHA_PHONE)
    number = re.search(r"\d{6}", standin.wait_for_messages(ASHA_PHONE)[0]["Body"][0]).group()
    assert sms(hooks, ASHA_PHONE, f"VERIFY {number}") == [t("asha_verified", "pa")]  # no PIN for this

    # without the PIN: refused (held, not done), and a spoofer cannot set one by SMS
    assert sms(hooks, ASHA_PHONE, "ਰਜਿਸਟਰ ਸੀਤਾ ੨੫ ਔਰਤ ਧੂਰੀ") == [t("stepup_worker_pin_needed", "pa")]
    assert sms(hooks, ASHA_PHONE, "SET PIN 4821")[0] == t("stepup_pin_only_whatsapp", "hi")
    assert sms(hooks, ASHA_PHONE, "PIN 4821") == [t("stepup_wrong", "pa", left=str(MAX_TRIES - 1))]  # none set yet
    assert rasa.calls == []

    assert sms(hooks, f"whatsapp:{ASHA_PHONE}", "SET PIN 4821") == [t("stepup_pin_set", "hi")]
    (done,) = sms(hooks, ASHA_PHONE, "PIN 4821")  # the held command is done now
    code = re.search(r"[A-Z]{2}\d{3}", done).group()
    assert done == "\n".join((t("stepup_worker_unlocked", "pa"), t("asha_registered", "pa", name="ਸੀਤਾ", code=code)))

    (listed,) = sms(hooks, ASHA_PHONE, "LIST")  # the rest of the day: no PIN
    sender = sender_id(ASHA_PHONE, channel_settings.sender_salt)
    assert listed == hook.asha_reply(gateway.services, sender, "LIST") != t("stepup_worker_pin_needed", "pa")
    assert rasa.calls == []
