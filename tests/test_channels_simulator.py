"""The /simulator web chat: same conversation logic, replies shown in the page, jobs via the outbox."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from channels.app import create_app
from engine.i18n import t

pytest_plugins = ["tests.channels_fixtures"]


@pytest.fixture
def simulator(gateway):
    gateway.settings = replace(gateway.settings, simulator="1")
    gateway.fetcher.settings = gateway.settings
    return create_app(gateway.settings, gateway).test_client()


def test_simulator_is_off_when_a_public_url_is_configured(app):
    assert app.test_client().get("/simulator").status_code == 404


def test_simulator_chat_text_and_photo_upload(simulator, rasa):
    page = simulator.get("/simulator")
    assert page.status_code == 200 and t("channels_sim_title", "hi").encode() in page.data  # the default language
    assert t("channels_sim_send", "pa").encode() in simulator.get("/simulator?lang=pa").data
    # the script's URLs are absolute (url_for), so the page works with or without the trailing slash
    assert b'data-send="/simulator/send"' in page.data and b'data-poll="/simulator/poll"' in page.data
    assert simulator.get("/simulator/").data == page.data
    assert simulator.get("/simulator/static/simulator.js").status_code == 200
    reply = simulator.post("/simulator/send", data={"text": "नमस्ते"}).get_json()
    assert reply["number"].startswith("+000") and reply["texts"][0] == t("core_greet", "hi")
    # Rasa sees a pseudonymous sender id, never the simulator's number (a hash may contain "000" by chance).
    assert rasa.calls and rasa.calls[0][0].startswith("u-") and reply["number"].lstrip("+") not in rasa.calls[0][0]
    upload = simulator.post("/simulator/send", data={"number": reply["number"], "text": "",
                                                     "file": (io.BytesIO(b"%PDF-1.4 nothing"), "report.pdf")},
                            content_type="multipart/form-data").get_json()
    assert upload["texts"] == [t("channels_reading_document", "hi")]
    # The job's answer (this PDF is unreadable) arrives in the simulator's outbox, not at Twilio.
    import time

    for _ in range(100):
        messages = simulator.get(f"/simulator/poll?number={reply['number']}").get_json()["messages"]
        if messages:
            break
        time.sleep(0.1)
    assert messages and messages[0]["body"] == t("channels_photo_unreadable", "hi")


def test_simulator_shares_a_location_like_whatsapp(simulator, rasa):
    reply = simulator.post("/simulator/send", data={"latitude": "30.3686", "longitude": "75.8675"}).get_json()
    assert reply["texts"]
    _, text, metadata = rasa.calls[-1]
    assert text == "/find_pharmacy"
    # WhatsApp senders are authenticated by Twilio/Meta: no step-up code (engine.stepup)
    assert metadata == {"channel": "whatsapp", "latitude": 30.3686, "longitude": 75.8675, "label": "",
                        "identity": "authenticated", "message_id": metadata["message_id"]}
    garbage = simulator.post("/simulator/send", data={"number": reply["number"], "latitude": "x",
                                                      "longitude": "75"}).get_json()
    assert garbage["texts"] == [t("core_choice_unknown", "en")] and len(rasa.calls) == 1  # no location at all


def test_portal_messages_to_simulator_numbers_reach_the_simulator_page(gateway):
    """The portal is another process: what it sends to a +000 number is handed to the gateway's
    outbox (the page polls it), and if the gateway is not there the portal is told it failed."""
    import requests

    from channels.app import create_app as gateway_app
    from engine.handoff.notifier import Notifier
    from engine.outbound import TwilioSender
    from engine.store import MemoryStore
    from tests.channels_fixtures import LiveGateway

    gateway.settings = replace(gateway.settings, simulator="1")
    live = LiveGateway(gateway_app(gateway.settings, gateway)).start()
    try:
        portal_side = replace(gateway.settings, public_base_url=live.url)  # where the portal finds the gateway
        notifier = Notifier.from_settings(portal_side)
        assert notifier.sender.outbox_url == f"{live.url}/simulator/outbox"
        delivery = notifier.send_message("whatsapp:+000555123456", "Dr Meera is ready: https://meet.example.org/x",
                                         "https://portal.example.org/media/rx/abc")
        assert delivery.status == "sent"
        messages = requests.get(f"{live.url}/simulator/poll", params={"number": "+000555123456"}, timeout=10).json()
        assert messages["messages"][0]["body"].startswith("Dr Meera is ready")
        assert messages["messages"][0]["media"] == ["https://portal.example.org/media/rx/abc"]
        refused = requests.post(f"{live.url}/simulator/outbox", data={"to": "+919812345678", "body": "x"}, timeout=10)
        assert refused.status_code == 400, "only simulator numbers"
    finally:
        live.stop()
    gone = Notifier(TwilioSender(gateway.settings, MemoryStore(), outbox_url=f"{live.url}/simulator/outbox"))
    assert gone.send_message("+000555123456", "x").reason == "unreachable"
