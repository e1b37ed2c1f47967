"""Step-up identity end to end (issue #14 finding 5): signed SMS and voice webhooks into the real
gateway, real Rasa (two workers, PostgreSQL tracker store) and the real record actions on a
PostgreSQL records database (``tests/support/live.py``); Twilio is the stand-in.

The number's owner keeps a check over WhatsApp; someone spoofing that number by SMS asks for
"my records" and gets the code prompt, not the records (the code goes to the owner's WhatsApp);
the right code opens them; five wrong codes lock; a caller without caller ID gets no record."""

from __future__ import annotations

import re

import pytest

from engine.i18n import t
from engine.stepup import MAX_TRIES
from tests.support.live import LiveStack, live_stack
from tests.test_live_records import SCRIPT, intake, starts

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = [pytest.mark.rasa, pytest.mark.postgres]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, standin):
    with live_stack(tmp_path_factory.mktemp("live-stepup"), standin) as live:
        yield live


def sms(stack: LiveStack, number: str, text: str) -> str:
    return stack.say(number, text)  # a bare number: the Messaging webhook of an SMS


def code_sent_to(standin, number: str) -> str:
    body = standin.wait_for_messages(f"whatsapp:{number}")[-1]["Body"][0]
    return re.search(r"\d{6}", body).group()


def test_spoofed_sms_gets_the_code_prompt_and_only_the_code_opens_the_records(stack: LiveStack, standin):
    address = stack.new_address()
    number = address.removeprefix("whatsapp:")
    intake(stack, address, "hi")  # the owner keeps a check over WhatsApp (no step-up there)
    assert starts(stack.say(address, SCRIPT["hi"][1]), "core_records_header", "hi")

    prompt = sms(stack, number, SCRIPT["hi"][1])  # "मेरे रिकॉर्ड दिखाओ" from the same number, by SMS
    assert prompt == t("stepup_needed", "hi") and "→" not in prompt
    code = code_sent_to(standin, number)
    wrong = "000000" if code != "000000" else "111111"
    assert sms(stack, number, wrong) == t("stepup_wrong", "hi", left=str(MAX_TRIES - 1))
    records = sms(stack, number, code)
    assert starts(records, "core_records_header", "hi") and records.count("→") == 1, records


def test_five_wrong_codes_lock_and_deletion_is_refused_too(stack: LiveStack, standin):
    number = stack.new_address().removeprefix("whatsapp:")
    assert sms(stack, number, SCRIPT["hi"][2]) == t("stepup_needed", "hi")  # "delete my data"
    code = code_sent_to(standin, number)
    wrong = "000000" if code != "000000" else "111111"
    answers = [sms(stack, number, wrong) for _ in range(MAX_TRIES)]
    assert answers[-1] == t("stepup_locked", "hi", minutes="30")
    assert sms(stack, number, code) == t("stepup_locked", "hi", minutes="30")
    assert sms(stack, number, SCRIPT["hi"][1]) == t("stepup_locked", "hi", minutes="30")
    assert len(standin.sent_messages(f"whatsapp:{number}")) == 1


def test_anonymous_caller_gets_no_record_access(stack: LiveStack, standin):
    call = "CAliveanon1"
    stack.hooks.call_step("incoming", call, "anonymous")
    stack.hooks.call_step("language", call, "anonymous", Digits="1")
    spoken = stack.hooks.call_step("turn", call, "anonymous", SpeechResult=SCRIPT["hi"][1], Confidence="0.95").text
    assert t("stepup_withheld_caller", "hi") in spoken
    assert not twiml_messages(spoken)  # a call: spoken, no messages
    assert not [m for m in standin.sent_messages() if m["To"][0].startswith("whatsapp:anonymous")]
