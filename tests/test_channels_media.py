"""WhatsApp media: host allow-list, limits, the OCR and speech jobs, and the outbound sender."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from channels.media import MediaFetcher
from engine.i18n import t
from engine.outbound import SendFailed

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import FIXTURES, WHATSAPP_USER, twiml_messages  # noqa: E402
from tests.twilio_standin import TwilioStandin  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]


def _bodies(messages: list[dict]) -> list[str]:
    return [m.get("Body", [""])[0] for m in messages]


def test_host_allow_list(channel_settings, standin):
    fetcher = MediaFetcher(channel_settings)
    assert fetcher.host_allowed("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1")
    assert fetcher.host_allowed(f"http://{standin.host}/media/x.jpg")
    assert not fetcher.host_allowed("http://api.twilio.com/x")  # credentials only over HTTPS
    assert not fetcher.host_allowed("https://api.twilio.com.evil.example/x")
    assert not fetcher.host_allowed("https://api.twilio.com@evil.example/x")
    assert not fetcher.host_allowed("https://evil.example/x")


def test_media_from_a_non_twilio_host_is_refused_and_gets_no_credentials(hooks, standin):
    evil = TwilioStandin(account_sid=standin.account_sid, auth_token=standin.auth_token).start()
    try:
        url = evil.add_media("photo.jpg", (FIXTURES / "prescription.jpg").read_bytes(), "image/jpeg")
        reply = hooks.message(WHATSAPP_USER, media=[(url, "image/jpeg")])
        assert twiml_messages(reply.get_data(as_text=True)) == [t("channels_reading_photo", "hi")]
        sent = standin.wait_for_messages(WHATSAPP_USER, 1)
        assert _bodies(sent) == [t("channels_media_failed", "hi")]
        assert evil.requests == []  # never contacted, so never given the credentials
    finally:
        evil.stop()


def test_redirects_are_followed_only_to_allowed_hosts_and_without_credentials(channel_settings, standin):
    from urllib.parse import quote

    from channels.media import MediaRefused

    fetcher = MediaFetcher(channel_settings)
    standin.add_media("cdn.jpg", b"\xff\xd8jpeg-bytes", "image/jpeg")
    got = fetcher.fetch(f"{standin.url}/redirect/x?to={quote(standin.url + '/cdn/cdn.jpg')}", "image/jpeg")
    assert got.data == b"\xff\xd8jpeg-bytes" and got.kind == "image"
    first, cdn = [r for r in standin.requests if r.path in ("/redirect/x", "/cdn/cdn.jpg")]
    assert first.authorized and not cdn.had_credentials
    evil = TwilioStandin().start()
    try:
        with pytest.raises(MediaRefused):
            fetcher.fetch(f"{standin.url}/redirect/y?to={quote(evil.url + '/cdn/cdn.jpg')}", "image/jpeg")
        assert evil.requests == []
    finally:
        evil.stop()


def test_oversized_photo_is_refused_politely(hooks, standin):
    url = standin.add_media("huge.jpg", b"\xff\xd8" + b"0" * 5_200_000, "image/jpeg")
    hooks.message(WHATSAPP_USER, media=[(url, "image/jpeg")])
    sent = standin.wait_for_messages(WHATSAPP_USER, 1)
    assert _bodies(sent) == [t("channels_media_too_large", "hi", limit="5")]


@pytest.fixture(scope="module")
def ocr_ready() -> None:
    """engine.ocr trains its document classifier on first use (minutes, cached in models/ocr/).

    Done here, outside the job's deadline: the OCR tests would pay the same cost later otherwise.
    """
    pytest.importorskip("engine.ocr")
    from engine.ocr import classifier

    classifier.model()


@pytest.mark.timeout(900)
def test_photo_is_read_by_the_ocr_job_and_the_summary_sent(ocr_ready, hooks, standin):
    url = standin.add_media("rx.jpg", (FIXTURES / "prescription.jpg").read_bytes(), "image/jpeg")
    reply = hooks.message(WHATSAPP_USER, media=[(url, "image/jpeg")])
    assert twiml_messages(reply.get_data(as_text=True)) == [t("channels_reading_photo", "hi")]
    sent = standin.wait_for_messages(WHATSAPP_USER, 1, timeout=120)
    body = _bodies(sent)[0]
    assert "Livogen" in body or "Orofer" in body or "Becosules" in body, body
    media_fetch = [r for r in standin.requests if r.path == "/media/rx.jpg"]
    assert media_fetch and all(r.authorized for r in media_fetch)
    assert sent[0]["From"] == ["whatsapp:+14155238886"]
    assert sent[0]["StatusCallback"] == ["https://saathi.example.org/twilio/status"]


def test_outbound_retries_server_errors_but_not_client_errors(gateway, standin):
    standin.fail_next(500, 503)
    result = gateway.sender.send_message(WHATSAPP_USER, "hello")
    assert result.attempts == 3 and result.sid.startswith("SM")
    assert gateway.sender.status_of(result.sid) == "queued"
    standin.fail_next(400)
    with pytest.raises(SendFailed):
        gateway.sender.send_message(WHATSAPP_USER, "hello")
    assert len([r for r in standin.requests if r.path.endswith("/Messages.json")]) == 4  # 3 tries, then 1
    call = gateway.sender.place_call("+919812345678", "https://saathi.example.org/voice/incoming")
    assert call.sid.startswith("CA")
    (placed,) = [r.form for r in standin.requests if r.path.endswith("/Calls.json")]
    assert placed["Url"] == ["https://saathi.example.org/voice/incoming"]
    assert placed["StatusCallback"] == ["https://saathi.example.org/voice/status"]


@pytest.fixture
def english_clip(tmp_path: Path) -> bytes:
    wav, ogg = tmp_path / "clip.wav", tmp_path / "clip.ogg"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav),
                    "I have fever and headache since two days"], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libopus", str(ogg)], check=True)
    return ogg.read_bytes()


@pytest.mark.timeout(240)
def test_voice_note_is_transcribed_confirmed_then_answered_with_a_voice_note(hooks, standin, rasa, english_clip, app):
    from engine.speech.models import install_whisper_base

    install_whisper_base(app.config["SAATHI"].effective_whisper_model_dir)
    hooks.message(WHATSAPP_USER, "hello")  # the conversation is in English now
    url = standin.add_media("note.ogg", english_clip, "audio/ogg")
    reply = hooks.message(WHATSAPP_USER, media=[(url, "audio/ogg")])
    assert twiml_messages(reply.get_data(as_text=True)) == [t("channels_listening_voice", "en")]
    confirm = _bodies(standin.wait_for_messages(WHATSAPP_USER, 1, timeout=180))[0]
    assert confirm.startswith("I understood") and "fever" in confirm.lower() and "headache" in confirm.lower()
    assert len(rasa.calls) == 1  # nothing reached the bot before the user confirmed
    hooks.message(WHATSAPP_USER, "1")
    assert "fever" in rasa.texts()[-1].lower()
    voice = standin.wait_for_messages(WHATSAPP_USER, 2, timeout=60)[1]
    (media_url,) = voice["MediaUrl"]
    assert media_url.startswith("https://saathi.example.org/media/tts/") and media_url.endswith(".ogg")
    audio = app.test_client().get(media_url.removeprefix("https://saathi.example.org"))
    assert audio.status_code == 200 and audio.data[:4] == b"OggS"


@pytest.mark.timeout(240)
def test_punjabi_voice_note_is_read_back_in_gurmukhi_or_asked_again(hooks, standin, rasa, app):
    """Punjabi is transcribed now (decoded as Hindi, mapped to Gurmukhi); nothing reaches the bot
    before the user confirms, and a transcript the guards refuse is asked again."""
    from engine.speech import synthesize
    from engine.speech.models import install_whisper_base

    install_whisper_base(app.config["SAATHI"].effective_whisper_model_dir)
    hooks.message(WHATSAPP_USER, "ਸਤ ਸ੍ਰੀ ਅਕਾਲ")
    clip = synthesize("ਮੈਨੂੰ ਦੋ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਹੈ", "pa", "ogg", engines=("espeak",)).data
    url = standin.add_media("pa.ogg", clip, "audio/ogg")
    hooks.message(WHATSAPP_USER, media=[(url, "audio/ogg")])
    (reply,) = _bodies(standin.wait_for_messages(WHATSAPP_USER, 1, timeout=180))
    prefix = t("channels_voice_confirm", "pa", text="\x00").split("\x00")[0]
    assert reply == t("channels_voice_not_heard", "pa") or (
        reply.startswith(prefix) and not any("\u0900" <= ch <= "\u0963" for ch in reply)), reply
    assert rasa.texts() == ["ਸਤ ਸ੍ਰੀ ਅਕਾਲ"]


@pytest.mark.timeout(240)
def test_a_punjabi_voice_note_answering_yes_no_is_heard_read_back_and_sent_as_1(hooks, standin, rasa, app,
                                                                               monkeypatch):
    """After a yes/no question, a Punjabi "ਜੀ ਹਾਂ" that Whisper cannot write is heard as yes
    (engine.speech.closed's scores), read back as "ਹਾਂ" and sent to the bot as "1" once confirmed."""
    from engine.speech import closed, synthesize
    from engine.speech.models import install_whisper_base

    monkeypatch.setitem(closed.HOW, ("pa", "yesno"), ("score", 1.0))  # whatever the bench chose: the scores
    install_whisper_base(app.config["SAATHI"].effective_whisper_model_dir)
    hooks.message(WHATSAPP_USER, "triage ਜੀ")  # the scripted bot ends with "talk to a doctor? 1 yes · 2 no"
    clip = synthesize("ਜੀ ਹਾਂ", "pa", "ogg", engines=("espeak",)).data
    url = standin.add_media("yes.ogg", clip, "audio/ogg")
    hooks.message(WHATSAPP_USER, media=[(url, "audio/ogg")])
    (reply,) = _bodies(standin.wait_for_messages(WHATSAPP_USER, 1, timeout=180))
    assert reply == t("channels_voice_confirm", "pa", text="ਹਾਂ")
    assert rasa.texts() == ["triage ਜੀ"]
    hooks.message(WHATSAPP_USER, "1")
    assert rasa.texts()[-1] == "1"
