"""A reminder whose sender died after Twilio took it is not sent again (issue #21, reconcile).

Twilio's Messages API has no idempotency key, so before a row whose earlier send's outcome is
unknown goes again, the outbox lists the messages Twilio holds for the recipient since the send's
intent and looks for this one (``NotifyService.reconcile``). Through the real transport and sender
against the Twilio stand-in, on PostgreSQL:

* a process is SIGKILLed after the stand-in took the message and before the row said ``sent``;
  the restarted process reclaims the row, finds the message and sends nothing: exactly one;
* a send whose answer was a 5xx (Twilio may or may not have it) is looked for, not found, and
  sent again: exactly one;
* when Twilio cannot be asked, nothing is sent blind: the row waits for another try.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from engine.notify import migrate
from engine.notify.models import Outbox
from records.db import make_engine, make_session_factory
from tests.support.notify import stand_in_service
from tests.support.notify_dispatch import transport
from tests.support.notify_worker import FIELDS, AnyoneBook, FixedFields, anyone
from tests.support.records import fresh_pg_database
from tests.twilio_standin import TwilioStandin

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def standin():
    twilio = TwilioStandin().start()
    yield twilio
    twilio.release_answers()
    twilio.stop()


@pytest.fixture
def outbox_url():
    with fresh_pg_database("saathi_reconcile") as url:
        migrate(url)
        yield url


def schedule(url: str) -> tuple[uuid.UUID, str]:
    """A reminder due now for someone; its id and the number it goes to (SMS: no WhatsApp seen)."""
    person = uuid.uuid4()
    row_id = stand_in_service(url).schedule(person, "asha_notify_checkup", FIELDS, dt.datetime.now(dt.timezone.utc),
                                            dedupe=f"reconcile-{person}", kind="checkup", urgent=True)
    assert row_id is not None
    return row_id, anyone(person).address


def row(url: str, row_id: uuid.UUID) -> Outbox:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            return s.get(Outbox, row_id)
    finally:
        engine.dispose()


def sender_service(url: str, standin: TwilioStandin):  # type: ignore[no-untyped-def]
    """This process's outbox over the real transport to the stand-in (what the dispatch process builds)."""
    service = stand_in_service(url, transport=transport(standin.url), sealer=FixedFields(), quiet_hours=(0, 0))
    service.addresses = AnyoneBook()
    return service


def dispatcher(url: str, standin: TwilioStandin, row_id: uuid.UUID, *lease: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.support.notify_dispatch", url, standin.url, str(row_id), *lease],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def listed(standin: TwilioStandin) -> int:
    return sum(r.method == "GET" and r.path.endswith("/Messages.json") for r in standin.requests)


def test_a_reminder_twilio_took_before_its_sender_died_is_not_sent_again(outbox_url, standin):
    row_id, number = schedule(outbox_url)
    standin.hold_answers()  # Twilio takes the message; its answer never reaches the sender
    first = dispatcher(outbox_url, standin, row_id)
    deadline = time.monotonic() + 60
    while not standin.sent_messages(to=number):
        assert time.monotonic() < deadline and first.poll() is None, "the message never reached the stand-in"
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)  # after Twilio has it, before the row says sent
    first.wait(10)
    standin.release_answers()
    crashed = row(outbox_url, row_id)
    assert crashed.status == "sending" and crashed.intent and crashed.sid == ""

    time.sleep(1.2)  # past the restarted process's lease (1 s here, 2 min in production)
    restart = dispatcher(outbox_url, standin, row_id, "1")
    out, _ = restart.communicate(timeout=60)
    assert out.split() == ["sent"]
    assert len(standin.sent_messages(to=number)) == 1  # exactly one message
    assert listed(standin) >= 1  # found by asking Twilio, not by luck
    done = row(outbox_url, row_id)
    assert (done.status, done.sid, done.via, done.intent) == ("sent", standin.created[0]["sid"], "sms", "")


def test_a_send_whose_outcome_is_unknown_and_that_twilio_lacks_is_sent_again_once(outbox_url, standin):
    row_id, number = schedule(outbox_url)
    service = sender_service(outbox_url, standin)
    standin.fail_next(500)  # the ask failed: taken or not, the sender cannot tell
    assert service.dispatch(row_id) == "scheduled"
    assert row(outbox_url, row_id).intent  # kept for the next try
    assert service.dispatch(row_id) == "sent"  # listed, not found, sent
    assert listed(standin) == 2  # WhatsApp and SMS addresses asked
    assert len([m for m in standin.created if m["to"] == number]) == 1
    assert row(outbox_url, row_id).intent == ""


def test_nothing_is_sent_blind_when_twilio_cannot_be_asked(outbox_url, standin):
    row_id, number = schedule(outbox_url)
    service = sender_service(outbox_url, standin)
    standin.fail_next(500, 500)  # the send, then the list
    assert service.dispatch(row_id) == "scheduled"
    assert service.dispatch(row_id) == "scheduled"
    waiting = row(outbox_url, row_id)
    assert (waiting.error, bool(waiting.intent)) == ("unreconciled", True)
    assert standin.created == []
    assert service.dispatch(row_id) == "sent"  # Twilio answers again: listed, not found, sent once
    assert len([m for m in standin.created if m["to"] == number]) == 1
