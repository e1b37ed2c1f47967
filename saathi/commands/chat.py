"""``saathi chat``: a terminal conversation with the running assistant (through Rasa's REST channel)."""

from __future__ import annotations

import argparse
import sys
import uuid


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="talk to the running assistant in the terminal")
    parser.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    parser.set_defaults(func=run)


def send(base_url: str, token: str, sender: str, text: str) -> list[str]:
    from channels.rasa import RasaClient

    return [m.text for m in RasaClient(base_url, token, timeout=60).send(sender, text) if m.text]


def run(args: argparse.Namespace) -> int:
    from config.settings import load
    from saathi.rasa_client import server_up, token_refused

    settings = load()
    base_url = settings.rasa_base_url
    if not server_up(base_url, token=settings.rasa_token):
        if token_refused(base_url, settings.rasa_token):  # it runs, with another token: say so, not "start it"
            print(f"The assistant at {base_url} refused the Rasa token: set SAATHI_RASA_TOKEN (or SAATHI_VAR_DIR) "
                  f"to the stack's.", file=sys.stderr)
        else:
            print(f"No assistant answers at {base_url}. Start it first with `make run`.", file=sys.stderr)
        return 1
    sender = args.sender or f"chat-{uuid.uuid4().hex[:12]}"
    print("Type a message (Hindi, Punjabi or English); Ctrl-D to quit.", file=sys.stderr)
    for line in _lines():
        line = line.strip()
        if not line:
            continue
        for reply in send(base_url, settings.rasa_token, sender, line):
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
