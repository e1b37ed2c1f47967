"""Answers in the script the person writes, end to end (issue #19 item 3): signed WhatsApp and SMS
webhooks to a live gateway in front of the real trained Rasa model and action server. A romanised
Hindi and a romanised Punjabi message get Latin letters back, a Devanagari one Devanagari; a command
switches the script; with Rasa down, the gateway's own red-flag answer follows the same rule."""

from __future__ import annotations

import re

import pytest

from channels.app import create_app
from channels.context import Gateway
from channels.rasa import RasaClient
from channels.simclient import WebhookClient
from channels.types.sms.render import is_gsm7, segments
from engine.i18n import LATIN, NATIVE, t
from engine.store import MemoryStore

pytest.register_assert_rewrite("tests.channels_fixtures")
from tests.channels_fixtures import PUBLIC_BASE, LiveGateway, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]

INDIC = re.compile(r"[\u0900-\u097f\u0a00-\u0a7f]")
DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def _client(settings, rasa) -> tuple[WebhookClient, LiveGateway]:
    gateway = Gateway.from_settings(settings, rasa=rasa, store=MemoryStore())
    server = LiveGateway(create_app(settings, gateway)).start()
    return WebhookClient(server.url, PUBLIC_BASE, settings.twilio_auth_token), server


@pytest.fixture
def live(rasa_stack, channel_settings):
    client, server = _client(channel_settings, RasaClient(rasa_stack.base_url, rasa_stack.token))
    yield client
    server.stop()


def reply(client: WebhookClient, user: str, text: str) -> str:
    return "\n".join(twiml_messages(client.message(user, text).text))


@pytest.mark.rasa
@pytest.mark.parametrize(("text", "language"), [
    ("bhai mujhe kal se pet me bahut dard hai", "hi"),
    ("mainu kal ton bukhaar hai te sir dukhda", "pa"),
])
def test_romanised_hindi_and_punjabi_get_latin_letters(live, text, language):
    user = f"whatsapp:+9198000{hash(text) % 100000:05d}"
    answer = reply(live, user, text)
    assert t("core_intake_start", language, script=LATIN) in answer, answer
    assert not INDIC.search(answer), answer
    # the next answer ("1" = me) keeps the script: a digit says nothing about it
    again = reply(live, user, "1")
    assert again and not INDIC.search(again), again


@pytest.mark.rasa
def test_devanagari_gets_devanagari_and_a_command_switches(live):
    user = "whatsapp:+919800022201"
    answer = reply(live, user, "मुझे कल से पेट में बहुत दर्द है")
    assert t("core_intake_start", "hi", script=NATIVE) in answer and DEVANAGARI.search(answer), answer
    switched = reply(live, user, "roman me likho")
    assert t("core_language_set", "hi", script=LATIN) in switched and not INDIC.search(switched), switched
    # locked: Devanagari typed after the command still gets Latin letters
    later = reply(live, user, "धन्यवाद")
    assert later and not INDIC.search(later), later
    back = reply(live, user, "हिंदी लिपि में लिखो")
    assert t("core_language_set", "hi", script=NATIVE) in back, back


@pytest.mark.rasa
def test_sms_in_latin_letters_is_gsm7(live):
    (answer,) = twiml_messages(live.message("+919800022202", "mainu 2 din ton khangh te bukhaar hai").text)
    assert is_gsm7(answer) and segments(answer) <= 2, answer


@pytest.mark.parametrize(("text", "language", "latin"), [
    ("saanp ne kaat liya", "hi", True), ("mainu sapp ne dang leya", "pa", True), ("साँप ने काट लिया", "hi", False),
])
def test_offline_red_flag_answer_follows_the_script(channel_settings, text, language, latin):
    """Rasa unreachable: the gateway's own emergency answer (108/112) in the script of the message."""
    client, server = _client(channel_settings, RasaClient("http://127.0.0.1:9", "token", timeout=2))
    try:
        answer = reply(client, f"whatsapp:+9198000{hash(text) % 100000:05d}", text)
    finally:
        server.stop()
    expected = t("core_emergency", language, script=LATIN if latin else NATIVE)
    assert answer.startswith(expected) and "108" in answer and "112" in answer, answer
    assert bool(INDIC.search(answer)) is not latin, answer
