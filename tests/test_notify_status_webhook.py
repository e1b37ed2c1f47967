"""Twilio's status callback, as Twilio sends it (signed, to the gateway's /twilio/status), reaches
the doctor's case page through the outbox row of the message (issue #20 item 1: "status callback
-> case page"), and an undelivered WhatsApp message goes again by SMS."""

from __future__ import annotations

import html

import pytest

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from engine.notify import jobs  # noqa: E402
from tests.support import portal as testing  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.postgres
world = testing.world
RX = [{"generic": "Paracetamol", "dose": "500 mg", "frequency": "1-0-1", "duration_days": 3}]


@pytest.fixture
def notify_of_world(world, app):
    """The gateway process's notify service is on the same database as the portal's (handed to
    the process's services after the gateway's app installed them)."""
    jobs.set_service(world.handoff.notify)
    yield world.handoff.notify
    jobs.set_service(None)


def test_a_signed_status_callback_shows_on_the_case_page(world, notify_of_world, hooks):
    doc, _, _ = world.doctor("Webhook Doctor")
    phone = "+919811400001"
    _, case_id = world.booked_case(doc, phone=phone)
    sid = world.handoff.prescribe(doc, case_id, RX).delivery.sid
    assert hooks.post("/twilio/status", {"MessageSid": sid, "MessageStatus": "delivered"}).status_code == 204
    assert hooks.post("/twilio/status", {"MessageSid": sid, "MessageStatus": "read"}).status_code == 204
    page = html.unescape(world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True))
    assert "sent by WhatsApp" in page and " · delivered " in page and " · read " in page

    jobs_before = list(world.scheduler.jobs)
    response = hooks.post("/twilio/status", {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "63024"})
    assert response.status_code == 204  # a failure reported after it was read: no second copy by SMS
    assert world.scheduler.jobs == jobs_before
    (row,) = [r for r in notify_of_world.deliveries(str(case_id)) if r.kind == "prescription"]
    assert (row.twilio_status, row.via, row.fallback) == ("read", "whatsapp", "")


def test_an_undelivered_whatsapp_message_goes_again_by_sms(world, notify_of_world, hooks):
    doc, _, _ = world.doctor("Undelivered Doctor")
    phone = "+919811400002"
    _, case_id = world.booked_case(doc, phone=phone)
    done = world.handoff.prescribe(doc, case_id, RX)
    world.standin.reset()
    response = hooks.post("/twilio/status", {"MessageSid": done.delivery.sid, "MessageStatus": "undelivered",
                                             "ErrorCode": "63024"})
    assert response.status_code == 204
    when, function, args = world.scheduler.jobs[-1]
    assert (function, args) == ("engine.notify.jobs.dispatch", (done.delivery.outbox,))
    assert jobs.dispatch(*args) == "sent"
    (sms,) = world.standin.sent_messages(phone)
    assert "/media/rx/" in sms["Body"][0]
    page = html.unescape(world.client(doc).get(f"/cases/{case_id}").get_data(as_text=True))
    assert "not delivered by WhatsApp: switched to SMS" in page
