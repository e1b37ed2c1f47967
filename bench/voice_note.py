"""A voice note's first reply through the real path, timed: Redis, the media worker as ``make run``
starts it (``python -m channels worker``), the Twilio stand-in serving the note and taking the reply.

    PYTHONPATH=. .venv/bin/python bench/voice_note.py [--before DIR] [--rounds 3] [--only hi pa en]

``--before DIR`` is another code tree to compare (e.g. ``git archive <commit> | tar -x -C DIR``). Each
round starts each tree's worker in turn and sends it one 10 s note per language (OGG/Opus as
WhatsApp sends it, espeak-ng: bench/speech.py's ``render_note``) through RQ, then prints the wall
seconds from the job's submission to the reply (the "I heard: …" read-back, or the ask-again when
the transcript is refused) and the CPU seconds the worker and its children (work horses, ffmpeg)
spent on it (/proc: utime + stime + cutime + cstime; with 2 cores, CPU/2 is the wall time on a
quiet machine). The worker's start (loading Whisper, when it keeps it) is printed once per start,
not counted in a note. The media download from Twilio's network is not in the figure.
Not a test: it prints figures (docs/speech.md has the last run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
import requests  # noqa: E402

from bench.speech import render_note  # noqa: E402
from channels.jobs import RqQueue  # noqa: E402
from config.paths import ROOT  # noqa: E402
from tests.support.processes import stop  # noqa: E402
from tests.support.speech_worker import REDIS_URL, note_payload, own_cpu_seconds, worker_env  # noqa: E402
from tests.twilio_standin import TwilioStandin  # noqa: E402


def start_worker(env: dict[str, str], code: Path, log: Path) -> subprocess.Popen:
    """``python -m channels worker`` from ``code`` (``-m`` imports from the cwd), once it serves /metrics."""
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "channels", "worker"], env={**env, "PYTHONPATH": str(code)},
                                   cwd=code, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{env['WORKER_METRICS_PORT']}/metrics"
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            sys.exit(f"the worker of {code} ended: {log.read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return process
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"the worker of {code} did not start")
        time.sleep(0.2)


def one_note(standin: TwilioStandin, queue: RqQueue, pid: int, url: str, language: str, address: str) -> tuple[float, float, str]:
    """(wall seconds to the first reply, CPU seconds of the worker and its children, the reply)."""
    before = own_cpu_seconds(pid, children=True)
    started = time.monotonic()
    queue.submit("channels.work.process_media", note_payload(url, language, address=address))
    reply = standin.wait_for_messages(address, 1, timeout=600)[0]["Body"][0]
    wall = time.monotonic() - started
    time.sleep(1.5)  # the job ends (a horse is reaped) a moment after its reply left
    return wall, own_cpu_seconds(pid, children=True) - before, reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another code tree to compare (e.g. main before the change)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=["hi", "pa", "en"])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()
    trees = ([("before", args.before.resolve())] if args.before else []) + [("after", ROOT)]
    standin = TwilioStandin().start()
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            notes = {language: standin.add_media(f"note-{language}.ogg",
                                                 render_note(Path(tmp), language, args.seconds).read_bytes(), "audio/ogg")
                     for language in args.only}
            env = worker_env(Path(tmp), standin)
            queue = RqQueue(REDIS_URL)
            count = 0
            for round_ in range(args.rounds):
                for name, code in trees:
                    connection.flushdb()
                    started = time.monotonic()
                    worker = start_worker(env, code, Path(tmp) / f"{name}.log")
                    cpu0 = own_cpu_seconds(worker.pid, children=True)
                    print(f"round {round_ + 1} {name}: worker ready in {time.monotonic() - started:.1f} s "
                          f"({cpu0:.2f} s CPU), load {os.getloadavg()[0]:.1f}", flush=True)
                    try:
                        for language, url in notes.items():
                            count += 1
                            wall, cpu, reply = one_note(standin, queue, worker.pid, url, language,
                                                        f"whatsapp:+9198{count:08d}")
                            figures.setdefault((name, language), []).append((wall, cpu))
                            print(f"  {language}: first reply {wall:.2f} s wall ({wall / args.seconds:.2f}x the note), "
                                  f"{cpu:.2f} s CPU: {reply[:60]!r}", flush=True)
                    finally:
                        stop(worker)
    finally:
        standin.stop()
        connection.flushdb()
    print(f"medians of {args.rounds} rounds, a {args.seconds:.0f} s note:")
    for (name, language), rows in figures.items():
        wall, cpu = statistics.median(w for w, _ in rows), statistics.median(c for _, c in rows)
        print(f"  {name:6} {language}: wall {wall:.2f} s ({wall / args.seconds:.2f}x), CPU {cpu:.2f} s "
              f"(CPU/2 {cpu / 2:.2f} s = {cpu / 2 / args.seconds:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
