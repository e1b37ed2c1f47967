"""``python -m channels`` and ``python -m portal``: the start every server process shares.

Logging to stderr at ``SAATHI_LOG_LEVEL``, one positional command (``serve``, ``worker``), and
:func:`config.settings.load_for_start`, so a production deployment with a default or short secret
stops before it serves anything.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from typing import Any


def run_process(prog: str, commands: dict[str, Callable[[], int]], argv: list[str] | None = None,
                prepare: Callable[[], None] | None = None) -> int:
    """Runs the command named on the command line; ``prepare`` first (after logging is set up)."""
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("SAATHI_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if prepare is not None:
        prepare()
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("command", choices=list(commands))
    args = parser.parse_args(argv)
    from config.settings import load_for_start

    load_for_start(prog)  # a production deployment with a default or short secret stops here
    return commands[args.command]()


def serve_forever(app: Any, host: str, port: int, what: str) -> int:
    """Serves a WSGI ``app`` (the gateway, the portal) on a threaded server until the process is
    stopped, saying where in the log (``what`` names it); returns the exit status."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    logging.getLogger(what).warning("%s listening on http://%s:%s", what, host, port)
    server.serve_forever()
    return 0
