"""End to end through the real Rasa stack: signed webhooks over HTTP to a live gateway."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from channels.app import create_app
from channels.context import Gateway
from channels.rasa import RasaClient
from channels.simclient import WebhookClient
from channels.types.sms.render import segments
from engine.i18n import LATIN, catalogue, t
from engine.store import MemoryStore

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, LiveGateway, twiml_media, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.rasa

QUESTION_KEYS = [k for k in catalogue() if k.startswith("core_ask_") or k == "core_intake_start"]


@pytest.fixture
def live(rasa_stack, channel_settings):
    gateway = Gateway.from_settings(channel_settings, rasa=RasaClient(rasa_stack.base_url, rasa_stack.token), store=MemoryStore())
    server = LiveGateway(create_app(channel_settings, gateway)).start()
    yield WebhookClient(server.url, PUBLIC_BASE, channel_settings.twilio_auth_token)
    server.stop()


def test_the_supervised_gateway_service_is_up(rasa_stack):
    from config.settings import load

    settings = load()
    assert requests.get(f"http://{settings.host}:{settings.gateway_port}/health", timeout=5).json() == {"status": "ok"}


def test_whatsapp_conversation_reaches_a_question_in_hindi(live):
    user = "whatsapp:+919800011122"
    greeting = live.message(user, "नमस्ते").text
    texts = twiml_messages(greeting)
    assert texts[0].startswith(t("core_greet", "hi")) and "1 🤒 बुखार" in texts[-1]
    assert twiml_media(greeting) == [f"{PUBLIC_BASE}/media/cards/symptoms-hi.png"]
    reply = "\n".join(twiml_messages(live.message(user, "मुझे बुखार और खांसी है").text))
    asked = [k for k in QUESTION_KEYS if t(k, "hi").split("?")[0] in reply]
    assert asked, reply
    # Answering with a picture number works too, in Punjabi, after the menu was shown.
    other = "whatsapp:+919800011123"
    live.message(other, "ਸਤ ਸ੍ਰੀ ਅਕਾਲ")
    picked = "\n".join(twiml_messages(live.message(other, "1").text))
    assert any(t(k, "pa").split("?")[0] in picked for k in QUESTION_KEYS), picked


def test_sms_turns_fit_two_segments(live):
    user = "+919800011124"
    for text in ("hello", "I have fever and cough", "1"):
        (reply,) = twiml_messages(live.message(user, text).text)
        assert segments(reply) <= 2, reply


def test_ivr_turn_in_hindi_through_rasa(live):
    sid, caller = "CAe2e", "+919800011125"
    live.call_step("language", sid, caller, Digits="1")
    root = ET.fromstring(live.call_step("turn", sid, caller, SpeechResult="मुझे बुखार है", Confidence="0.9").text)
    spoken = " ".join((s.text or "") for s in root.iter("Say"))
    assert root.find("Gather").get("language") == "hi-IN"
    assert any(t(k, "hi").split("?")[0][:20] in spoken for k in QUESTION_KEYS), spoken


def test_a_message_only_the_safety_net_flags_gets_108_on_every_channel(live):
    """Whatever intent DIET guesses for it (nlu_fallback included), the RedFlagDetector runs last in the
    pipeline and turns a safety-net flag into ``emergency``: WhatsApp, SMS and a call all say 108."""
    from tests.support.red_flags import net_only

    text = net_only()
    whatsapp = "\n".join(twiml_messages(live.message("whatsapp:+919800011126", text).text))
    assert t("core_emergency", "hi", script=LATIN) in whatsapp, whatsapp
    (sms,) = twiml_messages(live.message("+919800011127", text).text)
    assert "108" in sms, sms
    sid, caller = "CAe2enet", "+919800011128"
    live.call_step("language", sid, caller, Digits="1")
    root = ET.fromstring(live.call_step("turn", sid, caller, SpeechResult=text, Confidence="0.9").text)
    spoken = " ".join((s.text or "") for s in root.iter("Say"))
    assert "108" in spoken, spoken
