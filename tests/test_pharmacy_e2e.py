"""Issue #8's "Done means", end to end through the real stack: a WhatsApp photo of a prescription →
the medicines read → "where can I get these medicines in Dhuri" → numbered shops with coverage and
distance → "1" → a pickup code → the pharmacist's SMS "READY <code>" → the ready notice on the
patient's WhatsApp.

Real parts only: the Rasa stack (model, action server, its database with the seeded demo
pharmacies), the gateway over HTTP with signed webhooks and in-process jobs (OCR, phone link,
notifications), the stand-in Twilio server for the photo's media and every outbound message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from channels.app import create_app
from channels.context import Gateway, set_worker_gateway
from channels.rasa import RasaClient
from channels.simclient import WebhookClient
from engine.i18n import t
from engine.pharmacy.notify import notification_text
from engine.store import MemoryStore
from records.db import session_factory_from_settings
from records.identity import sender_id

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, LiveGateway, twiml_messages  # noqa: E402
from tests.support.stepup import open_workday  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.rasa
PATIENT = "whatsapp:+919800077001"
PHARMACIST = "+919800077002"
#: A synthetic prescription (engine.ocr.synth) for Dolo 650 and Cetzine: medicines every demo town stocks.
RX_SEED = "e2e-rx-238"
RX_MEDICINES = ("Dolo 650", "Cetzine")


@pytest.fixture
def stack(rasa_stack, standin, monkeypatch) -> Iterator[tuple[WebhookClient, object]]:
    """Our gateway on a socket, on the stack's database and keys (its SAATHI_VAR_DIR), Twilio → stand-in."""
    from config.settings import Settings, load

    standin.reset()
    for name, value in {
        "TWILIO_ACCOUNT_SID": standin.account_sid, "TWILIO_AUTH_TOKEN": standin.auth_token,
        "TWILIO_API_BASE_URL": standin.url, "TWILIO_MEDIA_HOSTS": f"api.twilio.com,{standin.host}",
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_SMS_FROM": "+14155238887",
        "SAATHI_PUBLIC_BASE_URL": PUBLIC_BASE, "SAATHI_VAR_DIR": str(load().var_dir), "REDIS_URL": "",
        "SAATHI_QUIET_HOURS": "0-0",  # the ready notice must not wait for the morning
        "SAATHI_TTS_ENGINES": "espeak", "SAATHI_DEFAULT_LANGUAGE": "en", "SAATHI_SIMULATOR": "0",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    gateway = Gateway.from_settings(settings, rasa=RasaClient(rasa_stack.base_url, rasa_stack.token), store=MemoryStore())
    # also this process's services: notifications go through this gateway's sender
    server = LiveGateway(create_app(settings, gateway)).start()
    try:
        yield WebhookClient(server.url, PUBLIC_BASE, settings.twilio_auth_token), settings
    finally:
        server.stop()
        set_worker_gateway(None)


def _texts(response) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(twiml_messages(response.text))


def _wait_for(condition, timeout: float = 60.0, what: str = ""):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.timeout(1500)
def test_prescription_photo_to_pickup_notice(stack, standin, capsys):
    from engine.ocr import classifier, synth
    from engine.pharmacy import PharmacyService
    from records import RecordsService
    from saathi.cli import main

    live, settings = stack
    classifier.model()  # trained once and cached (models/ocr/); not inside the photo job's wait
    live.message(PATIENT, "hello")

    # 1. The photo: "reading…" at once, then the job's summary names the medicines.
    photo = synth.generate(RX_SEED, "prescription").photo(level=0.6)
    url = standin.add_media("rx-e2e.jpg", photo, "image/jpeg")
    assert _texts(live.message(PATIENT, media=[(url, "image/jpeg")])) == t("channels_reading_photo", "en")
    summary = _wait_for(lambda: standin.sent_messages(PATIENT), 300, "the photo's summary")[0]["Body"][0]
    assert all(name.split()[0] in summary for name in RX_MEDICINES), summary

    # 2. "Where can I get these medicines in Dhuri?" → numbered shops with coverage and distance.
    #    "these" are the photo's: the gateway passes them along as photo_medicines metadata.
    shops = _texts(live.message(PATIENT, "where can I get these medicines in Dhuri"))
    assert t("pharmacy_ask_medicines", "en").split("?")[0] not in shops, "the photo's medicines were not used"
    assert all(name in shops for name in RX_MEDICINES), shops
    lines = [ln for ln in shops.splitlines() if re.match(r"^\d\. ", ln)]
    assert lines and lines[0].startswith("1. "), shops
    coverage = re.compile(r", (has all 2|has 1 of 2), ")  # pharmacy_has_all / pharmacy_has_some
    assert all(" km, " in ln and coverage.search(ln) for ln in lines), shops
    assert t("pharmacy_has_all", "en", count=2) in lines[0], shops  # every demo town stocks both
    assert "Dhuri" in shops

    # 3. "1" → reserved, with a pickup code; the gateway links the phone the notice will go to.
    reserved = _texts(live.message(PATIENT, "1"))
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", reserved)
    assert code, reserved
    code = code.group(1)
    records = RecordsService.from_settings(settings)
    patient = records.find_user("sender", sender_id(PATIENT, settings.sender_salt))
    _wait_for(lambda: records.find_user("phone", PATIENT) == patient, 30, "the phone link")
    service = PharmacyService(session_factory_from_settings(settings))
    (view,) = [v for v in service.open_for_patient(patient) if v.code == code]

    # 4. The shop's pharmacist (mobile linked with the CLI) marks it ready by SMS through the gateway.
    assert main(["pharmacy", "assign", str(view.pharmacy_id), "--phone", PHARMACIST[3:], "--language", "en"]) == 0
    capsys.readouterr()
    open_workday(live.message, PHARMACIST)  # SMS commands need the PIN once a day (issue #14)
    ready = _texts(live.message(PHARMACIST, f"READY {code}"))
    assert ready == t("pharmacy_sms_status_saved", "en", code=code, status=t("pharmacy_label_ready", "en"))
    assert service.get(view.id).status == "ready"

    # 5. The patient's WhatsApp gets the ready notice (in the language of their record).
    now_ready = service.get(view.id)
    expected = {notification_text(now_ready, language) for language in ("hi", "pa", "en")}
    notice = _wait_for(lambda: [m for m in standin.sent_messages(PATIENT) if m["Body"][0] in expected], 60,
                       "the ready notice")
    assert notice[0]["From"] == ["whatsapp:+14155238886"] and code in notice[0]["Body"][0]
