"""The phone IVR, asserted on the TwiML it returns (parsed as XML)."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest

from engine.i18n import t
from engine.speech.tts import speakable

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]

CALLER = "+919812345670"


class Call:
    def __init__(self, hooks, sid: str = "CAtest1") -> None:
        self.hooks, self.sid = hooks, sid

    def step(self, step: str, **params: str) -> ET.Element:
        """POST to /voice/<step>, or to a full URL the previous TwiML pointed at."""
        path = step.removeprefix(PUBLIC_BASE) if step.startswith(PUBLIC_BASE) else f"/voice/{step}"
        form = {"CallSid": self.sid, "From": CALLER, "To": "+911234567890", **params}
        response = self.hooks.post(path, form)
        assert response.status_code == 200, response.get_data(as_text=True)
        return ET.fromstring(response.get_data(as_text=True))


def _says(element: ET.Element) -> list[tuple[str, str]]:
    return [(s.get("language"), (s.text or "").strip()) for s in element.iter("Say")]


def test_language_menu_by_keypad(hooks):
    root = Call(hooks).step("incoming")
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("numDigits") == "1"
    assert gather.get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/language"
    assert _says(gather) == [("hi-IN", t("channels_ivr_choose_language", "hi")),
                             ("pa-IN", t("channels_ivr_choose_language", "pa")),
                             ("en-IN", t("channels_ivr_choose_language", "en"))]
    assert root.find("Redirect").text.split("?")[0] == f"{PUBLIC_BASE}/voice/language"


def test_choosing_punjabi_gathers_speech_in_punjabi(hooks, rasa):
    call = Call(hooks)
    call.step("incoming")
    root = call.step("language", Digits="2")
    gather = root.find("Gather")
    assert gather.get("input") == "speech dtmf" and gather.get("language") == "pa-IN"
    assert gather.get("speechTimeout") == "auto" and gather.get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/turn"
    assert _says(gather) == [("pa-IN", speakable(t("channels_ivr_welcome", "pa")))]
    assert gather.find("Say").get("voice") == "Google.pa-IN-Standard-A"
    assert root.find("Redirect").text.split("?")[0] == f"{PUBLIC_BASE}/voice/silence"
    assert rasa.texts() == ["ਪੰਜਾਬੀ ਵਿੱਚ ਗੱਲ ਕਰੋ"]  # the language is locked in the conversation too


def test_confident_speech_goes_to_the_bot_unsure_speech_is_confirmed_first(hooks, rasa):
    call = Call(hooks)
    call.step("language", Digits="1")
    root = call.step("turn", SpeechResult="मुझे बुखार है", Confidence="0.93")
    assert rasa.texts()[-1] == "मुझे बुखार है"
    assert _says(root.find("Gather"))[0] == ("hi-IN", speakable(t("core_ask_patient", "hi")))
    unsure = call.step("turn", SpeechResult="मुझे खांसी है", Confidence="0.41")
    gather = unsure.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/confirm"
    assert _says(gather) == [("hi-IN", t("channels_ivr_confirm", "hi", text="मुझे खांसी है"))]
    assert rasa.texts()[-1] == "मुझे बुखार है"  # not yet
    call.step("confirm", Digits="1")
    assert rasa.texts()[-1] == "मुझे खांसी है"


def test_keypad_shortcuts_doctor_repeat_and_language(hooks, rasa):
    call = Call(hooks)
    call.step("language", Digits="3")
    first = call.step("turn", Digits="2")
    assert rasa.texts()[-1] == "2"  # other digits answer the bot's numbered menus
    call.step("turn", Digits="9")
    assert rasa.texts()[-1] == "I want to talk to a doctor"
    calls = len(rasa.calls)
    repeat = call.step("turn", Digits="0")
    assert len(rasa.calls) == calls and _says(repeat) == _says(first)
    menu = call.step("turn", Digits="*")
    assert menu.find("Gather").get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/language"


def test_emergency_is_spoken_at_once_and_connects_on_1(hooks, channel_settings):
    call = Call(hooks)
    call.step("language", Digits="1")
    root = call.step("turn", SpeechResult="मेरे सीने में दर्द है", Confidence="0.9")
    says = _says(root)
    assert says[0] == ("hi-IN", speakable(t("core_emergency", "hi")))  # first thing said
    offer = root.find("Gather")
    assert offer.get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/emergency"
    assert _says(offer) == [("hi-IN", t("channels_ivr_emergency_connect", "hi", number="108"))]
    dial = call.step("emergency", Digits="1")
    assert dial.find("Dial").text == channel_settings.emergency_number == "108"
    assert _says(dial) == [("hi-IN", t("channels_ivr_connecting", "hi", number="108"))]


def test_silence_reprompts_with_a_recording_then_ends_politely(hooks):
    call = Call(hooks)
    language = call.step("language", Digits="3")
    first = call.step(language.find("Redirect").text)
    record = first.find("Record")
    assert record is not None and record.get("action").startswith(f"{PUBLIC_BASE}/voice/recording?s=")
    assert _says(first) == [("en-IN", t("channels_ivr_reprompt", "en"))]
    second = call.step(first.find("Redirect").text)
    assert _says(second) == [("en-IN", t("channels_ivr_goodbye", "en"))] and second.find("Hangup") is not None


def test_a_retried_step_gets_the_same_twiml_and_is_processed_once(hooks, rasa):
    call = Call(hooks, "CAretry")
    call.step("language", Digits="1")
    first = call.hooks.call_step("turn", "CAretry", CALLER, SpeechResult="बुखार", Confidence="0.9")
    again = call.hooks.call_step("turn", "CAretry", CALLER, SpeechResult="बुखार", Confidence="0.9")
    assert first.get_data() == again.get_data()
    assert rasa.texts().count("बुखार") == 1


def test_recording_fallback_goes_through_our_speech_engine(hooks, rasa, standin, tmp_path, channel_settings):
    from engine.speech.models import install_whisper_base

    install_whisper_base(channel_settings.effective_whisper_model_dir)
    wav = tmp_path / "rec.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), "I have a bad cough"], check=True)
    url = standin.add_media("RE1.wav", wav.read_bytes(), "audio/wav")
    call = Call(hooks, "CArec")
    call.step("language", Digits="3")
    root = call.step("recording", RecordingUrl=url, RecordingDuration="2", RecordingSid="RE1")
    (said,) = _says(root)
    assert said[1].startswith("I understood") and "cough" in said[1].lower()
    call.step("confirm", Digits="1")
    assert "cough" in rasa.texts()[-1].lower()


def test_play_mode_speaks_our_own_audio(hooks, app, monkeypatch):
    from dataclasses import replace

    gateway = app.config["GATEWAY"]
    monkeypatch.setattr(gateway, "settings", replace(gateway.settings, ivr_speech="play"))
    root = Call(hooks, "CAplay").step("language", Digits="1")
    (play,) = list(root.iter("Play"))
    assert play.text.startswith(f"{PUBLIC_BASE}/media/tts/") and play.text.endswith(".mp3")
    audio = app.test_client().get(play.text.removeprefix(PUBLIC_BASE))
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg" and len(audio.data) > 2000


def test_unsure_speech_that_sounds_like_an_emergency_is_not_held_for_confirmation(hooks, rasa):
    call = Call(hooks, "CAurgent")
    call.step("language", Digits="3")
    root = call.step("turn", SpeechResult="I have chest pain and sweating", Confidence="0.35")
    assert rasa.texts()[-1] == "I have chest pain and sweating"
    assert _says(root)[0] == ("en-IN", speakable(t("core_emergency", "en")))
