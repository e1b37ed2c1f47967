"""The production-shaped stack for end-to-end tests: Rasa with two Sanic workers on a PostgreSQL
tracker store and a Redis lock store, the action server (two workers) on a PostgreSQL records
database, and the Twilio gateway (Redis store) on a real socket, reached by signed webhooks.

Why a stack of its own next to ``conftest.rasa_stack`` (one worker, in-memory tracker): what the
issue #14 findings are about — an answer lost between workers, a conversation left in the tracker
database or in Redis after erasure — only shows on this shape. Ports are picked free, databases
are created per module and dropped afterwards, Redis keys are told apart by the test's own
sender, so the stack never disturbs a running ``make run`` or another session's tests.
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests

from channels.app import create_app
from channels.context import Gateway
from channels.rasa import RasaClient
from channels.simclient import WebhookClient
from config.settings import Settings, check_production_secrets
from engine.i18n import catalogue
from records.identity import sender_id
from tests.channels_fixtures import PUBLIC_BASE, LiveGateway, twiml_messages
from tests.support.production import strong_secrets
from tests.support.records import fresh_pg_database
from tests.twilio_standin import TwilioStandin

REDIS_URL = "redis://127.0.0.1:6379/12"
TURN_TIMEOUT = 300.0
#: The intake questions, told apart in a rendered reply by their catalogue text.
QUESTION_KEYS = sorted(k for k in catalogue() if k.startswith("core_ask_"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def template_pattern(key: str, language: str) -> re.Pattern[str]:
    """A catalogue sentence as a regular expression: its ``{fields}`` match any text."""
    parts = re.split(r"\{[a-z_]+\}", catalogue()[key][language])
    return re.compile(".+?".join(re.escape(part) for part in parts))


def asked(reply: str, language: str) -> str | None:
    """The catalogue key of the (last) intake question in a rendered reply, or None."""
    found = [(m.start(), key) for key in QUESTION_KEYS if (m := template_pattern(key, language).search(reply))]
    return max(found)[1] if found else None


@dataclass
class LiveStack:
    settings: Settings
    hooks: WebhookClient
    gateway: Gateway
    tracker_db_url: str
    turn_seconds: list[float] = field(default_factory=list)  # each turn's time, for the report

    def say(self, address: str, text: str) -> str:
        """One signed WhatsApp message through the gateway; the bot's answer as one text."""
        # generous: the first triage in each action-server worker loads the engines, on 2 shared cores
        started = time.monotonic()
        response = self.hooks.post("/twilio/messaging", self.hooks.message_params(address, text), timeout=TURN_TIMEOUT)
        self.turn_seconds.append(time.monotonic() - started)
        response.raise_for_status()
        return "\n".join(twiml_messages(response.text))

    def sender(self, address: str) -> str:
        return sender_id(address, self.settings.sender_salt)

    def tracker(self, address: str) -> dict:
        """What Rasa's HTTP API returns for this conversation."""
        response = requests.get(f"{self.settings.rasa_base_url}/conversations/{self.sender(address)}/tracker",
                                params=self.settings.rasa_auth, timeout=30)
        response.raise_for_status()
        return response.json()

    def redis_keys(self, address: str) -> list[bytes]:
        """Every Redis key that names this conversation (Rasa's lock store, the gateway's store)."""
        return list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{self.sender(address)}*", count=1000))

    @staticmethod
    def new_address() -> str:
        return f"whatsapp:+9198{uuid.uuid4().int % 10**8:08d}"


@contextmanager
def live_stack(var_dir: Path, standin: TwilioStandin) -> Iterator[LiveStack]:
    """Starts the stack described above; stops it and drops its databases afterwards."""
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from saathi.rasa_model import ensure_model
    from saathi.services import Supervisor, actions_service, prepare_database, rasa_service

    with fresh_pg_database("saathi_tracker") as tracker_url, fresh_pg_database("saathi_live") as records_url, \
            pytest.MonkeyPatch.context() as env:
        rasa_port = free_port()
        for name, value in {
            "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(free_port()),
            "GATEWAY_PORT": str(free_port()), "PORTAL_PORT": str(free_port()),
            "TRACKER_STORE_URL": tracker_url, "DATABASE_URL": records_url, "REDIS_URL": REDIS_URL,
            "RASA_WORKERS": "2", "SAATHI_VAR_DIR": str(var_dir),
            "TWILIO_ACCOUNT_SID": standin.account_sid, "TWILIO_AUTH_TOKEN": standin.auth_token,
            "TWILIO_API_BASE_URL": standin.url, "TWILIO_MEDIA_HOSTS": f"api.twilio.com,{standin.host}",
            "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_SMS_FROM": "+14155238887",
            "SAATHI_PUBLIC_BASE_URL": PUBLIC_BASE, "SAATHI_TTS_ENGINES": "espeak", "SAATHI_SIMULATOR": "0",
            "SAATHI_DEFAULT_LANGUAGE": "hi", "SAATHI_SURVEILLANCE_DEMO": "0",
            "SAATHI_RATE_LIMIT_PER_MINUTE": "1000",  # a scripted patient types faster than 20 a minute
        }.items():
            env.setenv(name, value)
        for name, value in strong_secrets().items():  # PostgreSQL configured: a production deployment
            env.setenv(name, value)
        env.delenv("RASA_URL", raising=False)
        env.delenv("ACTION_ENDPOINT_URL", raising=False)
        settings = Settings()
        check_production_secrets(settings)
        prepare_database(settings)
        services = [actions_service(settings), rasa_service(settings, ensure_model(settings=settings))]
        with Supervisor(services, log_dir=var_dir / "logs"):
            gateway = Gateway.from_settings(settings, rasa=RasaClient(settings.rasa_base_url, settings.rasa_token, timeout=TURN_TIMEOUT))
            server = LiveGateway(create_app(settings, gateway)).start()
            try:
                yield LiveStack(settings, WebhookClient(server.url, PUBLIC_BASE, standin.auth_token), gateway,
                                tracker_url)
            finally:
                server.stop()


# How a patient answers each intake question: numbers, words and scripts mixed on purpose.
ANSWERS = {
    "hi": {"core_ask_patient": "1", "core_ask_age": "35 साल", "core_ask_sex": "1", "core_ask_duration_days": "3 दिन से",
           "core_ask_severity": "2", "core_ask_reading": "2", "core_ask_followup": "नहीं",
           "core_ask_symptom_text": "बुखार", "core_ask_records_consent": "हाँ"},
    "pa": {"core_ask_patient": "1", "core_ask_age": "40 ਸਾਲ", "core_ask_sex": "ਮਰਦ",
           "core_ask_duration_days": "ਦੋ ਦਿਨਾਂ ਤੋਂ", "core_ask_severity": "1", "core_ask_reading": "2",
           "core_ask_followup": "2", "core_ask_symptom_text": "ਬੁਖਾਰ", "core_ask_records_consent": "1"},
}
#: A complaint whose differential the season and region priors reorder (fever with chills: malaria).
CHILLS = {"hi": "मुझे 3 दिन से तेज़ बुखार, ठंड लगकर कंपकंपी और पसीना",
          "pa": "ਮੈਨੂੰ 3 ਦਿਨਾਂ ਤੋਂ ਤੇਜ਼ ਬੁਖਾਰ, ਠੰਡ ਲੱਗ ਕੇ ਕਾਂਬਾ ਅਤੇ ਪਸੀਨਾ"}


def starts(reply: str, key: str, language: str) -> bool:
    """Whether the rendered reply contains the catalogue sentence ``key`` (without its fields)."""
    return catalogue()[key][language].split("{")[0].strip() in reply


def intake(stack: LiveStack, address: str, language: str, complaint: str | None = None,
           max_turns: int = 16) -> tuple[str, list[str]]:
    """From the complaint (default :data:`CHILLS`) to the triage answer, each question answered from
    :data:`ANSWERS`; returns that answer and the questions asked."""
    reply = stack.say(address, complaint or CHILLS[language])
    questions: list[str] = []
    for _ in range(max_turns):
        if starts(reply, "core_possible_conditions", language):
            return reply, questions
        question = asked(reply, language)
        assert question, f"neither a question nor a triage answer: {reply}"
        questions.append(question)
        reply = stack.say(address, ANSWERS[language][question])
    pytest.fail(f"no triage answer after {max_turns} turns: {questions}")
