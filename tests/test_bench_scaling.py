"""bench/scaling.py's own parts, fast (the bench itself needs the whole replicated stack): the A/B
rounds alternate their order, the summary gives each pair's ratio and the median, the CPU split
reads this process's group from /proc, and the micro-measure runs with the switch both ways."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

from bench import scaling


def test_ab_rounds_alternate_and_pair_up(capsys):
    order: list[str] = []

    def run(label: str) -> dict:
        order.append(label)
        return {"turns_per_s": 10.0 if label == "on" else 10.5, "p95_ms": 100.0 if label == "on" else 90.0}

    results = scaling.ab_rounds(3, run, ("on", "off"))
    assert order == ["on", "off", "off", "on", "on", "off"]
    assert all(a["turns_per_s"] == 10.0 and b["turns_per_s"] == 10.5 for a, b in results)
    scaling.summarise(results, ("on", "off"))
    out = capsys.readouterr().out
    assert "median ratio: turns/s 1.050 (spread 1.050 to 1.050), p95 0.900" in out


def test_cpu_split_by_kind_reads_this_process_group():
    before = scaling.cpu_by_group()
    sum(i * i for i in range(2_000_000))  # some CPU in this process
    after = scaling.cpu_by_group()
    me = SimpleNamespace(services=[SimpleNamespace(name="gateway-a", process=SimpleNamespace(pid=os.getpgrp()))])
    used = scaling.cpu_by_kind(me, before, after)
    assert set(used) == {"gateway"} and used["gateway"] > 0


def test_micro_measure_prints_each_call_on_and_off(capsys, monkeypatch):
    monkeypatch.setenv("MICRO_CALLS", "2000")
    scaling.micro(2.0)
    out = capsys.readouterr().out
    assert "gateway: observe_turn" in out and "actions: ACTION_SECONDS.observe" in out
    assert "action server 2.00 actions per turn" in out


def test_closed_loop_times_answered_turns_and_counts_the_rest():
    """The closed loop both benches share: every user's turns until time is up; answered turns are
    timed, refused ones and network errors are counted as errors, never as turns."""
    import itertools

    import requests

    from bench.conversation import ClosedLoop

    loop = ClosedLoop(0.3)
    outcomes = itertools.cycle(["ok", "refused", "error"])

    def send() -> bool:
        outcome = next(outcomes)
        if outcome == "error":
            raise requests.ConnectionError("down")
        return outcome == "ok"

    def user(index: int) -> None:
        while loop.running():
            loop.turn(send)
            time.sleep(0.01)

    loop.run(2, user)
    assert loop.latencies and loop.errors >= len(loop.latencies)
    assert 0.25 <= loop.elapsed < 2.0 and not loop.running()
