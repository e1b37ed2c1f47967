"""The supervisor of ``saathi up``: a dead service is started again with backoff, the others keep running.

Real processes (small HTTP servers and a process that dies at once), real signals, real health
checks: what ``saathi up`` does every second is :meth:`Supervisor.tend`.
"""

from __future__ import annotations

import signal
import socket
import sys
import time

import pytest
import requests

from saathi.services import Service, Supervisor


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_service(name: str) -> Service:
    port = free_port()
    return Service(name=name, argv=[sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                   env={"PATH": "/usr/bin:/bin"}, health_url=f"http://127.0.0.1:{port}/", startup_timeout=20)


def tend_until(supervisor: Supervisor, done, timeout: float = 20.0) -> list[str]:
    events: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events += supervisor.tend()
        if done():
            return events
        time.sleep(0.05)
    pytest.fail(f"not done in {timeout} s; events: {events}")


def test_a_killed_service_is_restarted_and_the_others_keep_running(tmp_path):
    victim, bystander = http_service("victim"), http_service("bystander")
    with Supervisor([victim, bystander], log_dir=tmp_path, backoff=0.2) as supervisor:
        bystander_pid, victim_pid = bystander.process.pid, victim.process.pid
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(5)
        assert supervisor.check() == "victim"
        events = tend_until(supervisor, lambda: supervisor.healthy(victim))
        assert victim.process.pid != victim_pid and supervisor.check() is None
        assert events[0].startswith("victim stopped unexpectedly (exit code -9); restarting in 0 s")
        assert "victim started again" in events
        # the bystander was never touched: same process, answering all along
        assert bystander.process.pid == bystander_pid and bystander.process.poll() is None
        assert requests.get(bystander.health_url, timeout=5).ok
    assert victim.process.poll() is not None and bystander.process.poll() is not None  # stop() stops both


def test_backoff_doubles_for_a_crash_loop_and_starts_over_once_stable(tmp_path):
    crasher = Service(name="crasher", argv=[sys.executable, "-c", "import sys; sys.exit(3)"], env={},
                      health_url="http://127.0.0.1:9/")
    supervisor = Supervisor([crasher], log_dir=tmp_path, backoff=1.0, max_backoff=4.0, stable_after=30.0)
    assert [supervisor.delay(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 4, 4]
    supervisor.log_dir.mkdir(parents=True, exist_ok=True)
    supervisor._spawn(crasher)
    crasher.process.wait(10)
    clock = time.monotonic()
    pauses = []
    for _ in range(4):
        (event,) = supervisor.tend(clock)
        pauses.append(float(event.split("restarting in ")[1].split(" s")[0]))
        assert "exit code 3" in event
        assert supervisor.tend(clock + pauses[-1] - 0.01) == []  # not before its pause is over
        clock += pauses[-1]
        assert supervisor.tend(clock) == ["crasher started again"]
        crasher.process.wait(10)
    assert pauses == [1, 2, 4, 4]
    # a service that stays up for stable_after seconds is forgiven its earlier deaths
    crasher.argv = [sys.executable, "-c", "import time; time.sleep(30)"]
    (event,) = supervisor.tend(clock)
    clock += 4
    supervisor.tend(clock)
    assert crasher.process.poll() is None
    supervisor.tend(clock + 31)
    crasher.process.kill()
    crasher.process.wait(10)
    (event,) = supervisor.tend(clock + 32)
    assert "restarting in 1 s (death 1 in a row" in event
    supervisor.stop()


def test_restart_starts_one_service_again_with_more_environment(tmp_path):
    """bench/scaling.py's A/B rounds: the gateway and the action server again with SAATHI_METRICS flipped."""
    one, other = http_service("one"), http_service("other")
    with Supervisor([one, other], log_dir=tmp_path) as supervisor:
        first, other_pid = one.process.pid, other.process.pid
        supervisor.restart("one", SAATHI_METRICS="0")
        assert one.process.pid != first and supervisor.healthy(one) and one.env["SAATHI_METRICS"] == "0"
        assert one.env["PATH"] == "/usr/bin:/bin" and other.process.pid == other_pid
        assert supervisor.check() is None
