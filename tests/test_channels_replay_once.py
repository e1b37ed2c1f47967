"""A message Rasa has already taken is not run again (bench/replicas.py: "processed twice by Rasa").

Through the session's real Rasa (rasa_ext.rest in front of it): the gateway gives up waiting while
Rasa finishes the turn anyway, keeps the message and replays it later; the replay must get the
turn's answer from the tracker, not a second turn, and the person must get that answer once.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from channels.context import set_worker_gateway
from channels.rasa import MESSAGE_ID, RasaClient
from channels.replay import Replayer
from engine.i18n import t
from records.identity import sender_id

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import twiml_messages  # noqa: E402
from tests.test_channels_degrade import closed_port, down_gateway  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]


def user_events(rasa_stack, sender: str) -> list[dict]:
    response = requests.get(f"{rasa_stack.base_url}/conversations/{sender}/tracker",
                            params={"token": rasa_stack.token}, timeout=30)
    response.raise_for_status()
    return [e for e in response.json().get("events", []) if e.get("event") == "user"]


def bot_texts(rasa_stack, sender: str) -> list[str]:
    response = requests.get(f"{rasa_stack.base_url}/conversations/{sender}/tracker",
                            params={"token": rasa_stack.token}, timeout=30)
    return [e.get("text") or "" for e in response.json().get("events", []) if e.get("event") == "bot"]


@pytest.mark.rasa
def test_a_replayed_message_rasa_already_answered_is_not_run_again(rasa_stack, channel_settings, standin):
    """Rasa took the message and ran the turn, but its answer never reached the webhook (the
    gateway gave up waiting, or died): the message waits in the backlog under its MessageSid. The
    replay gets that turn's answer from the tracker (one user message there) and sends it once."""
    gateway, hooks = down_gateway(channel_settings, f"http://127.0.0.1:{closed_port()}")
    user, sid = "whatsapp:+919800055101", "SM" + uuid.uuid4().hex
    sender = sender_id(user, channel_settings.sender_salt)
    try:
        # the first delivery as Rasa saw it: the gateway's request, whose answer was lost on the way back
        RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=120).send(
            sender, "hello", {MESSAGE_ID: sid, "channel": "whatsapp"})
        answered = bot_texts(rasa_stack, sender)
        assert answered and len(user_events(rasa_stack, sender)) == 1
        # what the gateway kept of it (Rasa did not answer it in time)
        assert twiml_messages(hooks.message(user, "hello", sid=sid).data.decode()) == [t("channels_delayed", "hi")]
        assert gateway.backlog.total() == 1

        gateway.rasa = RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=120)  # Rasa is back
        assert Replayer(gateway).run_once() == 1
        (event,) = user_events(rasa_stack, sender)  # not run again
        assert event["message_id"] == sid == event["metadata"][MESSAGE_ID]
        assert bot_texts(rasa_stack, sender) == answered
        sent = [m["Body"][0] for m in standin.sent_messages(user)]  # the answer, then the greeting's menu
        # the answer of the turn Rasa ran (after the note of the delay), delivered once
        assert sum(answered[0].strip() in body for body in sent) == 1 and len(sent) == len(set(sent)) <= 2, sent
        assert gateway.backlog.total() == 0
    finally:
        set_worker_gateway(None)


@pytest.mark.rasa
def test_two_copies_of_one_message_at_once_make_one_turn_with_one_answer(rasa_stack):
    """Two copies of a message at the same time (a load balancer's repeat while the first is still
    being answered): the second waits for the conversation's lock and gets the first one's answer."""
    sender = f"test-once-{time.time_ns()}"
    metadata = {MESSAGE_ID: "SM" + "1" * 32, "channel": "whatsapp"}
    answers: list[list[str]] = []

    def ask() -> None:
        messages = RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=120).send(sender, "hello", metadata)
        answers.append([m.text for m in messages])

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2 and answers[0] == answers[1] and answers[0]
    assert len(user_events(rasa_stack, sender)) == 1
    # a new message (another id) is a new turn
    RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=120).send(sender, "hello", {**metadata, MESSAGE_ID: "SM2"})
    assert len(user_events(rasa_stack, sender)) == 2


def test_a_message_kept_twice_is_answered_once_and_a_late_repeat_gets_nothing(channel_settings, standin):
    """A gateway kept a message and died before its webhook was answered; the repeat, on another
    gateway once the claim expired, kept it again (bench/replicas.py). The replay answers the first
    copy and skips the second; a repeat of the webhook after that is answered with nothing."""
    from tests.channels_fixtures import ScriptedRasa

    gateway, hooks = down_gateway(channel_settings, f"http://127.0.0.1:{closed_port()}")
    user, sid = "whatsapp:+919800055102", "SM" + uuid.uuid4().hex
    sender = sender_id(user, channel_settings.sender_salt)
    try:
        assert twiml_messages(hooks.message(user, "hello", sid=sid).data.decode()) == [t("channels_delayed", "hi")]
        gateway.backlog.push(sender, dict(gateway.backlog.head(sender)))  # the repeat's copy
        assert gateway.backlog.total() == 2
        gateway.rasa = rasa = ScriptedRasa()  # Rasa is back
        assert Replayer(gateway).run_once() == 2  # both copies leave the backlog
        sent = [m["Body"][0] for m in standin.sent_messages(user)]
        assert sum(t("core_greet", "en") in body for body in sent) == 1, sent  # answered once
        assert len(rasa.calls) == 1
        for key in (f"reply:{sender}:{sid}", f"sid:{sid}"):  # the kept answer and the claim have expired
            gateway.store.delete(key)
        assert twiml_messages(hooks.message(user, "hello", sid=sid).data.decode()) == []  # a late repeat
        assert len(rasa.calls) == 1 and len(standin.sent_messages(user)) == len(sent)
    finally:
        set_worker_gateway(None)
