"""Probe a running Sehat Saathi stack for the back doors of issue #14 (findings 1 and 2).

    .venv/bin/python -m tests.probe_live_stack --rasa http://127.0.0.1:5005 --actions http://127.0.0.1:5055
    .venv/bin/python -m tests.probe_live_stack --rasa URL --actions URL --rasa-token "$(cat var/keys/rasa_token)"

Each check prints one line, then ``N/N checks passed``; the exit status is 0 only when all pass.

* Rasa: its HTTP API (tracker, events, parse, domain, status) and the REST channel must answer 401
  without the Rasa token and with a wrong one. A server that does not answer fails the check, so
  a dead stack never passes. With ``--rasa-token`` the probe also checks that the token is what
  makes the difference (``/status`` answers with it).
* Action server: ``/webhook`` and ``/actions`` must refuse callers without the actions token or
  with a wrong one (401/403); ``/health`` must answer (the server is up).
* Secrets (``--no-secrets`` skips it; runs this tree's code, not the remote stack): every server
  entry point started as a production deployment (PostgreSQL configured) with the old published
  sender salt, ``saathi`` with each secret unset or short and with the ``file`` key provider, and
  Rasa's launcher with a short token, must refuse to start with one line naming the variable.

It never changes the stack: the forged action call names an action that does not exist (an open
server answers 404, a closed one 401/403), the refused messages go to a fresh probe sender, and
nothing is deleted or replaced.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
REFUSED = (401, 403)
WRONG_TOKEN = "probe-wrong-token-" + "z" * 32


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def expect_refused(name: str, method: str, url: str, **request: object) -> Check:
    """The call must be answered, and answered 401 or 403."""
    try:
        response = requests.request(method, url, timeout=30, **request)  # type: ignore[arg-type]
    except requests.RequestException as exc:
        return Check(name, False, f"no answer ({type(exc).__name__})")
    return Check(name, response.status_code in REFUSED, f"HTTP {response.status_code}")


def rasa_checks(base: str, token: str | None = None) -> list[Check]:
    """Rasa's API and the REST channel without the token and with a wrong one."""
    base = base.rstrip("/")
    sender = f"probe-{uuid.uuid4().hex[:12]}"
    calls = [
        ("GET /status", "get", "/status", None),
        ("GET /conversations/<sender>/tracker", "get", f"/conversations/{sender}/tracker", None),
        ("GET /conversations/<sender>/story", "get", f"/conversations/{sender}/story", None),
        ("POST /conversations/<sender>/tracker/events", "post", f"/conversations/{sender}/tracker/events",
         {"event": "slot", "name": "language", "value": "en"}),
        ("POST /conversations/<sender>/trigger_intent", "post", f"/conversations/{sender}/trigger_intent",
         {"name": "greet"}),
        ("POST /conversations/<sender>/messages", "post", f"/conversations/{sender}/messages",
         {"text": "probe", "sender": "user"}),
        ("POST /model/parse", "post", "/model/parse", {"text": "bukhar"}),
        ("GET /domain", "get", "/domain", None),
        ("POST /webhooks/rest/webhook", "post", "/webhooks/rest/webhook", {"sender": sender, "message": "probe"}),
    ]
    checks = []
    for label, method, path, body in calls:
        for how, params in (("no token", {}), ("wrong token", {"token": WRONG_TOKEN})):
            checks.append(expect_refused(f"rasa {label} ({how}) refused", method, f"{base}{path}",
                                         params=params, json=body))
    if token:
        try:
            status = requests.get(f"{base}/status", params={"token": token}, timeout=30).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        checks.append(Check("rasa GET /status with the token answers", status == 200, f"HTTP {status}"))
    return checks


def action_checks(base: str) -> list[Check]:
    """The action server's routes without the actions token and with a wrong one."""
    base = base.rstrip("/").removesuffix("/webhook")
    sender = f"probe-{uuid.uuid4().hex[:12]}"
    forged = {"next_action": "action_probe_that_does_not_exist", "sender_id": sender, "version": "3.6.21",
              "domain": {}, "tracker": {"sender_id": sender, "slots": {"pending_offer": "delete"},
                                        "latest_message": {"text": "haan"}, "events": []}}
    checks = []
    for how, headers in (("no token", {}), ("wrong token", {"Authorization": f"Bearer {WRONG_TOKEN}"})):
        checks.append(expect_refused(f"actions POST /webhook, forged call ({how}) refused", "post",
                                     f"{base}/webhook", json=forged, headers=headers))
        checks.append(expect_refused(f"actions GET /actions ({how}) refused", "get", f"{base}/actions",
                                     headers=headers))
    try:
        health = requests.get(f"{base}/health", timeout=30).status_code
    except requests.RequestException as exc:
        health = type(exc).__name__
    checks.append(Check("actions GET /health answers (the server is up)", health == 200, f"HTTP {health}"))
    return checks


#: Every process that starts a part of the stack, as a deployment runs it (this tree's code).
ENTRY_POINTS: dict[str, list[str]] = {
    "gateway": [sys.executable, "-m", "channels", "serve"],
    "gateway worker": [sys.executable, "-m", "channels", "worker"],
    "portal": [sys.executable, "-m", "portal", "serve"],
    "portal worker": [sys.executable, "-m", "portal", "worker"],
    "action server": [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", "0"],
    "saathi up": [sys.executable, "-m", "saathi.cli", "up"],
    "saathi command": [sys.executable, "-m", "saathi.cli", "db", "upgrade"],
}


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """A production deployment's environment (PostgreSQL configured, strong secrets) with ``overrides``."""
    from tests.support.production import UNREACHED_PG, strong_secrets

    env = {k: v for k, v in os.environ.items() if not k.startswith("SAATHI_") and k not in
           ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL")}
    env.update(strong_secrets(), DATABASE_URL=UNREACHED_PG, SAATHI_VAR_DIR=str(var_dir), GATEWAY_PORT="0",
               PORTAL_PORT="0", **overrides)
    return env


def refuses(name: str, argv: list[str], env: dict[str, str], variable: str, timeout: float = 90) -> Check:
    """``argv`` must exit with status 2 and one line naming ``variable``, before serving anything."""
    try:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Check(name, False, f"still running after {timeout:.0f} s: it started")
    lines = done.stderr.strip().splitlines()
    ok = done.returncode == 2 and len(lines) == 1 and variable in lines[0]
    return Check(name, ok, f"exit {done.returncode}: {lines[-1][:160] if lines else 'nothing on stderr'}")


def secret_checks(var_dir: Path) -> list[Check]:
    """Each entry point refuses the old default salt; ``saathi`` refuses each other secret when
    unset or short, and the ``file`` key provider on PostgreSQL; Rasa's launcher a short token."""
    from config.settings import SECRETS

    env = production_env(var_dir, SAATHI_SENDER_SALT="change-me-in-production")
    checks = [refuses(f"{name} refuses to start with the default sender salt", argv, env, "SAATHI_SENDER_SALT")
              for name, argv in ENTRY_POINTS.items()]
    command = ENTRY_POINTS["saathi command"]
    for variable, _ in SECRETS.values():
        for how, value in (("unset", ""), ("short", "only-24-characters-long!")):
            checks.append(refuses(f"saathi refuses {variable} {how}", command,
                                  production_env(var_dir, **{variable: value}), variable))
    checks.append(refuses("saathi refuses the file key provider on PostgreSQL", command,
                          production_env(var_dir, SAATHI_ALLOW_FILE_KEYS="", SAATHI_KEY_PROVIDER="file"),
                          "SAATHI_KEY_PROVIDER"))
    rasa_python = ROOT / ".venv-rasa" / "bin" / "python"
    short = dict(env, SAATHI_RASA_TOKEN="short-token", PYTHONPATH=str(ROOT))
    checks.append(refuses("rasa refuses to start with a short token",
                          [str(rasa_python), "-m", "rasa_ext.run", "run", "--enable-api"], short, "SAATHI_RASA_TOKEN"))
    return checks


def report(sections: dict[str, list[Check]]) -> int:
    """One line per check, a tally per section, then ``N/N checks passed``; 0 only when all passed."""
    checks = [check for section in sections.values() for check in section]
    for check in checks:
        print(f"{'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    for title, section in sections.items():
        print(f"{title}: {sum(c.ok for c in section)}/{len(section)}")
    passed = sum(check.ok for check in checks)
    print(f"{passed}/{len(checks)} checks passed")
    return 0 if checks and passed == len(checks) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.probe_live_stack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa", help="Rasa's base URL, e.g. http://127.0.0.1:5005")
    parser.add_argument("--actions", help="the action server's base URL, e.g. http://127.0.0.1:5055")
    parser.add_argument("--rasa-token", help="the stack's Rasa token: also check that it is what gets in (write --rasa-token=T: a token may begin with -)")
    parser.add_argument("--no-secrets", action="store_true", help="skip starting this tree's servers")
    parser.add_argument("--var-dir", default="", help="scratch directory for the secrets checks")
    args = parser.parse_args(argv)
    if not (args.rasa or args.actions) and args.no_secrets:
        parser.error("nothing to probe: give --rasa and/or --actions, or drop --no-secrets")
    sections: dict[str, list[Check]] = {}
    if args.rasa:
        sections["unauthenticated Rasa calls refused"] = rasa_checks(args.rasa, args.rasa_token)
    if args.actions:
        sections["unauthenticated action calls refused"] = action_checks(args.actions)
    if not args.no_secrets:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="saathi-probe-") as scratch:
            sections["default secrets refused"] = secret_checks(Path(args.var_dir or scratch))
    return report(sections)


if __name__ == "__main__":
    sys.exit(main())
