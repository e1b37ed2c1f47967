"""With REDIS_URL: de-duplication shared between gateway processes, and jobs through RQ."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from channels.app import create_app
from channels.context import Gateway, set_worker_gateway
from channels.jobs import JOB_RETRIES, RqQueue
from engine.i18n import t
from engine.store import RedisStore

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, WHATSAPP_USER, FlaskWebhooks, twiml_messages  # noqa: E402
from tests.support.redis_server import redis_or_skip  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.redis
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_store():
    redis_or_skip(REDIS_URL)
    store = RedisStore(REDIS_URL, prefix=f"saathi:test:{uuid.uuid4().hex[:8]}:")
    yield store
    for key in store.redis.scan_iter(f"{store.prefix}*"):
        store.redis.delete(key)


def test_two_gateway_processes_share_deduplication(channel_settings, rasa, redis_store):
    settings = replace(channel_settings, redis_url=REDIS_URL)
    hooks = []
    for _ in range(2):  # two apps = two gateway processes behind a load balancer
        gateway = Gateway.from_settings(settings, rasa=rasa, store=redis_store, jobs=None)
        hooks.append(FlaskWebhooks(create_app(settings, gateway).test_client(), PUBLIC_BASE, settings.twilio_auth_token))
    params = hooks[0].message_params(WHATSAPP_USER, "hello", sid=f"SM{uuid.uuid4().hex}")
    first = twiml_messages(hooks[0].post("/twilio/messaging", params).get_data(as_text=True))
    # the repeat on the other process gets the same answer (kept in Redis), not a second turn
    assert first and twiml_messages(hooks[1].post("/twilio/messaging", params).get_data(as_text=True)) == first
    assert rasa.texts() == ["hello"]
    assert redis_store.incr("n", 10) == 1 and redis_store.incr("n", 10) == 2
    redis_store.set("lang:x", "pa", ttl=10)
    assert redis_store.get("lang:x") == "pa"


def test_media_job_runs_in_an_rq_worker(channel_settings, rasa, redis_store, standin):
    from rq import SimpleWorker

    settings = replace(channel_settings, redis_url=REDIS_URL)
    queue = RqQueue(REDIS_URL)
    queue.queue.empty()
    gateway = Gateway.from_settings(settings, rasa=rasa, store=redis_store, jobs=queue)
    hooks = FlaskWebhooks(create_app(settings, gateway).test_client(), PUBLIC_BASE, settings.twilio_auth_token)
    hooks.message(WHATSAPP_USER, "ਸਤ ਸ੍ਰੀ ਅਕਾਲ")
    url = standin.add_media("rq.ogg", b"OggS" + b"\0" * 64, "audio/ogg")
    reply = hooks.message(WHATSAPP_USER, media=[(url, "audio/ogg")])
    assert twiml_messages(reply.get_data(as_text=True)) == [t("channels_listening_voice", "pa")]
    assert queue.queue.count == 1
    job = queue.queue.jobs[0]
    assert "9812345678" not in job.description  # RQ logs descriptions; the number stays out of them
    # run again if its worker dies under it (RQ's cleanup of abandoned jobs; bench/replicas.py kills one)
    assert job.retries_left == JOB_RETRIES == 1
    set_worker_gateway(gateway)  # the worker process builds this from the same settings
    SimpleWorker([queue.queue], connection=queue.queue.connection).work(burst=True)
    sent = standin.wait_for_messages(WHATSAPP_USER, 1)
    assert sent[0]["Body"] == [t("channels_voice_not_heard", "pa")]  # not audio: asked again

