"""Offline batches: several commands per message, in order, idempotent, one compact summary."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.asha.models import AshaPatient, FollowUp
from engine.asha.text import limit_for
from tests.support.asha import new_phone, verified_worker

pytest_plugins = ["tests.asha_fixtures"]


@pytest.fixture(autouse=True)
def _fast_triage(asha):
    from tests.test_asha_commands import fake_triage

    asha._triage = fake_triage


def counts(asha, worker):
    with asha.sessions() as s:
        patients = s.scalar(select(func.count()).select_from(AshaPatient).where(AshaPatient.asha_id == worker.user_id))
        follow = s.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.asha_id == worker.user_id))
    return patients, follow


def test_batch_in_order_with_refs_and_idempotent(asha, referrals):
    worker = verified_worker(asha, new_phone(), language="en")
    first = asha.handle(worker, "#1 REG Sita Devi 25 F Dhuri\n#2 REG Ram Lal 60 M Dhuri\n#3 REG Kiran 30 Dhuri")
    assert first.startswith("2/3 done: 1:") and "3:x" in first and "3: Sex missing: REG name age sex village" in first
    sita, ram = re.findall(r"\d:([A-Z]{2}\d{3})", first)
    batch = f"#4 VISIT {sita} bukhar\n#5 VISIT {ram} behosh\n#6 PREG {sita} LMP 01/09/26\n#7 LIST\n#8 DONE {sita}"
    reply = asha.handle(worker, batch)
    assert reply.startswith("5/5 done:") and f"5:108!{ram}" in reply and len(reply) <= limit_for(reply)
    before = counts(asha, worker), len(referrals.calls)
    again = asha.handle(worker, batch)  # the phone resends the whole batch
    assert (counts(asha, worker), len(referrals.calls)) == before
    assert again.startswith("5/5 done:") and f"5:108!{ram}" in again
    # resending the registration batch registers nobody twice; the corrected line 3 now goes through
    fixed = asha.handle(worker, "#1 REG Sita Devi 25 F Dhuri\n#2 REG Ram Lal 60 M Dhuri\n#3 REG Kiran 30 F Dhuri")
    assert fixed.startswith("3/3 done:") and counts(asha, worker)[0] == 3
    assert f"1:{sita}" in fixed


def test_lines_without_reference_are_deduplicated_per_day(asha, clock):
    worker = verified_worker(asha, new_phone(), language="en")
    code = re.findall(r"[A-Z]{2}\d{3}", asha.handle(worker, "REG Sita 25 F Dhuri"))[-1]
    asha.handle(worker, f"VISIT {code} bukhar\nLIST")
    assert asha.handle(worker, f"VISIT {code} bukhar") == f"Already saved earlier: {code}"
    clock.advance(days=1)
    assert asha.handle(worker, f"VISIT {code} bukhar").startswith(f"Visit {code} saved")


def test_long_batch_summary_fits_two_segments_in_every_script(asha):
    for language, reg in (("en", "REG Sita 25 F Dhuri"), ("hi", "पंजीकरण सीता २५ महिला धूरी"),
                          ("pa", "ਰਜਿਸਟਰ ਸੀਤਾ ੨੫ ਔਰਤ ਧੂਰੀ")):
        worker = verified_worker(asha, new_phone(), language=language)
        lines = [f"#{i} {reg.replace('२५', str(20 + i)).replace('੨੫', str(20 + i)).replace('25', str(20 + i))}"
                 for i in range(12)] + ["#99 VISIT"]
        reply = asha.handle(worker, "\n".join(lines))
        assert len(reply) <= limit_for(reply), (language, len(reply), reply)
        assert reply.startswith("12/13")
