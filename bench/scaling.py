"""Turns/s against replicas, the cost of instrumentation, media in the load (issue #21), loopback only.

The stack of bench/replicas.py (gateways, Rasa servers and action servers behind HAProxy, media and
reminder workers, PostgreSQL, Redis, replies to the Twilio stand-in), without kills. ``--users``
closed-loop users send signed WhatsApp webhooks through HAProxy: the 4-turn conversations of
bench/conversation.py, a new sender for each. A text turn is timed from the webhook to its TwiML
answer. Three measurements:

* ``--replicas 1,2,3``: one stack per count, one round of ``--seconds`` each: turns/s, p50/p95,
  and the CPU seconds each kind of process used in the round (from ``/proc``), with the load
  average of the machine (``/proc/loadavg``) before and after;
* ``--metrics-ab N``: N pairs of rounds on one stack, metrics on (A) and off (B, ``SAATHI_METRICS=0``:
  the gateways and the action servers restarted between rounds, Rasa keeps running), interleaved
  A B A B … so the rest of the machine's load falls on both alike; the ratio of each pair (B's turn
  is the next one) and their median and spread. ``--micro`` adds the cost of each metric call
  on the hot path (timeit, each call alone) times the calls per turn, which the machine's load
  hardly moves;
* ``--media-ab N``: N pairs of rounds without (A) and with (B) photos and voice notes (``--media``
  share of the turns, half each, through the media path: the stand-in serves the files, the media
  worker runs OCR and speech), so media jobs compete with text turns; the media queue is emptied
  between rounds.

    .venv/bin/python bench/scaling.py --replicas 1,2,3 --users 20 --seconds 75 --port-base 5710
    .venv/bin/python bench/scaling.py --metrics-ab 3 --micro --users 10 --seconds 45 --port-base 5710
    .venv/bin/python bench/scaling.py --media-ab 2 --media 0.1 --users 10 --seconds 60 --port-base 5710
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import CONVERSATIONS, ClosedLoop, percentile  # noqa: E402
from bench.replicas import media_files, replica_stack  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/13"
#: process kinds, by the supervisor's service names (``rasa-a`` …), for the CPU split
KINDS = ("rasa", "actions", "gateway", "media-worker", "portal-worker", "haproxy")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_by_group() -> dict[int, float]:
    """CPU seconds (user + system) of every live process, added up by process group: each service
    of the supervisor is its own group (its Sanic workers, RQ's work horses included)."""
    tick = os.sysconf("SC_CLK_TCK")
    groups: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pgrp, utime, stime = int(fields[2]), int(fields[11]), int(fields[12])
        groups[pgrp] = groups.get(pgrp, 0.0) + (utime + stime) / tick
    return groups


def cpu_by_kind(supervisor, before: dict[int, float], after: dict[int, float]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """CPU seconds per kind of process between two :func:`cpu_by_group` readings (a work horse that
    ended in between is not counted: the media workers' figure is a floor)."""
    used: dict[str, float] = {}
    for service in supervisor.services:
        if service.process is None:
            continue
        kind = next((k for k in KINDS if service.name.startswith(k)), service.name)
        pid = service.process.pid
        used[kind] = used.get(kind, 0.0) + max(0.0, after.get(pid, 0.0) - before.get(pid, 0.0))
    return used


class Load:
    """Closed-loop users through HAProxy's gateway front; ``media`` share of the turns are a photo or
    a voice note (alternately) from a new sender instead of a text turn."""

    def __init__(self, public: str, token: str, media_urls: list[tuple[str, str]]) -> None:
        self.public, self.token, self.media_urls = public, token, media_urls

    def run(self, users: int, seconds: float, media: float = 0.0) -> dict:
        from channels.simclient import WebhookClient

        loop = ClosedLoop(seconds)
        media_sent: list[str] = []

        def user(index: int) -> None:
            hooks = WebhookClient(self.public, self.public, self.token)
            rng = random.Random(index)
            n = index
            while loop.running():
                address = f"whatsapp:+9199{uuid.uuid4().int % 10**8:08d}"
                for text in CONVERSATIONS[n % len(CONVERSATIONS)]:
                    if not loop.running():
                        break
                    if media and rng.random() < media:
                        other = f"whatsapp:+9196{uuid.uuid4().int % 10**8:08d}"
                        url = self.media_urls[len(media_sent) % len(self.media_urls)]
                        try:
                            hooks.message(other, media=[url]).raise_for_status()
                            with loop.lock:
                                media_sent.append(other)
                        except requests.RequestException:
                            loop.failed()
                        continue
                    loop.turn(lambda address=address, text=text: hooks.message(address, text).status_code == 200)
                n += 1

        loop.run(users, user)
        latencies, elapsed = loop.latencies, loop.elapsed
        return {"turns": len(latencies), "errors": loop.errors, "seconds": round(elapsed, 1),
                "turns_per_s": len(latencies) / elapsed,
                "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
                "p95_ms": 1000 * percentile(latencies, 0.95) if latencies else 0.0,
                "media_sent": media_sent}


def wait_front(public: str, timeout: float = 120) -> None:
    """Until HAProxy sends the gateways' front to a live gateway again (after a restart)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{public}/health", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("the gateways' front did not answer")


def row(label: str, result: dict, load_before: str, extra: str = "") -> None:
    print(f"{label:<14} {result['turns']:>6} {result['errors']:>4} {result['turns_per_s']:>8.1f} "
          f"{result['p50_ms']:>7.0f} {result['p95_ms']:>7.0f}   {load_before} -> {loadavg()}{extra}", flush=True)


HEADER = f"{'round':<14} {'turns':>6} {'err':>4} {'turns/s':>8} {'p50 ms':>7} {'p95 ms':>7}   load average (1, 5, 15 min) before -> after"


def ab_rounds(pairs: int, run: Callable[[str], dict], labels: tuple[str, str]) -> list[tuple[dict, dict]]:
    """``pairs`` pairs A, B, A, B …: the order within a pair alternates (A B, B A …) so neither
    side always follows the other's after-effects (a queue still draining, a cold restart)."""
    print(HEADER)
    results = []
    for i in range(pairs):
        order = labels if i % 2 == 0 else labels[::-1]
        pair = {label: run(label) for label in order}
        results.append((pair[labels[0]], pair[labels[1]]))
    return results


def summarise(results: list[tuple[dict, dict]], labels: tuple[str, str]) -> None:
    tps = [b["turns_per_s"] / a["turns_per_s"] for a, b in results if a["turns_per_s"] and b["turns_per_s"]]
    p95 = [b["p95_ms"] / a["p95_ms"] for a, b in results if a["p95_ms"] and b["p95_ms"]]
    if not tps:
        print("no pair with turns on both sides")
        return
    print(f"{labels[1]} / {labels[0]}, per pair: turns/s {', '.join(f'{r:.3f}' for r in tps)}; "
          f"p95 {', '.join(f'{r:.3f}' for r in p95)}")
    print(f"median ratio: turns/s {statistics.median(tps):.3f} (spread {min(tps):.3f} to {max(tps):.3f}), "
          f"p95 {statistics.median(p95):.3f} (spread {min(p95):.3f} to {max(p95):.3f})")


MICRO = """
import json, os, time, timeit
from channels.metrics import count_webhook, observe_turn
from engine.metrics import ACTION_SECONDS, TRIAGES, count_response
calls = {
    "gateway: observe_turn (histogram, 3 labels)": lambda: observe_turn("whatsapp", "hi", "answered", 0.07),
    "gateway: count_webhook (counter, 2 labels)": lambda: count_webhook("messaging", "accepted"),
    "gateway: count_response (counter, 1 label)": lambda: count_response(200),
    "actions: ACTION_SECONDS.observe (histogram, 2 labels)":
        lambda: ACTION_SECONDS.labels("action_triage", "ok").observe(0.02),
    "actions: TRIAGES.inc (counter, 1 label)": lambda: TRIAGES.labels("urgent").inc(),
}
out = {}
for name, call in calls.items():
    number = int(os.environ.get("MICRO_CALLS", "20000"))
    # CPU time of this process, not wall time: a shared machine's other load hardly moves it
    timer = timeit.Timer(call, timer=time.process_time)
    out[name] = min(timer.repeat(number=number, repeat=5)) / number * 1e6
print(json.dumps(out))
"""


def micro(actions_per_turn: float) -> None:
    """µs per call of each hot-path metric, on and off, the action server's in multiprocess mode
    (as it runs: every sample goes to a memory-mapped file), times the calls per turn."""
    print(f"\nCPU µs per call (process time, best of 5 × {os.environ.get('MICRO_CALLS', '20000')}; load average {loadavg()}):")
    figures = {}
    for mode, env in (("on", {"SAATHI_METRICS": "1"}), ("off", {"SAATHI_METRICS": "0"})):
        for multiprocess in (False, True):
            extra = dict(env)
            directory = tempfile.mkdtemp(prefix="saathi-micro-") if multiprocess else ""
            if multiprocess:
                extra["PROMETHEUS_MULTIPROC_DIR"] = directory
            run_env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
            run_env.update(extra, PYTHONPATH=str(ROOT))
            out = subprocess.run([sys.executable, "-c", MICRO], env=run_env, cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout
            figures[(mode, multiprocess)] = json.loads(out)
            if directory:
                shutil.rmtree(directory, ignore_errors=True)
    for name in figures[("on", False)]:
        multiprocess = name.startswith("actions")
        on, off = figures[("on", multiprocess)][name], figures[("off", multiprocess)][name]
        print(f"  {name:<55} on {on:6.2f}   off {off:5.2f}{'   (multiprocess mode)' if multiprocess else ''}")
    on = figures[("on", False)]
    gateway = sum(v for k, v in on.items() if k.startswith("gateway")) - sum(
        v for k, v in figures[("off", False)].items() if k.startswith("gateway"))
    action = (figures[("on", True)]["actions: ACTION_SECONDS.observe (histogram, 2 labels)"]
              - figures[("off", True)]["actions: ACTION_SECONDS.observe (histogram, 2 labels)"])
    print(f"per text turn: gateway 3 calls = {gateway:.1f} µs; action server {actions_per_turn:.2f} "
          f"actions per turn (measured in the A rounds) × {action:.1f} µs = {actions_per_turn * action:.1f} µs "
          f"(+ a triage count on triage turns); total {gateway + actions_per_turn * action:.1f} µs of CPU per turn")


def scrape_sum(url: str, name: str) -> float:
    """Sum of one metric's samples on a ``/metrics`` page (0 when the page has none)."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(requests.get(url, timeout=10).text):
        total += sum(s.value for s in family.samples if s.name == name)
    return total


def settle_media(settings, timeout: float = 120) -> int:  # type: ignore[no-untyped-def]
    """Empty the media queue and wait for the job in hand: the next round starts without a backlog.
    Returns the jobs that were still waiting."""
    import redis
    from rq import Queue, Worker

    from channels.jobs import QUEUE_NAME

    connection = redis.Redis.from_url(settings.redis_url)
    queue = Queue(QUEUE_NAME, connection=connection)
    waiting = queue.count
    queue.empty()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(w.get_state() == "busy" for w in Worker.all(connection=connection)):
        time.sleep(1)
    return waiting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", default="", help="replica counts for the curve, e.g. 1,2,3")
    parser.add_argument("--metrics-ab", type=int, default=0, help="pairs of rounds, metrics on / off")
    parser.add_argument("--micro", action="store_true", help="with --metrics-ab: µs per metric call")
    parser.add_argument("--media-ab", type=int, default=0, help="pairs of rounds, without / with media")
    parser.add_argument("--media", type=float, default=0.1, help="share of turns that are a photo or a voice note")
    parser.add_argument("--ab-replicas", type=int, default=1, help="replicas of each kind for the A/B rounds")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=75.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--port-base", type=int, default=0, help="first of 25 consecutive ports (0: free ports)")
    args = parser.parse_args(argv)
    if not shutil.which("haproxy"):
        print("needs Debian's haproxy (apt-get install haproxy)", file=sys.stderr)
        return 2
    from tests.twilio_standin import TwilioStandin

    standin = TwilioStandin().start()
    try:
        if args.replicas:
            curve(args, standin)
        if args.metrics_ab:
            metrics_ab(args, standin)
        if args.media_ab:
            media_ab(args, standin)
    finally:
        standin.stop()
    return 0


def curve(args: argparse.Namespace, standin) -> None:  # type: ignore[no-untyped-def]
    print(f"turns/s against replicas ({args.users} users, {args.seconds:.0f} s a point, {os.cpu_count()} cores)")
    counts = [int(c) for c in args.replicas.split(",")]
    first = counts[0]
    for count in counts:
        with replica_stack(standin, args.port_base, replicas=count, workers=1, label=f"scale{count}",
                           redis_url=REDIS_URL) as (settings, supervisor, public, _front):
            load = Load(public, standin.auth_token, [])
            load.run(args.users, args.warmup)
            before_load, before, mine = loadavg(), cpu_by_group(), time.process_time()
            result = load.run(args.users, args.seconds)
            used = cpu_by_kind(supervisor, before, cpu_by_group())
            used["bench (load, Twilio stand-in)"] = time.process_time() - mine
        split = ", ".join(f"{k} {v:.0f}" for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.5)
        if count == first:
            print(HEADER)
        row(f"{count} replica{'s' if count > 1 else ''}", result, before_load,
            f"   CPU s: {split}; ours {sum(used.values()):.0f} of {os.cpu_count() * args.seconds:.0f} on "
            f"{os.cpu_count()} cores ({1000 * sum(used.values()) / max(1, result['turns']):.0f} ms a turn)")


def metrics_ab(args: argparse.Namespace, standin) -> None:  # type: ignore[no-untyped-def]
    print(f"instrumentation A/B: metrics on (A) and off (B), {args.users} users, {args.seconds:.0f} s a round")
    with replica_stack(standin, args.port_base, replicas=args.ab_replicas, workers=1, label="metab",
                       redis_url=REDIS_URL) as (settings, supervisor, public, front):
        load = Load(public, standin.auth_token, [])
        load.run(args.users, args.warmup)
        instrumented = [s.name for s in supervisor.services if s.name.startswith(("gateway", "actions"))]
        actions_per_turn: list[float] = []
        state = {"metrics": "1"}

        def run(label: str) -> dict:
            switch = "1" if label == "on" else "0"
            if state["metrics"] != switch:
                for name in instrumented:
                    supervisor.restart(name, SAATHI_METRICS=switch)
                state["metrics"] = switch
            wait_front(public)
            load.run(args.users, min(args.warmup, 5))  # a restarted process's first requests are cold
            actions_url = f"http://127.0.0.1:{front['actions']}/metrics"
            counted = scrape_sum(actions_url, "saathi_action_seconds_count") if switch == "1" else 0
            before = loadavg()
            result = load.run(args.users, args.seconds)
            if switch == "1" and args.ab_replicas == 1 and result["turns"]:
                actions_per_turn.append((scrape_sum(actions_url, "saathi_action_seconds_count") - counted)
                                        / result["turns"])
            row(f"metrics {label}", result, before)
            return result

        results = ab_rounds(args.metrics_ab, run, ("on", "off"))
    summarise(results, ("on", "off"))
    if args.micro:
        micro(statistics.median(actions_per_turn) if actions_per_turn else 0.0)


def media_ab(args: argparse.Namespace, standin) -> None:  # type: ignore[no-untyped-def]
    print(f"media in the load: text only (A) and {100 * args.media:.0f} % photos and voice notes (B), "
          f"{args.users} users, {args.seconds:.0f} s a round")
    from channels.simclient import WebhookClient
    from engine.ocr import classifier
    from engine.speech.models import install_whisper_base

    urls = media_files(standin)
    classifier.model()  # trained here on first use (minutes), not in the worker's first job
    with replica_stack(standin, args.port_base, replicas=args.ab_replicas, workers=1, label="media",
                       redis_url=REDIS_URL) as (settings, supervisor, public, _front):
        install_whisper_base(settings.effective_whisper_model_dir)
        load = Load(public, standin.auth_token, urls)
        # one photo and one voice note first, each answered: the worker's models load outside the rounds
        hooks = WebhookClient(public, public, standin.auth_token)
        for url in urls:
            address = f"whatsapp:+9195{uuid.uuid4().int % 10**8:08d}"
            hooks.message(address, media=[url]).raise_for_status()
            standin.wait_for_messages(address, 1, timeout=600)
        load.run(args.users, args.warmup)

        def run(label: str) -> dict:
            before = loadavg()
            result = load.run(args.users, args.seconds, media=args.media if label == "media" else 0.0)
            answered = sum(bool(standin.sent_messages(to=a)) for a in result["media_sent"])
            dropped = settle_media(settings)
            extra = (f"   media sent {len(result['media_sent'])}, answered in the round {answered}, "
                     f"left in the queue {dropped}") if label == "media" else ""
            row(label, result, before, extra)
            return result

        results = ab_rounds(args.media_ab, run, ("text", "media"))
    summarise(results, ("text only", "with media"))


if __name__ == "__main__":
    sys.exit(main())
