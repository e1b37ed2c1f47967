"""Erasure that erases and transcripts that expire (issue #14, finding 3), part by part: the gateway's
keys, uploads and jobs; Rasa's tracker stores (run in Rasa's own Python); the retention job on a
PostgreSQL tracker database. ``tests/test_live_records.py`` does the whole of it on the live stack."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
import uuid
from dataclasses import dataclass, field, replace

import pytest
from sqlalchemy import create_engine, text

from channels.app import create_app
from channels.context import Gateway
from channels.jobs import RqQueue
from channels.rasa import parse_reply
from config.paths import ROOT
from config.settings import Settings
from engine.i18n import t
from engine.store import MemoryStore, RedisStore
from engine.transcripts import purge, purge_tracker_events, retention_timer
from records.db import normalise_url
from records.identity import sender_id
from saathi.rasa_model import RASA_VENV
from saathi.services import MEMORY_TRACKER_STORE, SQL_TRACKER_STORE, endpoints_yaml
from tests.support.records import build_service, fresh_pg_database, pg_url, records_dirs, svc  # noqa: F401

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, FlaskWebhooks, twiml_messages  # noqa: E402
from tests.support.redis_server import redis_or_skip  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
REDIS_URL = "redis://127.0.0.1:6379/12"
PATIENT, OTHER = "whatsapp:+919811122233", "whatsapp:+919811122244"


@dataclass
class ErasingRasa:
    """Answers every message with the bot's erasure confirmation, as actions.health_record does."""

    calls: list[str] = field(default_factory=list)

    def send(self, sender: str, text: str, metadata: dict | None = None):
        self.calls.append(sender)
        return parse_reply([{"text": t("records_deleted", "hi")},
                            {"custom": {"key": "records_deleted", "language": "hi", "fields": {}}}])


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        yield MemoryStore()
        return
    redis_or_skip(REDIS_URL)
    store = RedisStore(REDIS_URL, prefix=f"saathi:test:{uuid.uuid4().hex[:8]}:")
    yield store
    for key in store.redis.scan_iter(f"{store.prefix}*"):
        store.redis.delete(key)


def test_the_gateway_forgets_a_sender_whose_erasure_the_bot_confirmed(channel_settings, store):
    settings = channel_settings
    me, other = sender_id(PATIENT, settings.sender_salt), sender_id(OTHER, settings.sender_salt)
    for sender in (me, other):
        store.set(f"lang:{sender}", "hi", ttl=600)
        store.set(f"voice:{sender}", "मुझे 3 दिन से बुखार है", ttl=600)
        store.set(f"photo:{sender}", ["Dolo 650"], ttl=600)
        store.set(f"outbox:{sender}", ["आपकी जाँच"], ttl=600)
        store.incr(f"rate:{sender}:123", ttl=120)
        store.add_once(f"card:{sender}:hi", ttl=600)
    uploads = settings.var_dir / "channels" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "mine.jpg").write_bytes(b"a prescription")
    (uploads / "theirs.jpg").write_bytes(b"another one")
    store.set(f"uploads:{me}", ["mine.jpg", "../../keys/master.json"])
    store.set(f"uploads:{other}", ["theirs.jpg"])
    gateway = Gateway.from_settings(settings, rasa=ErasingRasa(), store=store)
    hooks = FlaskWebhooks(create_app(settings, gateway).test_client(), PUBLIC_BASE, settings.twilio_auth_token)

    reply = hooks.message(PATIENT, "हाँ").get_data(as_text=True)

    assert twiml_messages(reply) == [t("records_deleted", "hi")]
    for key in ("lang", "voice", "photo", "outbox", "uploads"):
        assert store.get(f"{key}:{me}") is None, key
        assert store.get(f"{key}:{other}") is not None, key  # only that patient is forgotten
    assert store.get(f"rate:{me}:123") is None and store.add_once(f"card:{me}:hi", ttl=600)
    assert not (uploads / "mine.jpg").exists() and (uploads / "theirs.jpg").exists()


def test_waiting_and_failed_jobs_of_the_sender_go_others_stay(channel_settings):
    connection = redis_or_skip(REDIS_URL)
    queue = RqQueue(REDIS_URL)
    queue.queue.empty()
    salt = channel_settings.sender_salt
    me = sender_id(PATIENT, salt)
    queue.submit("channels.work.process_media", {"sender": me, "address": PATIENT, "url": "https://x/1"})
    queue.submit("channels.asha.patient_emergency", {"address": PATIENT})
    queue.submit("channels.work.process_media", {"sender": sender_id(OTHER, salt), "address": OTHER})
    failed = queue.queue.enqueue("channels.jobs.run_job", "channels.work.remember_phone", {"address": PATIENT})
    queue.queue.remove(failed)
    queue.queue.failed_job_registry.add(failed, ttl=600)
    try:
        assert queue.forget(me, salt) == 3
        left = [job.args[1] for job in queue.queue.jobs]
        assert left == [{"sender": sender_id(OTHER, salt), "address": OTHER}]
        assert failed.id not in queue.queue.failed_job_registry.get_job_ids()
        assert not connection.exists(f"rq:job:{failed.id}")
    finally:
        queue.queue.empty()
        queue.queue.failed_job_registry.remove(failed.id)


RASA_SCRIPT = r"""
import asyncio, json, sys, time
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

async def main(configs):
    out = {}
    for name, config in configs.items():
        store = TrackerStore.create(EndpointConfig.from_dict(config), Domain.empty())
        inner = getattr(store, "_tracker_store", store)
        out[name] = {"class": type(inner).__name__}
        for sender in ("patient", "bystander"):
            tracker = DialogueStateTracker(sender, [])
            tracker.update(UserUttered("मुझे 3 दिन से बुखार है"))
            tracker.update(BotUttered("आपकी जाँच", data={"custom": {"key": "core_urgency_routine"}}))
            await store.save(tracker)
        tracker = await store.retrieve("patient")
        tracker.update(UserUttered("हाँ"))
        tracker.update(BotUttered("मिटा दिए गए", data={"custom": {"key": "records_deleted"}}))
        await store.save(tracker)
        out[name]["patient"] = await store.retrieve("patient") is not None
        out[name]["bystander"] = len((await store.retrieve("bystander")).events)
        if hasattr(inner, "prune"):
            inner._pruned_at = 0
            out[name]["pruned_now"] = inner.prune(time.time())
            out[name]["pruned_later"] = inner.prune(time.time() + 3 * 86400 + 7200)
            out[name]["bystander_later"] = await store.retrieve("bystander") is not None
    print(json.dumps(out))

asyncio.run(main(json.loads(sys.argv[1])))
"""


def test_rasas_tracker_stores_load_and_erase_a_confirmed_conversation(tmp_path):
    """In Rasa's own Python: the classes the endpoints name load (Rasa falls back to a plain
    in-memory store, silently, when a custom class does not import), and a save that carries the
    bot's erasure confirmation deletes that conversation and nothing else."""
    settings = Settings(var_dir=tmp_path, transcript_retention_days=3)
    memory = endpoints_yaml(settings)["tracker_store"]
    sql = {**endpoints_yaml(replace(settings, tracker_store_url="sqlite:///x"))["tracker_store"],
           "dialect": "sqlite", "db": str(tmp_path / "tracker.db"), "url": None}
    for unused in ("port", "username", "password"):
        sql.pop(unused)
    assert memory["type"] == MEMORY_TRACKER_STORE and sql["type"] == SQL_TRACKER_STORE
    result = subprocess.run([str(RASA_VENV / "bin" / "python"), "-c", RASA_SCRIPT, json.dumps({"memory": memory,
                             "sql": sql})], cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                            "RASA_TELEMETRY_ENABLED": "false", "HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["memory"]["class"] == "ErasingInMemoryTrackerStore" and out["sql"]["class"] == "ErasingSQLTrackerStore"
    for name in ("memory", "sql"):
        assert out[name]["patient"] is False, name
        assert out[name]["bystander"] >= 2, name
    # the in-memory store drops conversations idle past the retention (3 days here), no sooner
    assert out["memory"]["pruned_now"] == 0 and out["memory"]["pruned_later"] == 1
    assert out["memory"]["bystander_later"] is False
    with create_engine(f"sqlite:///{tmp_path / 'tracker.db'}").connect() as conn:
        senders = {row[0] for row in conn.execute(text("select distinct sender_id from events"))}
    assert senders == {"bystander"}


def test_tracker_events_past_the_retention_are_purged():
    now = time.time()
    with fresh_pg_database("saathi_tracker_rt") as url:
        engine = create_engine(normalise_url(url))
        with engine.begin() as conn:
            assert purge_tracker_events(url, 90, now) == 0  # Rasa has not created its table yet
            conn.execute(text("create table events (id serial primary key, sender_id varchar(255) not null, "
                              "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
                              "action_name varchar(255), data text)"))
            for sender, days in (("old", 120), ("old", 91), ("recent", 89), ("recent", 0)):
                conn.execute(text("insert into events (sender_id, type_name, timestamp, data) values "
                                  "(:s, 'user', :ts, :d)"), {"s": sender, "ts": now - days * 86400,
                                                             "d": json.dumps({"text": "मुझे बुखार है"})})
        assert purge_tracker_events(url, 90, now) == 2
        with engine.connect() as conn:
            left = conn.execute(text("select sender_id, timestamp from events order by timestamp")).all()
        engine.dispose()
    assert [row[0] for row in left] == ["recent", "recent"]


def test_the_gateway_schedules_the_retention_sweep(tmp_path):
    timer = retention_timer(Settings(var_dir=tmp_path))
    assert timer.first_now and timer.interval.total_seconds() == 6 * 3600
    assert "retention" in timer.name
    assert "retention_timer(settings).start()" in (ROOT / "channels" / "__main__.py").read_text(encoding="utf-8")


@dataclass
class ConfirmingRasa:
    """A question for every message, the erasure confirmation for "हाँ"."""

    def send(self, sender: str, text: str, metadata: dict | None = None):
        key = "records_deleted" if text == "हाँ" else "core_ask_severity"
        return parse_reply([{"text": t(key, "hi")}, {"custom": {"key": key, "language": "hi", "fields": {}}}])


def test_an_erasure_confirmed_on_a_call_drops_the_calls_kept_replies(channel_settings):
    """The IVR keeps each step's TwiML (the spoken replies) for Twilio's retries and the last
    replies in the call's state; after the caller's erasure only the confirmation is left."""
    store = MemoryStore()
    gateway = Gateway.from_settings(channel_settings, rasa=ConfirmingRasa(), store=store)
    hooks = FlaskWebhooks(create_app(channel_settings, gateway).test_client(), PUBLIC_BASE,
                          channel_settings.twilio_auth_token)
    sid, caller = "CAerase", "+919811122255"
    hooks.call_step("language", sid, caller, Digits="1")
    hooks.call_step("turn", sid, caller, SpeechResult="मुझे तीन दिन से बुखार है", Confidence="0.95")
    question = t("core_ask_severity", "hi").split("?")[0]  # spoken in the TwiML kept for Twilio's retries
    assert any(question in value for key, (value, _) in store._data.items() if key.startswith(f"twiml:{sid}:")
               and isinstance(value, str))
    spoken = hooks.call_step("turn", sid, caller, SpeechResult="हाँ", Confidence="0.95").get_data(as_text=True)
    assert t("records_deleted", "hi").split("।")[0] in spoken
    kept = json.dumps({k: v for k, (v, _) in store._data.items() if sid in k}, ensure_ascii=False)
    assert question not in kept


def events_table(url: str, rows: list[tuple[str, str]]) -> None:
    """Rasa's SQL tracker store table with some events (``rows``: sender, text)."""
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(text("create table events (id serial primary key, sender_id varchar(255) not null, "
                          "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
                          "action_name varchar(255), data text)"))
        for sender, said in rows:
            conn.execute(text("insert into events (sender_id, type_name, timestamp, data) values (:s, 'user', :ts, :d)"),
                         {"s": sender, "ts": time.time(), "d": json.dumps({"text": said})})
    engine.dispose()


def test_tracker_rows_rasa_left_behind_are_deleted_by_the_gateway(channel_settings):
    """Rasa's fail-safe wrapper hides a failed deletion in the tracker store; the gateway's own
    pass deletes what is left of the conversation (and only that)."""
    me, other = sender_id(PATIENT, channel_settings.sender_salt), sender_id(OTHER, channel_settings.sender_salt)
    with fresh_pg_database("saathi_tracker_er") as url:
        events_table(url, [(me, "मुझे बुखार है"), (me, "35 साल"), (other, "ਮੈਨੂੰ ਖੰਘ ਹੈ")])
        settings = replace(channel_settings, tracker_store_url=url)
        gateway = Gateway.from_settings(settings, rasa=ErasingRasa(), store=MemoryStore())
        hooks = FlaskWebhooks(create_app(settings, gateway).test_client(), PUBLIC_BASE, settings.twilio_auth_token)
        reply = twiml_messages(hooks.message(PATIENT, "हाँ").get_data(as_text=True))
        engine = create_engine(normalise_url(url))
        with engine.connect() as conn:
            left = [row[0] for row in conn.execute(text("select sender_id from events"))]
        engine.dispose()
    assert reply == [t("records_deleted", "hi")]
    assert left == [other]


def test_when_the_conversation_cannot_be_deleted_the_patient_is_not_told_it_was(channel_settings):
    settings = replace(channel_settings, tracker_store_url="postgresql://postgres@127.0.0.1:1/unreachable")
    gateway = Gateway.from_settings(settings, rasa=ErasingRasa(), store=MemoryStore())
    hooks = FlaskWebhooks(create_app(settings, gateway).test_client(), PUBLIC_BASE, settings.twilio_auth_token)
    reply = twiml_messages(hooks.message(PATIENT, "हाँ").get_data(as_text=True))
    assert reply == [t("records_deleted_messages_kept", "hi")]


def test_one_sweep_purges_old_tracker_events_and_transcript_lines(tmp_path, svc, pg_url, records_dirs):  # noqa: F811
    from records import Actor, Purpose

    pid = svc.get_or_create_patient("sender", "u-sweep", "hi")
    me = Actor.patient(pid)
    encounter = svc.start_encounter(me, pid, purpose=Purpose.TRIAGE)
    svc.add_transcript_line(me, pid, encounter, "patient", "पेट में दर्द", purpose=Purpose.TRIAGE)
    later = time.time() + 91 * 86400
    future = build_service(pg_url, *records_dirs, clock=lambda: dt.datetime.fromtimestamp(later, dt.timezone.utc))
    with fresh_pg_database("saathi_tracker_sw") as url:
        events_table(url, [("u-sweep", "पेट में दर्द")])
        settings = Settings(var_dir=tmp_path, tracker_store_url=url, transcript_retention_days=90)
        assert purge(settings, time.time(), records=svc) == {"tracker_events": 0, "transcript_lines": 0}
        counts = purge(settings, later, records=future)
    assert counts["tracker_events"] == 1 and counts["transcript_lines"] >= 1
    assert svc.transcript(me, pid, encounter, purpose=Purpose.SELF_CARE) == []
    assert purge(replace(settings, transcript_retention_days=0), later, records=future) == {}  # 0 keeps them
