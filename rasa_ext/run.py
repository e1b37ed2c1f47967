"""``python -m rasa_ext.run run …``: ``rasa run`` with ``--auth-token`` from ``SAATHI_RASA_TOKEN``.

Rasa reads its API token only from the command line, where every local user can read it
(``ps``, ``/proc/<pid>/cmdline``); this launcher takes it from the environment (readable by the
same user only) and hands it to Rasa's own entry point inside the process. It refuses to start
Rasa without a token: an unauthenticated tracker API gives away every conversation. It also
installs the log redaction of rasa_ext.redact before Rasa starts logging.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from rasa_ext.redact import install as install_redaction

TOKEN_VARIABLE = "SAATHI_RASA_TOKEN"
MIN_TOKEN_CHARS = 32


class RefusedToStart(ValueError):
    """No usable token: Rasa must not start."""


def argv_with_token(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """``rasa`` arguments with the token appended; :class:`RefusedToStart` if it cannot be."""
    token = environ.get(TOKEN_VARIABLE, "")
    if len(token) < MIN_TOKEN_CHARS:
        raise RefusedToStart(f"refusing to start Rasa: {TOKEN_VARIABLE} is unset or shorter than "
                             f"{MIN_TOKEN_CHARS} characters")
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise RefusedToStart(f"refusing to start Rasa: give the token in {TOKEN_VARIABLE}, not on the command line")
    # One argument, ``--auth-token=…``: a generated token (URL-safe base64) may begin with "-", and
    # argparse takes a separate "-…" value for an option and fails ("expected one argument").
    return ["rasa", *argv, f"--auth-token={token}"]


def main() -> None:
    try:
        sys.argv = argv_with_token(sys.argv[1:], os.environ)
    except RefusedToStart as exc:  # status 2 and one line, like our other servers
        print(f"rasa_ext.run: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    install_redaction()  # before Rasa is imported: no message text in any log line
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
