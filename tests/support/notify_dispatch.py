"""One dispatch of an outbox row through the real Twilio transport, in a process of its own.

``python -m tests.support.notify_dispatch DATABASE_URL TWILIO_URL ROW_ID [LEASE_SECONDS]``: the
row is sent by :class:`engine.notify.NotifyService` with :class:`engine.notify.twilio.TwilioTransport`
over a real ``TwilioSender`` (one try) to the Twilio stand-in at ``TWILIO_URL``, and the row's new
status is printed. With ``LEASE_SECONDS`` the process first reclaims rows ``sending`` for longer
than that, as a restarted process's start-up sweep does. A test SIGKILLs the first such process
after the stand-in has taken the message (it holds its answer) and runs a second one: the restart.
Fields open to :data:`tests.support.notify_worker.FIELDS`; everyone has a number (``anyone``).
"""

from __future__ import annotations

import datetime as dt
import sys
from types import SimpleNamespace

#: the stand-in's credentials (tests.twilio_standin.TwilioStandin's defaults)
ACCOUNT = {"twilio_account_sid": "ACtest", "twilio_auth_token": "test-token"}


def transport(twilio_url: str):  # type: ignore[no-untyped-def]
    """The production transport and sender, one try per send, pointed at the stand-in."""
    from engine.notify.twilio import TwilioTransport
    from engine.outbound import TwilioSender
    from engine.store import MemoryStore

    settings = SimpleNamespace(**ACCOUNT, twilio_api_base_url=twilio_url, gateway_base_url="http://127.0.0.1:9",
                               twilio_whatsapp_from="whatsapp:+14155238886", twilio_sms_from="+14155238887",
                               sender_salt="salt")
    return TwilioTransport(TwilioSender(settings, MemoryStore(), attempts=1))


def main(url: str, twilio_url: str, row_id: str, lease: str = "") -> None:
    from engine.notify import NotifyService
    from records.db import make_engine, make_session_factory
    from tests.support.notify import DictState, ManualScheduler
    from tests.support.notify_worker import AnyoneBook, FixedFields

    service = NotifyService(make_session_factory(make_engine(url)), AnyoneBook(), transport(twilio_url), DictState(),
                            ManualScheduler(), quiet_hours=(0, 0), templates={}, sealer=FixedFields(),
                            sending_lease=dt.timedelta(seconds=float(lease or 120)))
    if lease:
        service.reclaim()
    print(service.dispatch(row_id), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
