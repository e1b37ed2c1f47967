"""Step-up identity (issue #14 finding 5): codes, PINs, locks and the day's worker PIN, over the
gateway's store and the real records database (argon2 hashes on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from config.timezone import IST
from engine.stepup import (
    MAX_TRIES,
    Outcome,
    StepUp,
    call_pseudonym,
    entered_secret,
    good_pin,
    pin_to_set,
    withheld,
)
from engine.store import MemoryStore
from records.models import AccessPin
from tests.support.records import pg_url, records_dirs, svc  # noqa: F401

SENDER = "u-0123456789abcdef0123456789abcdef"


@pytest.fixture
def step(svc):  # noqa: F811
    return StepUp(MemoryStore(), svc, "a-test-salt-that-is-long-enough-for-hmac")


def test_pin_is_kept_only_as_an_argon2_hash_under_a_keyed_digest(svc):  # noqa: F811
    svc.set_access_pin(SENDER, "4821")
    with svc._sessions() as session:
        rows = session.scalars(select(AccessPin)).all()
    stored = [r for r in rows if r.subject_hmac == svc._pin_digest(SENDER)]
    assert len(stored) == 1 and stored[0].pin_hash.startswith("$argon2id$")
    assert "4821" not in stored[0].pin_hash and SENDER.encode() not in stored[0].subject_hmac
    assert svc.check_access_pin(SENDER, "4821") is True
    assert svc.check_access_pin(SENDER, "4822") is False
    assert svc.check_access_pin("u-nobody", "4821") is None
    svc.forget_access_pin(SENDER)
    assert svc.check_access_pin(SENDER, "4821") is None


def test_code_opens_once_and_wrong_codes_lock(step):
    code = step.challenge(SENDER, "my records")
    assert code and len(code) == 6 and code not in str(step.store._data)  # kept hashed only
    assert step.challenge(SENDER, "my records") is None  # no second code while the first is valid
    wrong = "000000" if code != "000000" else "111111"
    assert step.enter(SENDER, wrong).left == MAX_TRIES - 1
    opened = step.enter(SENDER, code)
    assert opened.outcome is Outcome.OPENED and opened.text == "my records" and step.granted(SENDER)
    assert step.enter(SENDER, code).outcome is Outcome.WRONG  # used up

    other = "u-other"
    code = step.challenge(other, "delete my data")
    for _ in range(MAX_TRIES - 1):
        assert step.enter(other, wrong).outcome is Outcome.WRONG
    assert step.enter(other, wrong).outcome is Outcome.LOCKED
    assert step.enter(other, code).outcome is Outcome.LOCKED  # even the right code, while locked
    assert step.challenge(other, "my records") is None and not step.granted(other)


def test_pin_opens_records_and_the_workers_day(step, svc):  # noqa: F811
    svc.set_access_pin(SENDER, "5937")
    step.challenge(SENDER, "my records")
    assert step.enter(SENDER, "5937").outcome is Outcome.OPENED

    assert not step.worker_open_today(SENDER)
    assert step.enter_worker_pin(SENDER, "1111").outcome is Outcome.WRONG
    assert step.enter_worker_pin(SENDER, "5937").outcome is Outcome.OPENED
    assert step.worker_open_today(SENDER)
    tomorrow = StepUp(step.store, svc, "a-test-salt-that-is-long-enough-for-hmac",
                      clock=lambda: dt.datetime.now(IST) + dt.timedelta(days=1))
    assert not tomorrow.worker_open_today(SENDER)  # asked again the next day


@pytest.mark.parametrize("address", ["anonymous", "Anonymous", "+266696687", "restricted", "", "tel:",
                                     "12345", "+91", "client:alice", "+9198765432101234"])
def test_withheld_or_invalid_caller_ids(address):
    assert withheld(address)


@pytest.mark.parametrize("address", ["+919876543210", "tel:+919876543210", "+15550001111"])
def test_real_caller_ids(address):
    assert not withheld(address)


def test_call_pseudonyms_are_per_call_and_never_a_numbers():
    first, second = call_pseudonym("CA1", "salt"), call_pseudonym("CA2", "salt")
    assert first != second and first.startswith("c-") and call_pseudonym("CA1", "salt") == first


@pytest.mark.parametrize(("text", "digits"), [("482193", "482193"), ("PIN 4821", "4821"), ("pin: 4821", "4821"),
                                              ("4821#", "4821"), ("कोड 482193", "482193"), ("my records", None),
                                              ("123", None), ("PIN 141001 Sangrur", None)])
def test_entered_secret(text, digits):
    assert entered_secret(text) == digits


@pytest.mark.parametrize(("text", "pin"), [("SET PIN 4821", "4821"), ("set pin 5937", "5937"),
                                           ("पिन सेट 4821", "4821"), ("SET PIN 1234", ""), ("SET PIN 1111", ""),
                                           ("SET PIN 12", ""), ("PIN 141001", None), ("dolo 650", None)])
def test_pin_to_set(text, pin):
    assert pin_to_set(text) == pin


def test_good_pins():
    assert good_pin("4821") and good_pin("593712")
    assert not any(good_pin(p) for p in ("1234", "9876", "0000", "12", "1234567", "12a4"))
