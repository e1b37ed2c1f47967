"""``saathi up``: start the whole assistant on embedded defaults and stop it all on Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("up", help="start Rasa, the action server and the other services")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from config.settings import load
    from saathi.services import Supervisor, default_services

    settings = load()
    print("Sehat Saathi is starting (the first run trains the model: a few minutes)…", file=sys.stderr)
    supervisor = Supervisor(default_services(settings))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with supervisor:
        print(
            f"\nSehat Saathi is running.\n"
            f"  Phone-style chat (photos, voice notes): http://{settings.host}:{settings.gateway_port}/simulator\n"
            f"  In a terminal:      .venv/bin/saathi chat\n"
            f"  Doctors' portal:    http://{settings.host}:{settings.portal_port}/  (saathi portal create-admin)\n"
            f"  Rasa REST channel:  POST {settings.rasa_base_url}/webhooks/rest/webhook?token=$(cat "
            f"{settings.var_dir / 'keys' / 'rasa_token'})  (SAATHI_RASA_TOKEN when set)\n"
            f"  Logs:               {supervisor.log_dir}\n"
            f"Press Ctrl-C to stop everything.",
            file=sys.stderr,
        )
        try:
            while True:  # a dead service is started again (with backoff); the others keep running
                for event in supervisor.tend():
                    print(event, file=sys.stderr)
                time.sleep(1)
        except KeyboardInterrupt:
            print("\nstopping…", file=sys.stderr)
    return 0
