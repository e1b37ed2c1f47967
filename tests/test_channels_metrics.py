"""The gateway's ``/metrics`` (issue #21 item 1): turn latency by channel and language, webhook
outcomes, Twilio send results, the backlog; no label carries a phone number, a sender id or text.

Signed webhooks into the gateway app, answered by the session's real Rasa (and by a closed port
for the offline answers); replies through the twilio client to the Twilio stand-in.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from channels import metrics, pipeline
from channels.app import create_app
from channels.context import Gateway, set_worker_gateway
from channels.rasa import RasaClient
from engine.store import MemoryStore
from records.identity import sender_id

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE, FlaskWebhooks  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
pytestmark = pytest.mark.rasa

USER = "whatsapp:+919811122233"
SMS_USER = "+919811122234"
TEXTS = {"mujhe 2 din se bukhar hai": ("whatsapp", "hi"), "ਮੈਨੂੰ ਖੰਘ ਹੈ": ("whatsapp", "pa"),
         "I have a headache": ("sms", "en")}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: the gateway's own families; the registry is per process, so a full test run shows other processes'
#: families too (the action server's triage counter by urgency, the workers' jobs by queue and job)
GATEWAY_FAMILIES = {"saathi_turn_seconds", "saathi_webhooks", "saathi_twilio_sends", "saathi_backlog_waiting",
                    "saathi_backlog_answered", "saathi_http_responses"}
CODE_NAME = re.compile(r"[a-z0-9][a-z0-9_]{0,47}")


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def hooks_for(settings, rasa_url: str, token: str) -> tuple[Gateway, FlaskWebhooks]:
    gateway = Gateway.from_settings(settings, rasa=RasaClient(rasa_url, token), store=MemoryStore())
    return gateway, FlaskWebhooks(create_app(settings, gateway).test_client(), PUBLIC_BASE, settings.twilio_auth_token)


def test_metrics_count_turns_and_webhooks_without_personal_data(rasa_stack, channel_settings, standin, monkeypatch):
    settings = replace(channel_settings, rate_limit_per_minute=3)
    # the limit counts per clock minute: hold the pipeline's clock so the turns (slow on a busy
    # machine) cannot straddle a minute boundary and let one more message through
    frozen = time.time()
    monkeypatch.setattr(pipeline, "time", SimpleNamespace(time=lambda: frozen))
    gateway, hooks = hooks_for(settings, rasa_stack.base_url, rasa_stack.token)
    before = {(c, lang): value("saathi_turn_seconds_count", channel=c, language=lang, outcome="answered")
              for c, lang in TEXTS.values()}
    webhooks_before = {o: value("saathi_webhooks_total", kind="messaging", outcome=o) for o in metrics.WEBHOOK_OUTCOMES}
    sent_before = value("saathi_twilio_sends_total", kind="message", result="sent")
    for text, (channel, _) in TEXTS.items():
        hooks.message(USER if channel == "whatsapp" else SMS_USER, text)
    for (channel, language), count in before.items():
        assert value("saathi_turn_seconds_count", channel=channel, language=language, outcome="answered") == count + 1
    # a Twilio retry, a forged signature, a flood
    params = hooks.message_params(SMS_USER, "hello", sid="SMmetricsdup1")
    hooks.post("/twilio/messaging", params)
    hooks.post("/twilio/messaging", params)
    assert hooks.post("/twilio/messaging", hooks.message_params(SMS_USER, "hello"), signature="forged").status_code == 403
    for _ in range(3):
        hooks.message(SMS_USER, "hello")
    delta = {o: value("saathi_webhooks_total", kind="messaging", outcome=o) - webhooks_before[o]
             for o in metrics.WEBHOOK_OUTCOMES}
    assert delta == {"accepted": 5, "duplicate": 1, "forged": 1, "rate_limited": 2}, delta
    # Rasa away: a red flag answered by the gateway, another message kept (the backlog gauge counts it)
    gateway_down, hooks_down = hooks_for(settings, f"http://127.0.0.1:{closed_port()}", "x")
    hooks_down.message("whatsapp:+919811122235", "saanp ne kaat liya")
    hooks_down.message("whatsapp:+919811122236", "pet dard hai")
    assert value("saathi_turn_seconds_count", channel="whatsapp", language="hi", outcome="offline_emergency") >= 1
    # a reply sent through Twilio's REST API (the voice and media paths, and the backlog, use it)
    gateway.sender.send_message(USER, "test")
    assert value("saathi_twilio_sends_total", kind="message", result="sent") == sent_before + 1
    standin.fail_next(400)
    with pytest.raises(Exception):  # noqa: B017, PT011 - SendFailed; only the metric matters here
        gateway.sender.send_message(USER, "test")
    response = hooks_down.client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.data.decode()
    assert value("saathi_backlog_waiting") == 1
    # nothing personal in any label or anywhere in the page
    for secret in ("9811122233", "9811122234", "9811122235", "bukhar", "saanp", "headache", "ਖੰਘ",
                   sender_id(USER, settings.sender_salt), sender_id(SMS_USER, settings.sender_salt)):
        assert secret not in text, secret
    allowed = {"channel": set(metrics.CHANNELS) | {"other"}, "language": set(metrics.LANGUAGES) | {"other"},
               "outcome": set(metrics.TURN_OUTCOMES) | set(metrics.WEBHOOK_OUTCOMES) | {"other"},
               "kind": set(metrics.WEBHOOK_KINDS) | {"message", "call"},
               "status": {f"{n}xx" for n in range(1, 6)}}  # HTTP responses by status class, never a path
    seen_results = set()
    for family in text_string_to_metric_families(text):
        if not family.name.startswith("saathi_"):
            continue
        for sample in family.samples:
            for label, label_value in sample.labels.items():
                if label == "le":
                    continue
                if label == "result":
                    assert label_value in {"sent", "network"} or label_value.split("_")[0] in {"error", "http"}
                    assert label_value.split("_")[-1].isdigit() or label_value in {"sent", "network"}
                    seen_results.add(label_value)
                    continue
                if label in allowed and family.name in GATEWAY_FAMILIES:
                    assert label_value in allowed[label], (sample.name, label, label_value)
                else:  # another process's family in this process's registry: names from our code only
                    assert CODE_NAME.fullmatch(label_value), (sample.name, label, label_value)
    assert "sent" in seen_results and any(r.startswith(("error_", "http_")) for r in seen_results)
    set_worker_gateway(None)


def test_instrumentation_costs_under_two_percent_of_a_turn(rasa_stack, channel_settings):
    """What the metrics add to a turn (one histogram observation and one counter) against the
    median time of a real turn through Rasa, measured here."""
    gateway, hooks = hooks_for(channel_settings, rasa_stack.base_url, rasa_stack.token)
    turns = []
    for n in range(10):
        started = time.perf_counter()
        hooks.message(f"whatsapp:+9198111230{n:02d}", "mujhe bukhar hai")
        turns.append(time.perf_counter() - started)
    rounds = 20000
    started = time.perf_counter()
    for _ in range(rounds):
        metrics.observe_turn("whatsapp", "hi", "answered", 0.1)
        metrics.count_webhook("messaging", "accepted")
    per_turn = (time.perf_counter() - started) / rounds
    median = sorted(turns)[len(turns) // 2]
    print(f"\ninstrumentation: {per_turn * 1e6:.1f} us per turn; median webhook turn {median * 1000:.0f} ms; "
          f"cost {100 * per_turn / median:.3f} %")
    assert per_turn / median < 0.02
    set_worker_gateway(None)
