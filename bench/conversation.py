"""Conversation throughput and latency through Rasa's REST channel (closed loop).

N simulated users each run 4-turn conversations back to back, a new sender id per conversation,
for a fixed time per N. Prints p50/p95/max turn latency and turns/s for each N.

    .venv/bin/python bench/conversation.py                 # starts its own stack on embedded defaults
    .venv/bin/python bench/conversation.py --url http://127.0.0.1:5005   # against a running one

Full-stack variant (two Rasa workers need a shared tracker store and a Redis lock store):
    TRACKER_STORE_URL=postgresql://postgres@127.0.0.1:5432/saathi_bench REDIS_URL=redis://127.0.0.1:6379/3 \
    RASA_WORKERS=2 .venv/bin/python bench/conversation.py
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONVERSATIONS = [
    ["namaste", "mujhe 3 din se bukhar aur sir dard hai", "1", "35 saal"],
    ["ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "ਮੈਨੂੰ ਖੰਘ ਅਤੇ ਬੁਖਾਰ ਹੈ", "1", "40"],
    ["hello", "I have stomach pain and vomiting since yesterday", "1", "28"],
    ["नमस्ते", "मेरे बेटे को दस्त और उल्टी हो रही है", "2", "5 साल"],
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class ClosedLoop:
    """Simulated users who each send a turn, wait for its answer and send the next (a closed loop),
    for ``seconds``: the turn timings and failures of every user, kept under one lock. Shared by
    this bench (bare Rasa) and bench/scaling.py (the whole stack behind signed webhooks)."""

    def __init__(self, seconds: float) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.lock = threading.Lock()
        self.stop_at = time.monotonic() + seconds
        self.elapsed = 0.0

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    def failed(self) -> None:
        with self.lock:
            self.errors += 1

    def turn(self, send: Callable[[], bool]) -> None:
        """Time one turn; ``send`` is True when it was answered (a network error is a failure)."""
        started = time.perf_counter()
        try:
            ok = send()
        except requests.RequestException:
            ok = False
        took = time.perf_counter() - started
        with self.lock:
            if ok:
                self.latencies.append(took)
            else:
                self.errors += 1

    def run(self, users: int, user: Callable[[int], None]) -> None:
        """Run ``user(index)`` in a thread per user until they stop; the wall time goes in ``elapsed``."""
        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed = time.monotonic() - began


def run_level(url: str, token: str, users: int, seconds: float) -> dict[str, float]:
    loop = ClosedLoop(seconds)

    def user(index: int) -> None:
        session = requests.Session()
        session.params = {"token": token}  # the Rasa token: the REST channel refuses calls without it
        n = index
        while loop.running():
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            for text in CONVERSATIONS[n % len(CONVERSATIONS)]:
                loop.turn(lambda sender=sender, text=text: session.post(f"{url}/webhooks/rest/webhook",
                                                                     json={"sender": sender, "message": text},
                                                                     timeout=30).ok)
            n += 1

    loop.run(users, user)
    latencies, elapsed = loop.latencies, loop.elapsed
    if not latencies:
        return {"users": users, "turns": 0, "errors": loop.errors}
    return {
        "users": users, "turns": len(latencies), "errors": loop.errors,
        "p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * percentile(latencies, 0.95),
        "max_ms": 1000 * max(latencies), "turns_per_s": len(latencies) / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running Rasa server (default: start one)")
    parser.add_argument("--users", default="1,5,10,20")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    from config.settings import load

    settings = load()  # its rasa_token: SAATHI_RASA_TOKEN, or var/keys/ of the embedded stack
    stack = contextlib.nullcontext()
    url = args.url
    if not url:
        from saathi.services import Supervisor, default_services

        stack = Supervisor(default_services(settings))
        url = settings.rasa_base_url
        print(f"starting the stack (workers={settings.rasa_workers})…", file=sys.stderr)
    with stack:
        run_level(url, settings.rasa_token, 2, 3)  # warm-up
        print(f"{'users':>5} {'turns':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'turns/s':>8}")
        for users in [int(u) for u in args.users.split(",")]:
            r = run_level(url, settings.rasa_token, users, args.seconds)
            if not r["turns"]:
                print(f"{users:>5} no successful turns ({r['errors']} errors)")
                continue
            print(f"{r['users']:>5} {r['turns']:>6} {r['errors']:>4} {r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f}"
                  f" {r['max_ms']:>8.0f} {r['turns_per_s']:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
