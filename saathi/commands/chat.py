"""``saathi chat``: a terminal conversation with the running assistant (through Rasa's REST channel)."""

from __future__ import annotations

import argparse
import sys
import uuid


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="talk to the running assistant in the terminal")
    parser.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    parser.set_defaults(func=run)


def send(base_url: str, sender: str, text: str) -> list[str]:
    import requests

    response = requests.post(
        f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    return [m["text"] for m in response.json() if m.get("text")]


def run(args: argparse.Namespace) -> int:
    from saathi.rasa_client import server_up
    from saathi.settings import load

    base_url = load().rasa_base_url
    if not server_up(base_url):
        print(f"No assistant answers at {base_url}. Start it first with `make run`.", file=sys.stderr)
        return 1
    sender = args.sender or f"chat-{uuid.uuid4().hex[:12]}"
    print("Type a message (Hindi, Punjabi or English); Ctrl-D to quit.", file=sys.stderr)
    for line in _lines():
        line = line.strip()
        if not line:
            continue
        for reply in send(base_url, sender, line):
            print(f"saathi> {reply}\n")
    return 0


def _lines():
    """Lines typed at a prompt (interactive) or piped in; ends on Ctrl-D / end of input."""
    if not sys.stdin.isatty():
        yield from sys.stdin
        return
    while True:
        try:
            yield input("you> ")
        except (EOFError, KeyboardInterrupt):
            return
