"""``SAATHI_METRICS=0`` turns every metric into a no-op (the bench's A/B of what instrumentation
costs, bench/scaling.py ``--metrics-ab``): the same calls run, nothing is recorded or exposed.
Each case is a fresh interpreter, because the switch is read where the metrics are defined."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config.paths import ROOT

CALLS = """
from channels.metrics import BACKLOG_WAITING, count_webhook, observe_turn
from engine.metrics import ACTION_SECONDS, JOB_SECONDS, TRIAGES, count_response, exposition
from engine.outbound import TWILIO_SENDS
observe_turn("whatsapp", "hi", "answered", 0.1)
count_webhook("messaging", "accepted")
count_response(200)
ACTION_SECONDS.labels("action_triage", "ok").observe(0.02)
JOB_SECONDS.labels("media", "process_media_image", "finished").observe(1.0)
TRIAGES.labels("urgent").inc()
TWILIO_SENDS.labels("message", "sent").inc()
BACKLOG_WAITING.set(3)
print(sorted({line.split("{")[0].split(" ")[0] for line in exposition()[0].decode().splitlines()
              if line.startswith("saathi_")}))
"""


@pytest.mark.parametrize("switch, expected", [
    ("0", "[]"),
    ("1", "saathi_turn_seconds_count"),
])
def test_metrics_switch(switch: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(SAATHI_METRICS=switch, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", CALLS], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert expected in out
    if switch == "1":
        for name in ("saathi_webhooks_total", "saathi_http_responses_total", "saathi_action_seconds_count",
                     "saathi_job_seconds_count", "saathi_triage_total", "saathi_twilio_sends_total",
                     "saathi_backlog_waiting"):
            assert name in out
