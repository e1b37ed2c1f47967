"""The patient's record from the chat, end to end on the production shape (issue #14): signed
WhatsApp webhooks to the gateway, Rasa with two workers on a PostgreSQL tracker store and a Redis
lock store, the action server on a PostgreSQL records database (``tests/support/live.py``)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.live import ANSWERS, LiveStack, live_stack, starts
from tests.support.live import intake as live_intake

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
pytest_plugins = ["tests.channels_fixtures"]
pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

SCRIPT = {  # complaint, "my records", "delete my data", the confirmation
    "hi": ("मुझे 3 दिन से बुखार और खांसी है", "मेरे रिकॉर्ड दिखाओ", "मेरा सारा डेटा मिटा दो", "हाँ"),
    "pa": ("ਮੈਨੂੰ ਬੁਖਾਰ ਅਤੇ ਖੰਘ ਹੈ", "ਮੇਰੇ ਰਿਕਾਰਡ ਦਿਖਾਓ", "ਮੇਰਾ ਸਾਰਾ ਡਾਟਾ ਮਿਟਾ ਦਿਓ", "ਹਾਂ"),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, standin):
    with live_stack(tmp_path_factory.mktemp("live-var"), standin) as live:
        yield live
        times = sorted(live.turn_seconds)
        if times:
            print(f"\nlive stack: {len(times)} turns, median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s")


def intake(stack: LiveStack, address: str, language: str, max_turns: int = 16) -> tuple[str, list[str]]:
    """From the complaint to the triage answer; returns that answer and the questions asked."""
    return live_intake(stack, address, language, SCRIPT[language][0], max_turns)


@pytest.mark.parametrize("language", ["hi", "pa"])
def test_a_check_kept_by_number_or_word_is_in_my_records_and_is_deleted(stack: LiveStack, language: str):
    """Finding 4: "1" or "हाँ" to "keep this check?" keeps it (the slot holds "yes"), "my records"
    shows it, "delete my data" removes it — through the signed gateway on two Rasa workers."""
    address = stack.new_address()
    _, questions = intake(stack, address, language)
    assert questions[-1] == "core_ask_records_consent", questions
    slots = stack.tracker(address)["slots"]
    assert slots["records_consent"] == "yes", slots["records_consent"]

    records = stack.say(address, SCRIPT[language][1])
    assert starts(records, "core_records_header", language), records
    assert records.count("→") == 1 and ANSWERS[language]["core_ask_symptom_text"] in records, records

    # the question is not asked again for the next check
    _, again = intake(stack, address, language)
    assert "core_ask_records_consent" not in again, again
    assert stack.say(address, SCRIPT[language][1]).count("→") == 2  # both checks listed

    assert starts(stack.say(address, SCRIPT[language][2]), "records_delete_confirm", language)
    assert starts(stack.say(address, SCRIPT[language][3]), "records_deleted", language)
    assert starts(stack.say(address, SCRIPT[language][1]), "core_records_empty", language)


def escaped(text: str) -> list[bytes]:
    """How a text can sit in a file or a database dump: as UTF-8, as Rasa's ASCII-escaped JSON, and
    that JSON in pg_dump's COPY format (backslashes doubled)."""
    as_json = json.dumps(text)[1:-1]
    return [text.encode(), as_json.encode(), as_json.replace("\\", "\\\\").encode()]


def pg_dump(url: str) -> bytes:
    return subprocess.run(["pg_dump", "--no-owner", "--data-only", "--dbname", url], check=True,
                          capture_output=True, timeout=120).stdout


def test_after_a_confirmed_erasure_nothing_of_the_conversation_is_readable(stack: LiveStack):
    """Finding 3: "delete my data" removes the conversation from the tracker database and the
    tracker API, the sender's Redis keys and the exports, not only the records."""
    address, bystander = stack.new_address(), stack.new_address()
    complaint, records_text, delete_text, yes = SCRIPT["hi"]
    intake(stack, address, "hi")
    intake(stack, bystander, "pa")  # another patient, in words of their own
    assert starts(stack.say(address, "मेरा सारा डेटा एक्सपोर्ट करो"), "records_export_ready", "hi")
    exports = stack.settings.var_dir / "exports"
    assert [p for p in exports.rglob("*") if p.is_file()]
    secrets = [complaint, ANSWERS["hi"]["core_ask_age"], ANSWERS["hi"]["core_ask_duration_days"]]
    sender = stack.sender(address).encode()
    dump = pg_dump(stack.tracker_db_url)
    assert sender in dump and all(any(form in dump for form in escaped(s)) for s in secrets)  # the check is real
    assert complaint in json.dumps(stack.tracker(address), ensure_ascii=False)
    assert stack.redis_keys(address)

    assert starts(stack.say(address, delete_text), "records_delete_confirm", "hi")
    assert starts(stack.say(address, yes), "records_deleted", "hi")

    dump = pg_dump(stack.tracker_db_url)
    assert sender not in dump, "the erased conversation's events are still in the tracker database"
    for secret in secrets:
        assert not any(form in dump for form in escaped(secret)), f"{secret!r} still in the tracker database"
    assert stack.sender(bystander).encode() in dump  # only that conversation went
    assert stack.redis_keys(address) == []
    assert not [p for p in exports.rglob("*") if p.is_file()]
    tracker = json.dumps(stack.tracker(address), ensure_ascii=False)
    for secret in secrets:
        assert secret not in tracker
    assert stack.tracker(address)["slots"].get("records_consent") is None
    records_dump = pg_dump(stack.settings.database_url)  # the records database: sealed, and now shredded
    assert b"COPY public.symptom_reports" in records_dump
    for secret in secrets:
        assert not any(form in records_dump for form in escaped(secret)), f"{secret!r} in the records database"
    for path in (p for p in stack.settings.var_dir.rglob("*") if p.is_file() and p.suffix in (".log", ".json")):
        data = path.read_bytes()
        for secret in secrets:
            assert not any(form in data for form in escaped(secret)), f"{secret!r} in {path.name}"
    # the patient starts afresh: an empty record, the consent question asked again
    assert starts(stack.say(address, records_text), "core_records_empty", "hi")
    _, questions = intake(stack, address, "hi")
    assert "core_ask_records_consent" in questions
