"""The gateway alone: CPU of ``python -m channels serve`` to start, on its first message, and per text message.

    PYTHONPATH=. .venv/bin/python bench/gateway.py                       # this checkout
    PYTHONPATH=. .venv/bin/python bench/gateway.py --checkout /tmp/old   # another one (same .venv)

bench/channels.py times the gateway with Rasa and the action server behind it, on a machine that
six sessions share: its turns/s move with the load, and the gateway's own share of a turn is a few
milliseconds among Rasa's twenty-odd. This starts a gateway from ``--checkout`` (a fresh ``var/``
prepared as ``saathi up`` does, no Redis: the defaults ``saathi up`` uses on one machine) in front of a stand-in for Rasa's REST
channel, sends it bench/channels.py's signed text messages, and reads the CPU the gateway process
used (utime + stime from ``/proc``, its children included) at each step, which the load hardly
moves. The stand-in answers at once with catalogue keys like the bot's (a greeting, the symptom
question, the age question), so the gateway renders, remembers and offers the pictorial menu as it
does for real answers; it is a measuring device, never a test of the bot.

Prints the start-up CPU (to a ready ``/health``), the first message's CPU and wall time, and the
CPU a message over ``--senders`` x ``--turns`` messages after it and one more (the first in Hindi) (one sender at a time or all at
once with ``--parallel``). Only the standard library, requests and twilio, so it measures any
checkout that has ``python -m channels serve``.

CPU seconds still move with the load by 10-25 % (clock, caches, other sessions), more than the
differences it is asked to show. ``--callgrind`` runs the gateway under ``valgrind --tool=callgrind``
(about 50 times slower) and also counts the instructions of the first message and of the later ones
(``callgrind_control`` zeroes and dumps the counts around them), which come out the same run after
run. Background threads (the backlog replayer every 2 s, the sweeps) run in that window too: their
rate, counted over ``--idle`` seconds with no message right after, is taken off.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["नमस्ते", "मुझे बुखार और खांसी है", "1", "35 साल", "2 दिन से", "2", "hello", "I have a headache"]
TICKS = os.sysconf("SC_CLK_TCK")
#: what the stand-in says to each text: (catalogue key, language), like the bot's first turns
ANSWERS = {"नमस्ते": ("core_greet", "hi"), "hello": ("core_greet", "en"), "I have a headache": ("core_ask_age", "en")}
DEFAULT_ANSWER = ("core_ask_age", "hi")
#: the schema and seed data ``saathi up`` makes before it starts the gateway (settings moved to config/ in #15)
PREPARE = """
try:
    from config.settings import load
except ImportError:
    from saathi.settings import load
from saathi.services import prepare_database
prepare_database(load())
"""


class StandInRasa(BaseHTTPRequestHandler):
    """Rasa's REST channel as the gateway sees it: text followed by the custom catalogue message
    (over kept-alive connections, as Rasa's Sanic server answers)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait for the client's ACK

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        key, language = ANSWERS.get(body.get("message", ""), DEFAULT_ANSWER)
        reply = json.dumps([{"recipient_id": body.get("sender"), "text": f"[{key}]"},
                            {"recipient_id": body.get("sender"),
                             "custom": {"key": key, "language": language, "script": "native", "fields": {}}}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by ``root`` and every live process under it."""
    parents, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        parents[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / TICKS
    inside, grown = {root}, {root}
    while grown:
        grown = {pid for pid, parent in parents.items() if parent in inside} - inside
        inside |= grown
    return sum(cpu.get(pid, 0.0) for pid in inside)


class Client:
    """Signed Twilio messaging webhooks (as channels.simclient signs them, without importing the checkout)."""

    def __init__(self, url: str, token: str, timeout: float = 120) -> None:
        self.url, self.validator, self.session = url, RequestValidator(token), requests.Session()
        self.timeout = timeout

    def message(self, number: str, text: str) -> None:
        params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": "ACbench", "From": f"whatsapp:{number}",
                  "To": "whatsapp:+14155238886", "Body": text, "NumMedia": "0"}
        signature = self.validator.compute_signature(f"{self.url}/twilio/messaging", params)
        response = self.session.post(f"{self.url}/twilio/messaging", data=params, timeout=self.timeout,
                                     headers={"X-Twilio-Signature": signature})
        response.raise_for_status()


def number() -> str:
    return f"+000{uuid.uuid4().int % 10**9:09d}"


class Callgrind:
    """Instructions the gateway runs between two marks (it runs under callgrind; ``callgrind_control`` asks it
    to zero its counts and to dump them, each dump to a numbered file beside ``out``)."""

    SUMMARY = re.compile(r"^summary:\s*(\d+)", re.MULTILINE)

    def __init__(self, out: Path) -> None:
        self.out, self.dumps = out, 0

    def command(self) -> list[str]:
        return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.out}"]

    def zero(self, pid: int) -> None:
        subprocess.run(["callgrind_control", "-z", str(pid)], check=True, capture_output=True)

    def count(self, pid: int) -> int:
        """The instructions since the last zero or dump (a dump zeroes the counts too)."""
        subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True)
        self.dumps += 1
        dump = Path(f"{self.out}.{self.dumps}")
        for _ in range(600):
            found = self.SUMMARY.search(dump.read_text()) if dump.exists() else None
            if found:
                return int(found[1])
            time.sleep(0.5)
        raise SystemExit(f"callgrind wrote no {dump}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the code to start the gateway from")
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5, help="text messages per sender")
    parser.add_argument("--parallel", action="store_true", help="all senders at once (bench/channels.py's way)")
    parser.add_argument("--rasa-port", type=int, default=0, help="the stand-in's port (default: a free one)")
    parser.add_argument("--gateway-port", type=int, default=0, help="the gateway's port (default: a free one)")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--callgrind", action="store_true", help="run the gateway under callgrind, count instructions")
    parser.add_argument("--idle", type=float, default=60, help="seconds of no message to count the background (--callgrind)")
    args = parser.parse_args()
    slow = 20 if args.callgrind else 1  # how much longer to wait for a start and for an answer

    rasa = ThreadingHTTPServer(("127.0.0.1", args.rasa_port), StandInRasa)
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    token, port = secrets.token_hex(16), args.gateway_port or free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as var:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SAATHI_", "DATABASE_URL", "REDIS_URL"))}
        env.update(PYTHONPATH=str(args.checkout), GATEWAY_PORT=str(port), TWILIO_AUTH_TOKEN=token,
                   TWILIO_ACCOUNT_SID="ACbench", SAATHI_PUBLIC_BASE_URL=url, SAATHI_SIMULATOR="1",
                   SAATHI_LOG_LEVEL="ERROR", SAATHI_VAR_DIR=var, RASA_URL=f"http://127.0.0.1:{rasa.server_port}", RASA_PORT=str(rasa.server_port))
        if args.callgrind:
            env["PYTHONHASHSEED"] = "0"  # the same set orders run after run: the same instructions
        meter = Callgrind(Path(var) / "callgrind.out") if args.callgrind else None
        subprocess.run([sys.executable, "-c", PREPARE], cwd=args.checkout, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        proc = subprocess.Popen([*(meter.command() if meter else ()), sys.executable, "-m", "channels", "serve"],
                                cwd=args.checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = started + 60 * slow
            while time.perf_counter() < deadline:
                try:
                    if requests.get(f"{url}/health", timeout=slow).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.1)
            else:
                raise SystemExit("the gateway did not start")
            figures: dict[str, float] = {"start_wall_s": time.perf_counter() - started, "start_cpu_s": tree_cpu(proc.pid)}
            client = Client(url, token, timeout=120 * slow)
            if meter:
                meter.zero(proc.pid)
            before, started = tree_cpu(proc.pid), time.perf_counter()
            client.message(number(), "hello")
            figures["first_wall_s"] = time.perf_counter() - started
            figures["first_cpu_s"] = tree_cpu(proc.pid) - before
            if meter:
                figures["first_minstr"] = meter.count(proc.pid) / 1e6
            client.message(number(), "नमस्ते")  # the Hindi menu card is drawn once per var/: not counted below

            def turns(_: int) -> None:
                sender, session = number(), Client(url, token, timeout=120 * slow)
                for index in range(args.turns):
                    session.message(sender, TEXTS[index % len(TEXTS)])

            if meter:
                meter.zero(proc.pid)
            before, started = tree_cpu(proc.pid), time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.senders if args.parallel else 1) as pool:
                list(pool.map(turns, range(args.senders)))
            messages = args.senders * args.turns
            wall = time.perf_counter() - started
            figures["messages"] = messages
            figures["cpu_ms_per_message"] = 1000 * (tree_cpu(proc.pid) - before) / messages
            figures["wall_ms_per_message"] = 1000 * wall / messages
            if meter:
                busy = meter.count(proc.pid)
                time.sleep(args.idle)
                idle_rate = meter.count(proc.pid) / args.idle  # dumped at once after the busy count
                figures["background_minstr_per_s"] = idle_rate / 1e6
                figures["minstr_per_message"] = (busy - idle_rate * wall) / messages / 1e6
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            rasa.shutdown()
    print(f"gateway {args.checkout}: start-up {figures['start_cpu_s']:.2f} s CPU ({figures['start_wall_s']:.1f} s wall), "
          f"first message {figures['first_cpu_s']:.2f} s CPU ({figures['first_wall_s']:.2f} s wall), "
          f"{figures['cpu_ms_per_message']:.2f} ms CPU a message over {messages} "
          f"({figures['wall_ms_per_message']:.1f} ms wall)")
    if args.callgrind:
        print(f"  callgrind: first message {figures['first_minstr']:.1f} M instructions, "
              f"{figures['minstr_per_message']:.2f} M instructions a message "
              f"(background {figures['background_minstr_per_s']:.2f} M/s taken off)")
    if args.json:
        Path(args.json).write_text(json.dumps({"checkout": str(args.checkout), **figures}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
