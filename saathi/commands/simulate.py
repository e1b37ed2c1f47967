"""``saathi simulate``: correctly signed Twilio webhooks against a running gateway.

    saathi simulate text "मुझे बुखार है"            a WhatsApp text (--sms for SMS)
    saathi simulate photo prescription.jpg          a photo, served from this machine
    saathi simulate audio note.ogg                  a voice note
    saathi simulate call --digits 1                 one IVR step (--step, --speech, --call-sid)

With the default simulated number (+000…) replies made later by jobs go to the gateway's
simulator outbox and are printed here; with a real number they go out through Twilio.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("simulate", help="send signed Twilio webhooks to a running gateway")
    parser.add_argument("kind", choices=["text", "photo", "audio", "call"])
    parser.add_argument("value", nargs="?", default="", help="the text, or the file to send")
    parser.add_argument("--number", default=f"+000{uuid.uuid4().int % 10**9:09d}",
                        help="the sender's number (default: a simulated +000… number)")
    parser.add_argument("--sms", action="store_true", help="send as SMS instead of WhatsApp")
    parser.add_argument("--gateway", default="", help="where the gateway listens (default: local GATEWAY_PORT)")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for replies made by jobs")
    parser.add_argument("--step", default="turn", help="IVR step: incoming, language, turn, confirm, emergency")
    parser.add_argument("--digits", default="", help="IVR keypad input")
    parser.add_argument("--speech", default="", help="IVR speech result")
    parser.add_argument("--call-sid", default=f"CA{uuid.uuid4().hex}", help="IVR call id")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from channels.simclient import FileServer, WebhookClient
    from config.settings import load

    settings = load()
    if not settings.twilio_auth_token:
        print("Set TWILIO_AUTH_TOKEN to the gateway's token: the requests are signed with it.", file=sys.stderr)
        return 2
    local = args.gateway or f"http://{settings.host}:{settings.gateway_port}"
    client = WebhookClient(local, settings.gateway_base_url, settings.twilio_auth_token)
    if args.kind == "call":
        params = {k: v for k, v in (("Digits", args.digits), ("SpeechResult", args.speech)) if v}
        if args.speech:
            params["Confidence"] = "0.9"
        response = client.call_step(args.step, args.call_sid, args.number, **params)
        print(response.text)
        return 0 if response.ok else 1
    address = args.number if args.sms else f"whatsapp:{args.number}"
    server = None
    media: list[tuple[str, str]] = []
    if args.kind in ("photo", "audio"):
        path = Path(args.value).resolve()
        if not path.is_file():
            print(f"no such file: {path}", file=sys.stderr)
            return 2
        server = FileServer(path.parent).start()
        media.append(server.url_for(path))
    try:
        started = time.perf_counter()
        response = client.message(address, "" if media else args.value, media)
        print(f"[{response.status_code} in {1000 * (time.perf_counter() - started):.0f} ms]\n{response.text}")
        if media and args.number.startswith("+000") and settings.simulator_enabled:
            _print_outbox(client, local, args.number, args.wait)
    finally:
        if server:
            server.stop()
    return 0 if response.ok else 1


def _print_outbox(client, local: str, number: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        messages = client.session.get(f"{local}/simulator/poll", params={"number": number}, timeout=10).json()
        for message in messages.get("messages", []):
            print(f"saathi> {message['body']} {' '.join(message['media'])}".rstrip())
            return
        time.sleep(1)
    print(f"(no reply from a job within {wait:.0f} s)", file=sys.stderr)
