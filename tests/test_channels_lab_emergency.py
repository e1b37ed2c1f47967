"""Lab-value and reading emergencies as a user sends them (issue #13): signed Twilio webhooks over HTTP into a
live gateway on the real Rasa stack, over WhatsApp and SMS; and with Rasa down, where the gateway answers
red flags from ``nlu/`` itself. Quiet everyday messages with numbers beside them stay quiet."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from channels.app import create_app
from channels.context import Gateway, set_worker_gateway
from channels.rasa import RasaClient
from channels.simclient import WebhookClient
from engine.i18n import LATIN, NATIVE, t
from engine.store import MemoryStore

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, FlaskWebhooks, LiveGateway, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]

POTASSIUM = "report mein K 7.2 aaya hai"                   # severe hyperkalaemia (UKKA 2020, ERC 2021)
ANAEMIA = "ਹੀਮੋਗਲੋਬਿਨ ੪.੫ ਹੈ, ਬਹੁਤ ਕਮਜ਼ੋਰੀ"                  # very severe anaemia (MoHFW 2013, WHO 2013)
SUGAR = "sugar 40 hai aur pasina aa raha hai"             # level 2 hypoglycaemia (ADA 2024)
QUIET = "hb 11.5 aaya hai report mein, thodi thakan"     # an ordinary haemoglobin: no emergency


def reply_of(response) -> str:
    return "\n".join(twiml_messages(response.text if hasattr(response, "text") else response.data.decode()))


@pytest.fixture
def live(rasa_stack, channel_settings) -> Iterator[WebhookClient]:
    gateway = Gateway.from_settings(channel_settings, rasa=RasaClient(rasa_stack.base_url, rasa_stack.token),
                                    store=MemoryStore())
    server = LiveGateway(create_app(channel_settings, gateway)).start()
    yield WebhookClient(server.url, PUBLIC_BASE, channel_settings.twilio_auth_token)
    server.stop()
    set_worker_gateway(None)


@pytest.mark.rasa
def test_lab_value_and_reading_emergencies_over_whatsapp_and_sms(live):
    reply = reply_of(live.message("whatsapp:+919800055101", POTASSIUM))
    assert t("core_emergency", "hi", script=LATIN) in reply, reply
    reply = reply_of(live.message("whatsapp:+919800055102", ANAEMIA))
    assert t("core_emergency", "pa", script=NATIVE) in reply, reply
    (sms,) = twiml_messages(live.message("+919800055103", SUGAR).text)
    assert sms.startswith(t("core_emergency", "hi", variant="sms", script=LATIN).replace("⚠️ ", "")), sms
    (sms,) = twiml_messages(live.message("+919800055104", POTASSIUM).text)
    assert sms.startswith(t("core_emergency", "hi", variant="sms", script=LATIN).replace("⚠️ ", "")), sms
    quiet = reply_of(live.message("whatsapp:+919800055105", QUIET))
    assert t("core_emergency", "hi", script=LATIN) not in quiet, quiet


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def down(channel_settings) -> Iterator[FlaskWebhooks]:
    gateway = Gateway.from_settings(channel_settings, rasa=RasaClient(f"http://127.0.0.1:{_closed_port()}", "token",
                                                                      timeout=5), store=MemoryStore())
    yield FlaskWebhooks(create_app(channel_settings, gateway).test_client(), PUBLIC_BASE,
                        channel_settings.twilio_auth_token)
    pool = getattr(gateway.jobs, "pool", None)
    if pool is not None:
        pool.shutdown(wait=True)  # the ASHA alert of an emergency must not outlive the test
    set_worker_gateway(None)


def test_lab_value_emergencies_are_answered_while_rasa_is_down(down):
    reply = reply_of(down.message("whatsapp:+919800055201", POTASSIUM))
    assert t("core_emergency", "hi", script=LATIN) in reply
    assert t("channels_delayed", "hi", script=LATIN) not in reply
    (sms,) = twiml_messages(down.message("+919800055202", ANAEMIA).data.decode())
    assert sms.startswith(t("core_emergency", "pa", variant="sms", script=NATIVE).replace("⚠️ ", "")), sms
    (sms,) = twiml_messages(down.message("+919800055203", SUGAR).data.decode())
    assert sms.startswith(t("core_emergency", "hi", variant="sms", script=LATIN).replace("⚠️ ", "")), sms
    quiet = reply_of(down.message("whatsapp:+919800055204", QUIET))
    assert quiet == t("channels_delayed", "hi", script=LATIN)  # kept for Rasa, no emergency
