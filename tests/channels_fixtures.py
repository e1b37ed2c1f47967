"""Fixtures of the channel tests: the Twilio stand-in, settings pointing at it, a gateway app.

The gateway is real (Flask app, signature checks, store, jobs in threads, outbound through the
twilio client to the stand-in); only the conversation is scripted in most tests (``ScriptedRasa``,
which answers in Rasa's REST format). ``test_channels_e2e.py`` uses the real Rasa stack instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from channels.app import create_app
from channels.context import Gateway, set_worker_gateway
from channels.rasa import BotMessage, parse_reply
from channels.simclient import WebhookClient
from config.settings import Settings
from engine.i18n import t
from engine.store import MemoryStore
from tests.twilio_standin import TwilioStandin

PUBLIC_BASE = "https://saathi.example.org"
WHATSAPP_USER = "whatsapp:+919812345678"
SMS_USER = "+919812345679"
FIXTURES = Path(__file__).parent / "fixtures" / "channels"


def _reply(key: str, language: str, **fields: str) -> list[dict]:
    return [{"recipient_id": "x", "text": t(key, language, **fields)},
            {"recipient_id": "x", "custom": {"key": key, "language": language, "fields": fields}}]


@dataclass
class ScriptedRasa:
    """Answers like Rasa's REST channel: greeting, emergency, a triage answer, else a question."""

    calls: list[tuple[str, str, dict]] = field(default_factory=list)

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[BotMessage]:
        self.calls.append((sender, text, metadata or {}))
        language = "hi" if re.search("[\u0900-\u097f]", text) else "pa" if re.search("[\u0a00-\u0a7f]", text) else "en"
        lowered = text.lower()
        if lowered in {"hello", "नमस्ते", "ਸਤ ਸ੍ਰੀ ਅਕਾਲ"}:
            items = _reply("core_greet", language)
        elif "chest pain" in lowered or "सीने में दर्द" in text:
            items = _reply("core_emergency", language) + _reply("core_emergency_tip_chest_pain", language)
        elif "triage" in lowered:
            items = (_reply("core_urgency_urgent", language) + _reply("core_possible_conditions", language)
                     + _reply("core_condition_line", language, name="Dengue", why="fever with body ache")
                     + _reply("core_condition_line", language, name="Malaria", why="fever with chills")
                     + _reply("core_see_specialist", language, specialist=t("core_specialist_general_physician", language))
                     + _reply("core_self_care", language, advice="Drink plenty of fluids and rest.")
                     + _reply("core_warning_signs", language, signs="bleeding, fainting")
                     + _reply("core_offer_doctor", language))
        elif "long" in lowered:
            items = [{"text": " ".join(f"Sentence number {i} is here." for i in range(150))}]
        else:
            items = _reply("core_ask_patient", language)
        return parse_reply(items)

    def texts(self) -> list[str]:
        return [text for _, text, _ in self.calls]


class FlaskWebhooks(WebhookClient):
    """Signed webhooks posted through Flask's test client (no socket needed)."""

    def __init__(self, client, public_base: str, auth_token: str) -> None:
        super().__init__("", public_base, auth_token)
        self.client = client

    def post(self, path: str, params: dict[str, str], signature: str | None = None, timeout: float = 60):
        headers = {"X-Twilio-Signature": signature if signature is not None else self.sign(path, params)}
        return self.client.post(path, data=params, headers=headers)


@pytest.fixture(scope="session")
def standin() -> Iterator[TwilioStandin]:
    server = TwilioStandin().start()
    yield server
    server.stop()


@pytest.fixture
def channel_settings(tmp_path: Path, standin: TwilioStandin, monkeypatch: pytest.MonkeyPatch) -> Settings:
    standin.reset()
    for name, value in {
        "TWILIO_ACCOUNT_SID": standin.account_sid, "TWILIO_AUTH_TOKEN": standin.auth_token,
        "TWILIO_API_BASE_URL": standin.url, "TWILIO_MEDIA_HOSTS": f"api.twilio.com,{standin.host}",
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_SMS_FROM": "+14155238887",
        "SAATHI_PUBLIC_BASE_URL": PUBLIC_BASE, "SAATHI_VAR_DIR": str(tmp_path / "var"), "REDIS_URL": "",
        "SAATHI_TTS_ENGINES": "espeak", "SAATHI_DEFAULT_LANGUAGE": "hi", "SAATHI_SIMULATOR": "0",
    }.items():
        monkeypatch.setenv(name, value)
    return Settings()


@pytest.fixture
def rasa() -> ScriptedRasa:
    return ScriptedRasa()


@pytest.fixture
def gateway(channel_settings: Settings, rasa: ScriptedRasa) -> Iterator[Gateway]:
    gw = Gateway.from_settings(channel_settings, rasa=rasa, store=MemoryStore())
    yield gw
    set_worker_gateway(None)


@pytest.fixture
def app(gateway: Gateway):
    return create_app(gateway.settings, gateway)


@pytest.fixture
def hooks(app, channel_settings: Settings) -> FlaskWebhooks:
    return FlaskWebhooks(app.test_client(), PUBLIC_BASE, channel_settings.twilio_auth_token)


@dataclass
class LiveGateway:
    """The gateway app served on a real socket in a thread (for end-to-end runs and the bench)."""

    app: object
    server: object = None
    thread: threading.Thread | None = None

    def start(self) -> LiveGateway:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()


def twiml_messages(xml: str) -> list[str]:
    """Bodies of the <Message> elements of a messaging TwiML answer."""
    import xml.etree.ElementTree as ET

    return [(m.text or "").strip() for m in ET.fromstring(xml).iter("Message")]


def twiml_media(xml: str) -> list[str]:
    import xml.etree.ElementTree as ET

    return [(m.text or "").strip() for m in ET.fromstring(xml).iter("Media")]
