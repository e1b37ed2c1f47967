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
    assert page.status_code == 200 and b"Sehat Saathi" in page.data
    reply = simulator.post("/simulator/send", data={"text": "नमस्ते"}).get_json()
    assert reply["number"].startswith("+000") and reply["texts"][0] == t("core_greet", "hi")
    assert rasa.calls and "000" not in rasa.calls[0][0]
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
    assert metadata == {"channel": "whatsapp", "latitude": 30.3686, "longitude": 75.8675, "label": ""}
    garbage = simulator.post("/simulator/send", data={"number": reply["number"], "latitude": "x",
                                                      "longitude": "75"}).get_json()
    assert garbage["texts"] == [t("core_choice_unknown", "en")] and len(rasa.calls) == 1  # no location at all
