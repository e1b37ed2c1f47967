"""Degrade, never drop (issue #21 item 6): the gateway while Rasa or the action server is down.

Signed Twilio webhooks into the real gateway app; "Rasa down" is a real closed port (connection
refused), a real server answering 503, or one answering ``[]`` (what Rasa says while the action
server is down); "Rasa back" is the real Rasa of the test session. Replies that wait go out through
the real outbound path (the twilio client, to the Twilio stand-in).
"""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from channels.app import create_app
from channels.backlog import RedisBacklog, Sealer, SqliteBacklog
from channels.context import Gateway, set_worker_gateway
from channels.rasa import RasaClient
from channels.replay import MAX_EMPTY_TRIES, RasaStillDown, Replayer
from channels.simclient import WebhookClient
from engine.i18n import LATIN, NATIVE, t
from engine.store import MemoryStore

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, FlaskWebhooks, LiveGateway, twiml_messages  # noqa: E402
from tests.support.redis_server import redis_or_skip  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]

SNAKE = {"hi": "saanp ne kaat liya", "pa": "ਮੇਰੇ ਭਰਾ ਨੂੰ ਸੱਪ ਨੇ ਡੰਗ ਲਿਆ", "en": "a snake bit my son on the leg"}
#: The script each is answered in: romanised Hindi gets Latin letters back (engine.i18n.answer_script).
SNAKE_SCRIPT = {"hi": LATIN, "pa": NATIVE, "en": NATIVE}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


class FakeRasaServer:
    """A real HTTP server on the Rasa port that answers every turn with a fixed status and body."""

    def __init__(self, status: int, body: bytes) -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.calls += 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        self.calls = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def down_gateway(settings, rasa_url: str) -> tuple[Gateway, FlaskWebhooks]:
    """A gateway process whose Rasa is at ``rasa_url`` (a fresh memory store: as after a restart)."""
    gateway = Gateway.from_settings(settings, rasa=RasaClient(rasa_url, "token", timeout=5), store=MemoryStore())
    app = create_app(settings, gateway)
    return gateway, FlaskWebhooks(app.test_client(), PUBLIC_BASE, settings.twilio_auth_token)


def finish_jobs(gateway: Gateway) -> None:
    """Waits for the in-process jobs (the ASHA alert of an emergency) so none outlives its test."""
    pool = getattr(gateway.jobs, "pool", None)
    if pool is not None:
        pool.shutdown(wait=True)


@pytest.fixture
def down(channel_settings) -> Iterator[tuple[Gateway, FlaskWebhooks]]:
    gateway, hooks = down_gateway(channel_settings, f"http://127.0.0.1:{closed_port()}")
    yield gateway, hooks
    finish_jobs(gateway)
    set_worker_gateway(None)


@pytest.mark.parametrize("language", ["hi", "pa", "en"])
def test_red_flags_get_the_specific_emergency_advice_while_rasa_is_down(down, standin, language):
    gateway, hooks = down
    user = f"whatsapp:+9198000{language.encode().hex()[:5]}"
    texts = twiml_messages(hooks.message(user, SNAKE[language]).data.decode())
    reply = "\n".join(texts)
    script = SNAKE_SCRIPT[language]
    assert t("core_emergency", language, script=script) in reply
    assert t("core_emergency_tip_snake_bite", language, script=script) in reply
    assert t("channels_unavailable", language, script=script) not in reply
    assert t("channels_delayed", language, script=script) not in reply
    assert gateway.backlog.total() == 0  # answered in full: nothing waits
    # over SMS, the emergency line first (channels.types.sms keeps it whatever else must go to fit 2 segments)
    sms = "+9198000" + language.encode().hex()[:5]
    (sms_reply,) = twiml_messages(hooks.message(sms, SNAKE[language]).data.decode())
    assert sms_reply.startswith(t("core_emergency", language, variant="sms", script=script).replace("⚠️ ", ""))


def test_vital_signs_and_danger_parts_are_checked_too(down):
    _, hooks = down
    reply = "\n".join(twiml_messages(hooks.message("whatsapp:+919800077001", "oxygen 84 hai, saans phool rahi hai")
                                     .data.decode()))
    assert t("core_emergency", "hi", script=LATIN) in reply and t("core_emergency_tip_breathing", "hi", script=LATIN) in reply


def test_a_message_only_the_safety_net_flags_gets_108_while_rasa_is_down(down):
    """The text classifier (nlu.safety_net) is a red flag like the rules: the offline answer says 108 too."""
    from tests.support.red_flags import net_only

    _, hooks = down
    text = net_only()
    reply = "\n".join(twiml_messages(hooks.message("whatsapp:+919800077003", text).data.decode()))
    assert t("core_emergency", "hi", script=LATIN) in reply and "108" in reply
    assert t("channels_delayed", "hi", script=LATIN) not in reply


def test_other_messages_are_kept_in_order_and_the_delay_is_said_once(down, channel_settings):
    gateway, hooks = down
    user = "whatsapp:+919800077002"
    first = twiml_messages(hooks.message(user, "mujhe 2 din se bukhar hai").data.decode())
    assert first == [t("channels_delayed", "hi", script=LATIN)]  # in the letters it was written in
    assert twiml_messages(hooks.message(user, "aur khansi bhi").data.decode()) == []  # said once
    # a red flag in between is answered at once and does not join the queue
    urgent = "\n".join(twiml_messages(hooks.message(user, SNAKE["hi"]).data.decode()))
    assert t("core_emergency_tip_snake_bite", "hi", script=LATIN) in urgent
    assert twiml_messages(hooks.message(user, "sir dard bhi hai").data.decode()) == []
    (sender,) = gateway.backlog.senders()
    assert gateway.backlog.pending(sender) == 3
    # the gateway restarts: a new process finds the same three, in order, sealed on disk
    raw = (channel_settings.var_dir / "channels" / "backlog.sqlite3").read_bytes()
    assert b"bukhar" not in raw and b"+919800077002" not in raw
    restarted, _ = down_gateway(channel_settings, f"http://127.0.0.1:{closed_port()}")
    texts = []
    while (item := restarted.backlog.head(sender)) is not None:
        texts.append(item["text"])
        restarted.backlog.pop(sender)
    assert texts == ["mujhe 2 din se bukhar hai", "aur khansi bhi", "sir dard bhi hai"]


def test_a_kept_message_whose_gateway_died_before_answering_is_not_kept_twice(down):
    """The gateway kept the message (Rasa away) and died before its answer left: the balancer's
    repeat, once the dead claim expired, gets the same answer and the backlog still holds one copy
    (bench/replicas.py found it answered twice: by the repeat through Rasa, and again from the backlog)."""
    gateway, hooks = down
    params = hooks.message_params("whatsapp:+919800077003", "mujhe 2 din se bukhar hai", sid="SMkeptdied1")
    first = twiml_messages(hooks.post("/twilio/messaging", params).data.decode())
    assert first == [t("channels_delayed", "hi", script=LATIN)]  # romanised Hindi: Latin letters
    gateway.store.delete("sid:SMkeptdied1")  # the claim of a gateway that died before it answered, expired
    assert twiml_messages(hooks.post("/twilio/messaging", params).data.decode()) == first
    (sender,) = gateway.backlog.senders()
    assert gateway.backlog.pending(sender) == 1


@pytest.mark.parametrize(("status", "body", "empty"), [(503, b'{"error": "down"}', False), (200, b"[]", True)])
def test_a_failing_rasa_or_a_dead_action_server_keeps_messages_too(channel_settings, standin, status, body, empty):
    fake = FakeRasaServer(status, body)
    try:
        gateway, hooks = down_gateway(channel_settings, fake.url)
        user = "whatsapp:+919800077003"
        assert twiml_messages(hooks.message(user, "pet me dard hai").data.decode()) == [
            t("channels_delayed", "hi", script=LATIN)]  # romanised Hindi: answered in Latin letters
        replayer = Replayer(gateway)
        with pytest.raises(RasaStillDown):
            replayer.run_once()
        (sender,) = gateway.backlog.senders()
        assert gateway.backlog.head(sender)["tries"] == (1 if empty else 0)  # only empty answers count
        if empty:  # a message Rasa really has nothing to say to must not block the queue for ever
            item = gateway.backlog.head(sender)
            gateway.backlog.update_head(sender, {**item, "tries": MAX_EMPTY_TRIES - 1})
            assert replayer.run_once() == 1 and gateway.backlog.total() == 0
            (sent,) = standin.wait_for_messages(user)
            assert t("channels_unavailable", "hi", script=LATIN) in sent["Body"][0]
            assert t("channels_delayed_answer", "hi", time="", script=LATIN)[:10] in sent["Body"][0]
    finally:
        fake.stop()
        finish_jobs(gateway)
        set_worker_gateway(None)


def test_an_sms_stop_meanwhile_drops_the_waiting_answers(down, standin):
    gateway, hooks = down
    user = "+919800077004"
    hooks.message(user, "bukhar hai")
    hooks.message(user, "STOP")
    gateway.rasa = RasaClient(f"http://127.0.0.1:{closed_port()}", "token")
    assert Replayer(gateway).run_once() == 1  # taken off the queue ...
    assert standin.sent_messages(user) == []  # ... and not answered


def test_redis_backlog_keeps_order_across_processes_and_is_sealed(channel_settings):
    url = "redis://127.0.0.1:6379/15"
    redis_or_skip(url)
    import uuid

    prefix = f"saathi:test:{uuid.uuid4().hex[:8]}:"
    sealer = Sealer(channel_settings.sender_salt)
    one, two = RedisBacklog(url, sealer, prefix), RedisBacklog(url, sealer, prefix)
    try:
        assert [one.push("alice", {"text": f"m{i}"}) for i in range(3)] == [1, 2, 3]
        two.push("bob", {"text": "b0"})
        assert two.senders() == ["alice", "bob"] and two.total() == 4
        assert one.claim("alice") and not two.claim("alice")  # one gateway replays a sender at a time
        assert b"m0" not in one.redis.lindex(f"{prefix}backlog:alice", 0)
        texts = []
        while (item := two.head("alice")) is not None:
            texts.append(item["text"])
            two.pop("alice")
        assert texts == ["m0", "m1", "m2"] and two.senders() == ["bob"]
        one.release("alice")
        assert two.claim("alice")
        assert one.forget("bob") == 1 and one.senders() == [] and one.total() == 0  # erasure
    finally:
        for key in one.redis.scan_iter(f"{prefix}*"):
            one.redis.delete(key)


def test_sqlite_backlog_file_is_private(channel_settings):
    backlog = SqliteBacklog(channel_settings.var_dir / "b.sqlite3", Sealer("x" * 40))
    assert backlog.push("s", {"text": "a"}) == 1 and backlog.push("t", {"text": "b"}) == 1
    assert backlog.forget("s") == 1 and backlog.senders() == ["t"]  # erasure of one sender
    assert (channel_settings.var_dir / "b.sqlite3").stat().st_mode & 0o777 == 0o600


@pytest.mark.rasa
def test_waiting_messages_are_answered_in_order_by_rasa_when_it_is_back(rasa_stack, channel_settings, standin):
    """Rasa down: three turns kept; Rasa back (the session's real Rasa): each answered, in order,
    by Rasa, in the patient's language, through the outbound path, with the note of the delay."""
    gateway, hooks = down_gateway(channel_settings, f"http://127.0.0.1:{closed_port()}")
    user = "whatsapp:+919800077005"
    for text in ("नमस्ते", "मुझे बुखार है", "2 दिन से"):
        hooks.message(user, text)
    assert gateway.backlog.total() == 3 and standin.sent_messages(user) == []
    gateway.rasa = RasaClient(rasa_stack.base_url, rasa_stack.token)  # Rasa is back
    assert Replayer(gateway).run_once() == 3
    sent = [m["Body"][0] for m in standin.sent_messages(user)]
    note = t("channels_delayed_answer", "hi", time="{time}").split("{time}")[0]
    answers = [body for body in sent if body.startswith(note)]
    assert len(answers) == 3, sent  # one delayed answer per waiting message (the greeting adds its menu)
    assert t("core_greet", "hi") in answers[0]  # the first waiting message got the first answer
    assert "?" in answers[1] and "?" in answers[2]  # "fever" starts the intake: questions follow
    assert all(re.search("[\u0900-\u097f]{3}", body) for body in answers)  # in Hindi
    assert gateway.backlog.total() == 0
    set_worker_gateway(None)


def test_settings_replace_keeps_salt(channel_settings):
    """The backlog's key comes from the sender salt: a restarted gateway must derive the same one."""
    again = replace(channel_settings)
    sealed = Sealer(channel_settings.sender_salt).seal("s", {"text": "x"})
    assert Sealer(again.sender_salt).open("s", sealed) == {"text": "x"}


@pytest.mark.rasa
def test_killing_rasa_mid_conversation_loses_no_message(rasa_stack, channel_settings, standin):
    """The session's real Rasa is SIGKILLed in the middle of four conversations and started again by
    its supervisor (what ``saathi up`` does); signed webhooks over HTTP to a live gateway with its
    replay thread. Every message gets an answer: at once, or (kept while Rasa was away) later
    through Twilio's REST API. A snake bite meanwhile gets the first aid at once."""
    supervisor, rasa = rasa_stack.supervisor, rasa_stack.supervisor.service("rasa")
    gateway = Gateway.from_settings(channel_settings, rasa=RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=20),
                                    store=MemoryStore())
    server = LiveGateway(create_app(channel_settings, gateway)).start()
    replayer = Replayer(gateway, interval=0.5, max_interval=2.0).start()
    hooks = WebhookClient(server.url, PUBLIC_BASE, channel_settings.twilio_auth_token)
    users = {"whatsapp:+919800088001": ("hi", ["namaste", "mujhe bukhar hai", "3 din se", "haan thand bhi lagti hai"]),
             "whatsapp:+919800088002": ("pa", ["ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "ਮੈਨੂੰ ਖੰਘ ਹੈ", "2 ਦਿਨਾਂ ਤੋਂ", "ਨਹੀਂ"]),
             "+919800088003": ("en", ["hello", "I have a headache", "since yesterday", "no"]),
             "whatsapp:+919800088004": ("hi", ["नमस्ते", "पेट में दर्द है", "कल से", "नहीं"])}
    scripts = {"whatsapp:+919800088001": LATIN}  # romanised Hindi is answered in Latin letters
    immediate: dict[str, list[str]] = {user: [] for user in users}
    kept: dict[str, int] = dict.fromkeys(users, 0)

    def send(user: str, text: str) -> list[str]:
        return twiml_messages(hooks.message(user, text).text)

    try:
        for user, (language, texts) in users.items():  # Rasa up: two turns each, answered in the webhook
            for text in texts[:2]:
                reply = send(user, text)
                delayed = t("channels_delayed", language, script=scripts.get(user, NATIVE))[:8]
                assert reply and delayed not in reply[0], (user, text, reply)
                immediate[user].append(text)
        killed_at = time.monotonic()
        rasa.process.send_signal(signal.SIGKILL)  # mid-conversation
        rasa.process.wait(10)
        snake = "\n".join(send("whatsapp:+919800088001", SNAKE["hi"]))
        assert t("core_emergency_tip_snake_bite", "hi", script=LATIN) in snake  # first aid at once, Rasa dead
        for user, (language, texts) in users.items():  # Rasa down: every other message is kept
            for n, text in enumerate(texts[2:]):
                reply = send(user, text)
                if n == 0:  # said once: kept, will answer, 108 meanwhile
                    delayed = t("channels_delayed", language, script=scripts.get(user, NATIVE))[:8]
                    assert len(reply) == 1 and "108" in reply[0] and delayed in reply[0]
                else:
                    assert reply == [], (user, reply)
                kept[user] += 1
        assert gateway.backlog.total() == sum(kept.values()) == 8
        deadline = time.monotonic() + 300
        while not supervisor.healthy(rasa):  # the supervisor starts it again (after its backoff)
            supervisor.tend()
            assert time.monotonic() < deadline, "Rasa did not come back"
            time.sleep(0.5)
        back_at = time.monotonic()
        while gateway.backlog.total() and time.monotonic() < deadline:
            time.sleep(0.2)
        drained_at = time.monotonic()
        assert gateway.backlog.total() == 0
        note = {user: t("channels_delayed_answer", language, time="{time}", script=scripts.get(user, NATIVE))
                .split("{time}")[0] for user, (language, _) in users.items()}
        delayed = {user: [m["Body"][0] for m in standin.sent_messages(user) if m["Body"][0].startswith(note[user])]
                   for user in users}
        lost = {user: kept[user] - len(delayed[user]) for user in users}
        after = {user: send(user, "thank you") for user in users}  # and the conversation goes on
        print(f"\nkill Rasa mid-conversation: {len(users)} users, {sum(map(len, immediate.values()))} turns before, "
              f"1 red flag answered at once, {sum(kept.values())} kept while down, "
              f"{sum(len(d) for d in delayed.values())} answered late, lost {sum(lost.values())}; "
              f"Rasa back {back_at - killed_at:.0f} s after the kill, backlog drained in {drained_at - back_at:.1f} s")
        assert lost == dict.fromkeys(users, 0), delayed
        assert all(after.values()), after
    finally:
        replayer.stop()
        server.stop()
        finish_jobs(gateway)
        set_worker_gateway(None)
        deadline = time.monotonic() + 300
        while not supervisor.healthy(rasa) and time.monotonic() < deadline:  # leave Rasa up for other tests
            supervisor.tend()
            time.sleep(0.5)


@pytest.mark.rasa
def test_a_dead_action_server_keeps_messages_until_it_is_back(rasa_stack, channel_settings, standin):
    """Rasa up, the action server SIGKILLed: Rasa answers nothing (the action fails), so the gateway
    keeps the message, and answers it once the supervisor has the action server running again."""
    supervisor, actions = rasa_stack.supervisor, rasa_stack.supervisor.service("actions")
    gateway = Gateway.from_settings(channel_settings, rasa=RasaClient(rasa_stack.base_url, rasa_stack.token, timeout=20),
                                    store=MemoryStore())
    hooks = FlaskWebhooks(create_app(channel_settings, gateway).test_client(), PUBLIC_BASE,
                          channel_settings.twilio_auth_token)
    user = "whatsapp:+919800099001"
    try:
        answer = twiml_messages(hooks.message(user, "hello").data.decode())
        assert answer and t("channels_delayed", "en") not in answer  # all up: Rasa answers at once
        os.killpg(actions.process.pid, signal.SIGKILL)  # Sanic's worker process too, not only its manager
        actions.process.wait(10)
        assert twiml_messages(hooks.message(user, "I have fever").data.decode()) == [t("channels_delayed", "en")]
        snake = "\n".join(twiml_messages(hooks.message(user, SNAKE["en"]).data.decode()))
        assert t("core_emergency_tip_snake_bite", "en") in snake
        deadline = time.monotonic() + 120
        while not supervisor.healthy(actions):
            supervisor.tend()
            assert time.monotonic() < deadline, "the action server did not come back"
            time.sleep(0.5)
        replayer = Replayer(gateway)
        while gateway.backlog.total() and time.monotonic() < deadline:
            with contextlib.suppress(RasaStillDown):
                replayer.run_once()
            time.sleep(0.5)
        (late,) = [m["Body"][0] for m in standin.sent_messages(user)]
        note = t("channels_delayed_answer", "en", time="{time}").split("{time}")[0]
        assert late.startswith(note) and len(late.split("\n\n", 1)[-1]) > 20  # the note, then Rasa's answer
    finally:
        finish_jobs(gateway)
        set_worker_gateway(None)
        deadline = time.monotonic() + 120
        while not supervisor.healthy(actions) and time.monotonic() < deadline:
            supervisor.tend()
            time.sleep(0.5)


def test_a_caller_with_a_red_flag_hears_the_first_aid_while_rasa_is_down(down):
    """Phone calls cannot wait for a later answer: a red flag is answered by the gateway itself."""
    import xml.etree.ElementTree as ET

    _, hooks = down
    sid, caller = "CAdegrade1", "+919800077010"
    hooks.call_step("language", sid, caller, Digits="1")
    root = ET.fromstring(hooks.call_step("turn", sid, caller, SpeechResult="saanp ne kaat liya",
                                         Confidence="0.9").data.decode())
    spoken = " ".join((s.text or "") for s in root.iter("Say"))
    assert "108" in spoken and "एंटी-वेनम" in spoken, spoken  # the Hindi snake-bite first aid, spoken


def test_a_message_sealed_under_another_salt_is_dropped_not_stuck(down, channel_settings):
    gateway, hooks = down
    hooks.message("whatsapp:+919800077011", "pet dard hai")
    (sender,) = gateway.backlog.senders()
    gateway.backlog = SqliteBacklog(gateway.backlog.path, Sealer("another salt " * 4))  # the salt was changed
    with pytest.raises(RasaStillDown):  # a new message behind it still waits for Rasa, and is not blocked
        gateway.backlog.push(sender, {"channel": "whatsapp", "address": "whatsapp:+919800077011", "to": "",
                                      "text": "aur bukhar", "at": time.time(), "language": "hi"})
        Replayer(gateway).run_once()
    assert gateway.backlog.pending(sender) == 1 and gateway.backlog.head(sender)["text"] == "aur bukhar"
