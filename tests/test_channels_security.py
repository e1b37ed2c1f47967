"""Every webhook checks X-Twilio-Signature against the public URL; nothing is processed otherwise."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, WHATSAPP_USER, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]

WEBHOOKS = ["/twilio/messaging", "/twilio/status", "/voice/incoming", "/voice/turn", "/voice/status"]


def test_signed_message_is_processed_behind_a_proxy(hooks, rasa):
    # The request reaches the gateway at http://localhost/..., Twilio signed https://saathi.example.org/...
    response = hooks.message(WHATSAPP_USER, "hello")
    assert response.status_code == 200
    assert rasa.texts() == ["hello"]
    assert "Sehat Saathi" in twiml_messages(response.get_data(as_text=True))[0]


@pytest.mark.parametrize("path", WEBHOOKS)
def test_missing_signature_is_refused(hooks, rasa, path):
    params = hooks.message_params(WHATSAPP_USER, "hello") | {"CallSid": "CA1"}
    response = hooks.post(path, params, signature="")
    assert response.status_code == 403
    assert rasa.calls == []


def test_signature_for_another_url_is_refused(hooks, rasa):
    params = hooks.message_params(WHATSAPP_USER, "hello")
    wrong_url = hooks.sign("/twilio/sms", params)  # signed for a different path
    assert hooks.post("/twilio/messaging", params, signature=wrong_url).status_code == 403
    other_host = hooks.__class__(hooks.client, "https://evil.example.com", hooks.auth_token)
    assert other_host.message(WHATSAPP_USER, "hello").status_code == 403
    assert rasa.calls == []


def test_tampered_parameters_are_refused(hooks, rasa):
    params = hooks.message_params(WHATSAPP_USER, "hello")
    signature = hooks.sign("/twilio/messaging", params)
    tampered = params | {"Body": "delete my data"}
    assert hooks.post("/twilio/messaging", tampered, signature=signature).status_code == 403
    extra = params | {"MediaUrl0": "https://evil.example.com/x.jpg"}
    assert hooks.post("/twilio/messaging", extra, signature=signature).status_code == 403
    assert rasa.calls == []


def test_wrong_token_is_refused(hooks, rasa):
    forged = hooks.__class__(hooks.client, PUBLIC_BASE, "not-the-token")
    assert forged.message(WHATSAPP_USER, "hello").status_code == 403
    assert rasa.calls == []


def test_status_callback_records_delivery(hooks, gateway):
    response = hooks.post("/twilio/status", {"MessageSid": "SM123", "MessageStatus": "delivered"})
    assert response.status_code == 204
    assert gateway.sender.status_of("SM123") == "delivered"


def test_log_lines_never_carry_a_phone_number():
    import logging

    from channels.redact import RedactNumbers, redact

    assert redact("The 'To' number whatsapp:+91 98123 45678 is not valid") == "The 'To' number [number] is not valid"
    assert redact("job took 120 ms, status 404") == "job took 120 ms, status 404"
    try:
        raise ValueError("Unable to create record: +919812345678")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "send to %s failed", ("+919812345678",),
                                   sys.exc_info())
    RedactNumbers().filter(record)
    assert record.getMessage() == "send to [number] failed [ValueError]" and record.exc_info is None
