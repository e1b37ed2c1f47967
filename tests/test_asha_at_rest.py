"""ASHA follow-ups and notifications at rest (PostgreSQL): a pg_dump of the database after a
pregnancy, a newborn's vaccinations, a visit, a referral and the morning summary holds none of
their labels, no patient name, no message field and no readable dedupe key — yet the service
reads them all back."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from engine import schema
from engine.asha import migrate as migrate_asha
from engine.notify import NotifyService, producers
from engine.notify import migrate as migrate_notify
from engine.notify.addresses import RecordsAddressBook, RecordsSealer
from records.db import make_engine, make_session_factory
from tests.support.asha import Clock, build, new_phone, verified_worker
from tests.support.notify import DictState, ManualScheduler, RecordingTransport
from tests.support.records import TEST_SENDER_SALT, build_service, fresh_pg_database

pytestmark = pytest.mark.postgres
SECRETS = ["ANC-", "EDD", "BCG", "OPV", "Penta", "Measles", "VISIT", "REFER", "immunisation", "delivery",
           "referral", "Gurmeet", "Jaspreet", "Good morning", "follow-ups", "sos:", "daily:", "checkup:"]


def test_pg_dump_holds_no_follow_up_label_or_message_field(tmp_path: Path) -> None:
    from tests.test_asha_commands import fake_triage

    with fresh_pg_database("saathi_asha_rest") as url:
        schema.upgrade(url, target=schema.PORTAL)
        records = build_service(url, tmp_path / "keys.json", tmp_path / "files")
        migrate_asha(url, records)
        migrate_notify(url, records)
        clock = Clock()
        notify = NotifyService(make_session_factory(make_engine(url)), RecordsAddressBook(records, TEST_SENDER_SALT),
                               RecordingTransport(), DictState(), ManualScheduler(), clock=clock,
                               sealer=RecordsSealer(records))
        asha = build(url, records, clock, triage_fn=fake_triage,
                     on_due=lambda pid, due, ref: producers.checkup_reminder(notify, pid, due, ref=ref))
        asha.alerts = producers.asha_alerts(notify, asha)
        worker = verified_worker(asha, new_phone(), language="en")
        mother = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, f"REG Gurmeet Kaur 24 F Dhuri {new_phone()}"))[-1]
        baby = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, f"REG Jaspreet 1 months F Dhuri {new_phone()}"))[-1]
        asha.handle(worker, f"PREG {mother} LMP 01/09/26\nVISIT {mother} behosh\nREFER {mother}\nCHILD {baby} 01/11/26")
        today = asha.today()
        assert producers.daily_summaries(notify, asha, today) == 1
        labels = {r.label.split(" ")[0] for r in asha.open_follow_ups(worker.user_id)}
        assert {"ANC-2", "EDD", "VISIT", "REFER", "BCG"} <= labels  # readable through the service
        assert len(notify.pending()) >= 4  # check-up reminders and the summary, sealed

        dump = subprocess.run(["pg_dump", "--no-owner", "--data-only", "--dbname", url], check=True,
                              capture_output=True).stdout
        assert b"COPY public.asha_followups" in dump and b"COPY public.notify_outbox" in dump
        for secret in SECRETS:  # as written (sealed bytes are dumped as lowercase hex: "edd" occurs there)
            at = dump.find(secret.encode())
            assert at < 0, f"{secret!r} readable in pg_dump: {dump[max(0, at - 300):at + 60]!r}"
