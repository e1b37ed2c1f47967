"""Channel benchmark: signed webhooks from N concurrent senders against a running stack.

    .venv/bin/python bench/channels.py --senders 20 --turns 5

Needs Rasa + the action server running (``saathi up`` or ``make run``). By default it starts its
own gateway process (``python -m channels serve``, random token, simulator outbox on) on a free
port; ``--gateway URL`` benchmarks an already running one instead (then TWILIO_AUTH_TOKEN must be
its token and its simulator must be on for the photo/voice turnarounds).

Prints p50/p95 of: text webhook-to-reply latency (the TwiML answer), photo-to-answer (photo
webhook until the OCR job's reply lands in the outbox) and voice-note-to-answer (until the
transcript confirmation lands).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels.simclient import FileServer, WebhookClient  # noqa: E402
from config.settings import load  # noqa: E402

TEXTS = ["नमस्ते", "मुझे बुखार और खांसी है", "1", "35 साल", "2 दिन से", "2", "hello", "I have a headache"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def report(name: str, values: list[float]) -> None:
    if not values:
        print(f"{name:<28} no samples")
        return
    print(f"{name:<28} n={len(values):<4} p50={1000 * statistics.median(values):7.0f} ms   "
          f"p95={1000 * percentile(values, 95):7.0f} ms   max={1000 * max(values):7.0f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gateway(token: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, GATEWAY_PORT=str(port), TWILIO_AUTH_TOKEN=token, TWILIO_ACCOUNT_SID="ACbench",
               SAATHI_PUBLIC_BASE_URL="", SAATHI_SIMULATOR="1", SAATHI_LOG_LEVEL="ERROR")
    proc = subprocess.Popen([sys.executable, "-m", "channels", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the gateway did not start")


def text_turns(client: WebhookClient, turns: int) -> list[float]:
    number = f"+000{uuid.uuid4().int % 10**9:09d}"
    latencies = []
    for index in range(turns):
        started = time.perf_counter()
        response = client.message(f"whatsapp:{number}", TEXTS[index % len(TEXTS)])
        response.raise_for_status()
        latencies.append(time.perf_counter() - started)
    return latencies


def rasa_turns(base_url: str, token: str, turns: int) -> list[float]:
    """The same turns straight to Rasa's REST channel (with the Rasa token): the baseline the gateway adds to."""
    session, sender, latencies = requests.Session(), f"bench-{uuid.uuid4().hex[:12]}", []
    session.params = {"token": token}
    for index in range(turns):
        started = time.perf_counter()
        session.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": TEXTS[index % len(TEXTS)]},
                     timeout=60).raise_for_status()
        latencies.append(time.perf_counter() - started)
    return latencies


def media_turnaround(client: WebhookClient, files: FileServer, path: Path, timeout: float = 180) -> float | None:
    number = f"+000{uuid.uuid4().int % 10**9:09d}"
    started = time.perf_counter()
    client.message(f"whatsapp:{number}", media=[files.url_for(path)]).raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        poll = client.session.get(f"{client.local_base}/simulator/poll", params={"number": number}, timeout=10)
        if poll.ok and poll.json().get("messages"):
            return time.perf_counter() - started
        time.sleep(0.2)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5, help="text turns per sender")
    parser.add_argument("--media", type=int, default=3, help="photos and voice notes to time (each)")
    parser.add_argument("--gateway", default="", help="benchmark a running gateway at this URL")
    args = parser.parse_args()

    settings = load()
    proc = None
    if args.gateway:
        token, url = settings.twilio_auth_token, args.gateway
    else:
        token = secrets.token_hex(16)
        proc, url = start_gateway(token)
    public = url if not args.gateway else settings.gateway_base_url
    try:
        clients = [WebhookClient(url, public, token) for _ in range(args.senders)]
        clients[0].message(f"whatsapp:+000{uuid.uuid4().int % 10**9:09d}", "hello")  # warm-up
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.senders) as pool:
            results = list(pool.map(lambda c: text_turns(c, args.turns), clients))
        wall = time.perf_counter() - started
        latencies = [x for r in results for x in r]
        print(f"{args.senders} senders x {args.turns} text turns in {wall:.1f} s "
              f"({len(latencies) / wall:.1f} turns/s)")
        report("text webhook -> reply", latencies)
        with ThreadPoolExecutor(max_workers=args.senders) as pool:
            direct = [x for r in pool.map(lambda _: rasa_turns(settings.rasa_base_url, settings.rasa_token, args.turns),
                                          range(args.senders)) for x in r]
        report("  same turns, Rasa directly", direct)

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            photo = ROOT / "tests" / "fixtures" / "channels" / "prescription.jpg"
            (folder / "rx.jpg").write_bytes(photo.read_bytes())
            subprocess.run(["espeak-ng", "-v", "hi", "-w", str(folder / "note.wav"), "मुझे बुखार और खांसी है"],
                           check=True)
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(folder / "note.wav"), "-c:a",
                            "libopus", str(folder / "note.ogg")], check=True)
            files = FileServer(folder).start()
            try:
                client = WebhookClient(url, public, token)
                photos = [media_turnaround(client, files, folder / "rx.jpg") for _ in range(args.media)]
                notes = [media_turnaround(client, files, folder / "note.ogg") for _ in range(args.media)]
            finally:
                files.stop()
        report("photo -> answer", [x for x in photos if x is not None])
        report("voice note -> confirmation", [x for x in notes if x is not None])
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
