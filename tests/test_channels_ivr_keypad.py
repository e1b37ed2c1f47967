"""A whole intake by keypad alone, through the real Rasa stack, in each language (issue #19 item 2).

Signed Twilio voice webhooks go into the gateway; the caller never speaks. The test answers each
question it hears by its catalogue text (symptom group 1 = fever, "me", age 45#, male, 3# days,
moderate, no reading, no to follow-ups and records) and checks that the age Rasa holds is 45, not
4, and that the answer is an adult's triage.
"""

from __future__ import annotations

import random
import string
import xml.etree.ElementTree as ET

import pytest
import requests

from channels.app import create_app
from channels.context import Gateway
from channels.rasa import RasaClient
from channels.types.voice.render import GATHER_LANGUAGE
from engine.i18n import catalogue, t
from engine.speech.tts import speakable
from engine.store import MemoryStore
from records.identity import sender_id

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, FlaskWebhooks  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.rasa

MENU_KEY = {"hi": "1", "pa": "2", "en": "3"}
#: The key pressed for each question (the number read back is confirmed with 1).
ANSWERS = {
    "channels_ivr_number_confirm": "1", "core_ask_patient": "1", "core_ask_age": "45", "core_reprompt_age": "45",
    "core_ask_sex": "1", "core_ask_pregnant": "2", "core_ask_duration_days": "3", "core_reprompt_duration": "3",
    "core_ask_severity": "2", "core_ask_reading": "2", "core_ask_followup": "2", "core_ask_records_consent": "2",
    "core_ask_symptom_text": "1", "channels_ivr_welcome": "1",
}
TRIAGE_KEYS = ("core_urgency_emergency", "core_urgency_urgent", "core_urgency_routine")


def _chunks(key: str, language: str) -> list[str]:
    """The fixed parts of a catalogue sentence as spoken (between its {fields})."""
    parts = [literal for literal, *_ in string.Formatter().parse(catalogue()[key][language])]
    return [c for c in (speakable(p).strip(" ?.।") for p in parts) if len(c) > 3]


def _heard(spoken: str, language: str, keys) -> str | None:
    for key in keys:
        chunks = _chunks(key, language)
        if chunks and all(c in spoken for c in chunks):
            return key
    return None


@pytest.fixture
def phone(rasa_stack, channel_settings):
    gateway = Gateway.from_settings(channel_settings, rasa=RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=180),
                                    store=MemoryStore())
    app = create_app(channel_settings, gateway)
    return FlaskWebhooks(app.test_client(), PUBLIC_BASE, channel_settings.twilio_auth_token), channel_settings


@pytest.mark.timeout(600)
@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_an_intake_by_keypad_alone_gives_an_adult_triage_for_45_hash(phone, rasa_stack, language):
    hooks, settings = phone
    caller, sid = f"+9198{random.randrange(10**8):08d}", f"CAkeypad{language}{random.randrange(10**6)}"

    def post(url: str, **params: str) -> ET.Element:
        path = url.removeprefix(PUBLIC_BASE)
        response = hooks.post(path, {"CallSid": sid, "From": caller, "To": "+911234567890", **params})
        assert response.status_code == 200, response.get_data(as_text=True)
        return ET.fromstring(response.get_data(as_text=True))

    root = post("/voice/incoming")
    root = post(root.find("Gather").get("action"), Digits=MENU_KEY[language])
    transcript: list[tuple[str, str]] = []
    heard: list[str] = []
    for _ in range(30):
        spoken = " ".join((s.text or "").strip() for s in root.iter("Say"))
        if _heard(spoken, language, TRIAGE_KEYS):
            break
        gather = root.findall("Gather")[-1]
        key = _heard(spoken, language, ANSWERS)
        assert key, f"no answer for: {spoken}\nafter {transcript}"
        if key in ("core_ask_age", "core_ask_duration_days", "core_ask_reading"):
            # several digits ended by # (Twilio posts them without the #), never numDigits=1
            assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None, key
        if gather.get("input") != "dtmf":
            assert gather.get("language") == GATHER_LANGUAGE[language]
        transcript.append((key, ANSWERS[key]))
        heard.append(spoken)
        root = post(gather.get("action"), Digits=ANSWERS[key])
    else:
        pytest.fail(f"no triage after {transcript}")

    assert ("core_ask_age", "45") in transcript and ("channels_ivr_number_confirm", "1") in transcript
    readback = speakable(t("channels_ivr_number_confirm", language, number="45"))
    assert any(readback in s for s in heard)  # read back as 45 before it counted
    tracker = requests.get(f"{rasa_stack.base_url}/conversations/{sender_id(caller, settings.sender_salt)}/tracker",
                           params={"token": rasa_stack.token}, timeout=30).json()
    assert tracker["slots"]["age"] == 45.0
    spoken = " ".join((s.text or "") for s in root.iter("Say"))
    assert _heard(spoken, language, TRIAGE_KEYS)
    assert speakable(t("core_specialist_pediatrician", language)) not in spoken  # an adult's answer
