"""The phone IVR, asserted on the TwiML it returns (parsed as XML)."""

from __future__ import annotations

import secrets
import subprocess
import xml.etree.ElementTree as ET

import pytest

from channels.types.voice.render import spoken_symptom_menu
from engine.i18n import t
from engine.speech.tts import speakable

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from channels.rasa import parse_reply  # noqa: E402
from tests.channels_fixtures import PUBLIC_BASE, ScriptedRasa, _reply  # noqa: E402

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
    # Speech recognition names Punjabi pa-guru-IN (pa-IN is refused: warning 13512); <Say> keeps pa-IN.
    assert gather.get("input") == "speech dtmf" and gather.get("language") == "pa-guru-IN"
    assert gather.get("speechTimeout") == "auto" and gather.get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/turn"
    assert _says(gather) == [("pa-IN", speakable(t("channels_ivr_welcome", "pa"))), ("pa-IN", spoken_symptom_menu("pa"))]
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
    call.step("turn", Digits="3")
    assert rasa.texts()[-1] == "headache"  # at the symptom question digits pick the pictorial menu's groups
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


def test_silence_reprompts_with_a_recording_then_the_keypad_then_ends_politely(hooks):
    call = Call(hooks)
    language = call.step("language", Digits="3")
    first = call.step(language.find("Redirect").text)
    record = first.find("Record")
    assert record is not None and record.get("action").startswith(f"{PUBLIC_BASE}/voice/recording?s=")
    assert _says(first) == [("en-IN", t("channels_ivr_reprompt", "en"))]
    # Nothing usable twice: keypad mode, the question again with its keys, no speech gathered.
    second = call.step(first.find("Redirect").text)
    gather = second.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("language") is None
    assert _says(gather) == [("en-IN", t("channels_ivr_keypad_mode", "en")), ("en-IN", t("channels_ivr_welcome", "en")),
                             ("en-IN", spoken_symptom_menu("en"))]
    third = call.step(second.find("Redirect").text)
    assert third.find("Gather").get("input") == "dtmf"  # asked once more
    fourth = call.step(third.find("Redirect").text)
    assert _says(fourth) == [("en-IN", t("channels_ivr_goodbye", "en"))] and fourth.find("Hangup") is not None


def test_a_retried_step_gets_the_same_twiml_and_is_processed_once(hooks, rasa):
    call = Call(hooks, "CAretry")
    call.step("language", Digits="1")
    first = call.hooks.call_step("turn", "CAretry", CALLER, SpeechResult="बुखार", Confidence="0.9")
    again = call.hooks.call_step("turn", "CAretry", CALLER, SpeechResult="बुखार", Confidence="0.9")
    assert first.get_data() == again.get_data()
    assert rasa.texts().count("बुखार") == 1


def _recorded_call(hooks, standin, tmp_path, channel_settings, voice: str, text: str, digit: str, sid: str):
    """A call in the language of ``digit`` whose caller's words (espeak-ng ``voice``) come as a
    recording, as Twilio sends one when speech recognition gave nothing: (call, recording TwiML)."""
    from engine.speech.models import install_whisper_base

    install_whisper_base(channel_settings.effective_whisper_model_dir)
    wav = tmp_path / f"{sid}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(wav), text], check=True)
    url = standin.add_media(f"{sid}.wav", wav.read_bytes(), "audio/wav")
    call = Call(hooks, f"CA{sid}")
    call.step("language", Digits=digit)
    return call, call.step("recording", RecordingUrl=url, RecordingDuration="2", RecordingSid=sid)


def test_recording_fallback_goes_through_our_speech_engine(hooks, rasa, standin, tmp_path, channel_settings):
    call, root = _recorded_call(hooks, standin, tmp_path, channel_settings, "en-us", "I have a bad cough", "3", "RE1")
    (said,) = _says(root)
    assert said[1].startswith("I understood") and "cough" in said[1].lower()
    call.step("confirm", Digits="1")
    assert "cough" in rasa.texts()[-1].lower()


def test_play_mode_speaks_our_own_audio(hooks, app, monkeypatch):
    from dataclasses import replace

    gateway = app.config["GATEWAY"]
    monkeypatch.setattr(gateway, "settings", replace(gateway.settings, ivr_speech="play"))
    root = Call(hooks, "CAplay").step("language", Digits="1")
    play, _menu = list(root.iter("Play"))  # the welcome, then the symptom menu by number
    assert play.text.startswith(f"{PUBLIC_BASE}/media/tts/") and play.text.endswith(".mp3")
    audio = app.test_client().get(play.text.removeprefix(PUBLIC_BASE))
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg" and len(audio.data) > 2000
    # the name is keyed by the server's SAATHI_TTS_SECRET: another secret, another name for the same words
    monkeypatch.setattr(gateway, "settings", replace(gateway.settings, tts_secret=secrets.token_urlsafe(32)))
    again, _menu = list(Call(hooks, "CAplay2").step("language", Digits="1").iter("Play"))
    assert again.text != play.text and again.text.endswith(".mp3")


def test_unsure_speech_that_sounds_like_an_emergency_is_not_held_for_confirmation(hooks, rasa):
    call = Call(hooks, "CAurgent")
    call.step("language", Digits="3")
    root = call.step("turn", SpeechResult="I have chest pain and sweating", Confidence="0.35")
    assert rasa.texts()[-1] == "I have chest pain and sweating"
    assert _says(root)[0] == ("en-IN", speakable(t("core_emergency", "en")))


class _AgeAskingRasa(ScriptedRasa):
    """Asks the age after a symptom, then the sex after a number: enough to see how ages are keyed."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def send(self, sender, text, metadata=None):
        self.calls.append((sender, text, metadata or {}))
        key = "core_ask_sex" if text.strip().isdigit() else "core_ask_age"
        return parse_reply(_reply(key, self.language))


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_an_age_is_keyed_with_hash_read_back_and_only_then_counted(hooks, app, language):
    rasa = app.config["GATEWAY"].rasa = _AgeAskingRasa(language)
    call = Call(hooks, f"CAage{language}")
    call.step("language", Digits={"hi": "1", "pa": "2", "en": "3"}[language])
    asked = call.step("turn", Digits="1")  # fever, from the pictorial menu's numbers
    gather = asked.find("Gather")
    # Several digits ended by # (Twilio strips the #): not numDigits=1, which made "45" a 4-year-old.
    assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
    assert _says(gather)[-1][1] == t("channels_ivr_enter_number", language)
    readback = call.step("turn", Digits="45")
    assert rasa.texts()[-1] != "45" and rasa.texts()[-1] != "4"  # not yet
    (said,) = _says(readback)
    assert said[1] == t("channels_ivr_number_confirm", language, number="45")
    assert readback.find("Gather").get("action").split("?")[0] == f"{PUBLIC_BASE}/voice/number"
    again = call.step("number", Digits="2")  # wrong: keyed again
    assert again.find("Gather").get("finishOnKey") == "#" and rasa.texts()[-1] != "45"
    call.step("turn", Digits="54")
    sex_question = call.step("number", Digits="1")
    assert rasa.texts()[-1] == "54"
    gather = sex_question.find("Gather")  # the next question takes one key again
    assert gather.get("numDigits") == "1" and gather.get("finishOnKey") is None
    call.step(gather.get("action"), Digits="1")
    assert rasa.texts()[-1] == "1"


def test_a_reading_keyed_with_star_is_a_decimal_and_junk_is_asked_again(hooks, app):
    rasa = app.config["GATEWAY"].rasa = _AgeAskingRasa("en")
    call = Call(hooks, "CAread")
    call.step("language", Digits="3")
    call.step("turn", Digits="1")
    junk = call.step("turn", Digits="4*5*6")
    assert _says(junk)[0] == ("en-IN", t("channels_ivr_say_again", "en"))
    readback = call.step("turn", Digits="98*6")
    assert _says(readback) == [("en-IN", t("channels_ivr_number_confirm", "en", number="98.6"))]
    call.step("number", Digits="1")
    assert rasa.texts()[-1] == "98.6"


def test_two_rejected_transcripts_move_the_caller_to_the_keypad(hooks, rasa):
    call = Call(hooks, "CAmiss")
    call.step("language", Digits="1")
    call.step("turn", SpeechResult="मुझे खांसी", Confidence="0.3")
    first = call.step("confirm", Digits="2")
    assert first.find("Gather").get("input") == "speech dtmf"
    assert _says(first)[0] == ("hi-IN", t("channels_ivr_say_again", "hi"))
    call.step("turn", SpeechResult="मुझे खास", Confidence="0.2")
    second = call.step("confirm", Digits="3")
    gather = second.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("language") is None
    assert _says(gather)[0] == ("hi-IN", t("channels_ivr_keypad_mode", "hi"))
    call.step("turn", Digits="2")
    assert rasa.texts()[-1] == "खांसी"  # the symptom by its number, in the caller's language


def test_every_say_and_gather_language_is_a_documented_value(hooks, rasa):
    """Twilio's lists (see channels.types.voice.render): Gather hi-IN/pa-guru-IN/en-IN; Say voices with their language."""
    from channels.types.voice.render import GATHER_LANGUAGE, SAY_LANGUAGE, SAY_VOICE

    assert GATHER_LANGUAGE == {"hi": "hi-IN", "pa": "pa-guru-IN", "en": "en-IN"}
    for language in ("hi", "pa", "en"):
        call = Call(hooks, f"CAlang{language}")
        root = call.step("language", Digits={"hi": "1", "pa": "2", "en": "3"}[language])
        assert {g.get("language") for g in root.iter("Gather")} == {GATHER_LANGUAGE[language]}
        assert {(s.get("language"), s.get("voice")) for s in root.iter("Say")} == {
            (SAY_LANGUAGE[language], SAY_VOICE[language])}


@pytest.mark.timeout(240)
def test_a_punjabi_recording_is_transcribed_and_read_back_or_asked_again(hooks, rasa, standin, tmp_path, channel_settings):
    _, root = _recorded_call(hooks, standin, tmp_path, channel_settings, "pa", "ਮੈਨੂੰ ਖੰਘ ਹੈ", "2", "REpa")
    said = _says(root)
    prefix = t("channels_ivr_confirm", "pa", text="\x00").split("\x00")[0]
    if said[0][1].startswith(prefix):  # read back in Gurmukhi, to be confirmed with 1
        assert not any("\u0900" <= ch <= "\u0963" for ch in said[0][1]) and len(said) == 1  # (danda is shared)
    else:  # refused by the guards: asked again, with the keypad offered, not read back
        assert said[0] == ("pa-IN", t("channels_ivr_say_again", "pa"))
    assert rasa.texts() == ["ਪੰਜਾਬੀ ਵਿੱਚ ਗੱਲ ਕਰੋ"]  # nothing reached the bot


class _YesNoAskingRasa(ScriptedRasa):
    """Asks "is there also cough? 1 yes · 2 no" whatever the caller says."""

    def send(self, sender, text, metadata=None):
        self.calls.append((sender, text, metadata or {}))
        return parse_reply(_reply("core_ask_followup", "pa", symptom="ਖੰਘ"))


@pytest.mark.timeout(240)
def test_a_punjabi_yes_whisper_cannot_write_is_heard_as_yes_read_back_and_sent_as_1(
        hooks, app, standin, tmp_path, channel_settings, monkeypatch):
    """Whisper base writes nonsense for an espeak-ng "ਜੀ ਹਾਂ" (the floor refuses it), but the question
    allows only yes or no: Whisper's scores pick yes, which is read back in Punjabi and goes to the
    bot as the key "1" once the caller confirms (engine.speech.closed, channels.closed_questions)."""
    from engine.speech import closed
    from engine.speech.models import install_whisper_base

    monkeypatch.setitem(closed.HOW, ("pa", "yesno"), ("score", 1.0))  # whatever the bench chose: the scores
    rasa = app.config["GATEWAY"].rasa = _YesNoAskingRasa()
    install_whisper_base(channel_settings.effective_whisper_model_dir)
    call = Call(hooks, "CAclosedpa")
    call.step("language", Digits="2")
    asked = call.step("turn", Digits="1")  # fever from the menu; the bot asks a yes/no question
    assert _says(asked.find("Gather"))[0][1] == speakable(t("core_ask_followup", "pa", symptom="ਖੰਘ"))
    wav = tmp_path / "yes.wav"
    subprocess.run(["espeak-ng", "-v", "pa", "-s", "140", "-w", str(wav), "ਜੀ ਹਾਂ"], check=True)
    url = standin.add_media("yes.wav", wav.read_bytes(), "audio/wav")
    readback = call.step("recording", RecordingUrl=url, RecordingDuration="2", RecordingSid="REyes")
    assert _says(readback) == [("pa-IN", t("channels_ivr_confirm", "pa", text="ਹਾਂ"))]
    assert len(rasa.calls) == 2  # nothing reached the bot before the caller confirmed
    call.step("confirm", Digits="1")
    assert rasa.texts()[-1] == "1"
