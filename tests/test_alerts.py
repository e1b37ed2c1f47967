"""The Prometheus alert rules (issue #21 item 3): ``promtool`` from Debian's ``prometheus`` package
checks ``deploy/prometheus/alerts.yml`` and runs its unit tests (``alerts.test.yml``); every rule
has a test in which it fires, and every metric a rule reads is one the services export."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from config.paths import ROOT

RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
#: where the metrics are defined (names as the alert rules write them)
SOURCES = ("channels/metrics.py", "engine/metrics.py", "engine/outbound.py")
#: metrics of Prometheus itself and of the blackbox exporter probing the edge
OUTSIDE = {"up", "probe_ssl_earliest_cert_expiry"}

promtool = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(promtool is None, reason="promtool missing (apt-get install prometheus)")


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


@needs_promtool
def test_promtool_checks_and_unit_tests_the_rules():
    checked = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules())} rules found" in checked.stdout
    tested = subprocess.run([promtool, "test", "rules", str(TESTS)], capture_output=True, text=True, timeout=120,
                            cwd=TESTS.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_rule_fires_in_a_test_and_reads_exported_metrics():
    fired = {case["alertname"] for test in yaml.safe_load(TESTS.read_text())["tests"]
             for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}
    names = {rule["alert"] for rule in rules()}
    assert names <= fired, f"rules without a test in which they fire: {sorted(names - fired)}"
    assert {"SaathiTwilioFailureRate", "SaathiQueueStuck", "SaathiTurnLatencyHigh", "SaathiNoWorker",
            "SaathiReminderBacklog", "SaathiHigh5xxRate", "SaathiCertificateExpiry", "SaathiRasaDown"} <= names
    defined = set()
    for source in SOURCES:
        defined |= set(re.findall(r'"(saathi_[a-z_]+)"', (ROOT / source).read_text()))
    for rule in rules():
        for metric in re.findall(r"\b([a-z_]+)\{", rule["expr"]) + re.findall(r"\((saathi_[a-z_]+)\)", rule["expr"]):
            base = re.sub(r"_(bucket|count|sum)$", "", metric)
            assert metric in OUTSIDE or base in defined or metric in defined, (rule["alert"], metric)
