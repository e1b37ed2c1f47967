"""The gateway finds the records user of a number in one query (issue #15, gateway CPU): the phone
identity first, else the bot's pseudonym of the number, exactly as two ``find_user`` calls did."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import schema
from records import RecordsService
from records.crypto import FileKeyProvider
from records.db import make_engine, make_session_factory
from records.identity import sender_id
from records.storage import LocalFileStore

SALT = "gateway-salt" * 3


@pytest.fixture
def svc(tmp_path: Path) -> RecordsService:
    url = f"sqlite:///{tmp_path / 'saathi.db'}"
    schema.upgrade(url, target="records@head")
    return RecordsService(make_session_factory(make_engine(url)), FileKeyProvider(tmp_path / "keys" / "master.json"),
                          LocalFileStore(tmp_path / "records"))


def test_the_phone_identity_then_the_pseudonym_as_two_lookups_found_them(svc: RecordsService) -> None:
    by_phone = svc.get_or_create_patient("whatsapp", "+919811300001")  # as an ASHA or the portal registers
    by_bot = svc.get_or_create_patient("sender", sender_id("whatsapp:+919811300002", SALT))  # as the bot does
    for address in ("whatsapp:+919811300001", "whatsapp:+919811300002", "whatsapp:+919811300003", "sms:+919811300001"):
        two_lookups = svc.find_user("phone", address) or svc.find_user("sender", sender_id(address, SALT))
        assert svc.number_owner(address, SALT) == two_lookups
    assert svc.number_owner("whatsapp:+919811300001", SALT) == by_phone
    assert svc.number_owner("whatsapp:+919811300002", SALT) == by_bot
    assert svc.number_owner("whatsapp:+919811300003", SALT) is None


def test_the_first_known_pair_wins_whatever_the_rows_order(svc: RecordsService) -> None:
    first = svc.get_or_create_patient("whatsapp", "+919811300011")
    second = svc.get_or_create_patient("sender", "u-second")
    assert svc.first_user([("phone", "+919811300011"), ("sender", "u-second")]) == first
    assert svc.first_user([("sender", "u-second"), ("phone", "+919811300011")]) == second
    assert svc.first_user([("sender", "u-nobody"), ("phone", "098113 00011")]) == first  # spelt another way
    assert svc.first_user([("sender", "u-nobody")]) is None
    assert svc.first_user([]) is None
