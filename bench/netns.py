"""Beyond one box, rehearsed on one (issue #21): the gateway on one "host", Rasa and its action
server on another, as Linux network namespaces joined by a veth pair, so every turn crosses a
network link between two addresses, with the settings a two-host deployment uses (``SAATHI_HOST``,
``RASA_URL``, ``ACTION_ENDPOINT_URL``). Nothing reaches Rasa over loopback: it listens on its
namespace's veth address only. Closed-loop users send signed WhatsApp webhooks to the gateway
from the gateway's namespace; prints turns/s and p50/p95.

    sudo PYTHONPATH=. .venv/bin/python bench/netns.py [--users 10] [--seconds 60]

Needs root and iproute2 (``ip netns``). Embedded defaults otherwise (SQLite records, in-memory
tracker store and gateway store: no PostgreSQL or Redis, which live on the real loopback), so it
proves the wiring across hosts, not a production layout; the same two cores run both "hosts".
The namespaces are removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: the two "hosts": (namespace suffix, address on the link)
GATEWAY_HOST, RASA_HOST = "10.213.0.1", "10.213.0.2"
INSIDE = "SAATHI_NETNS_INSIDE"  # set when this script runs again inside the gateway's namespace


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True)


@contextlib.contextmanager
def two_hosts(tag: str):  # type: ignore[no-untyped-def]
    """Namespaces ``saathi-gw-TAG`` and ``saathi-rasa-TAG`` with a veth link; yields their names."""
    gw, rasa = f"saathi-gw-{tag}", f"saathi-rasa-{tag}"
    try:
        ip("netns", "add", gw)
        ip("netns", "add", rasa)
        ip("link", "add", f"sgw{tag}", "type", "veth", "peer", "name", f"srs{tag}")
        for ns, link, address in ((gw, f"sgw{tag}", GATEWAY_HOST), (rasa, f"srs{tag}", RASA_HOST)):
            ip("link", "set", link, "netns", ns)
            ip("-n", ns, "addr", "add", f"{address}/30", "dev", link)
            ip("-n", ns, "link", "set", link, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        yield gw, rasa
    finally:
        for ns in (gw, rasa):  # the veth pair goes with its namespaces
            subprocess.run(["ip", "netns", "del", ns], check=False, stderr=subprocess.DEVNULL)


def in_namespace(service, ns: str):  # type: ignore[no-untyped-def]
    """The same service, started inside ``ns`` (``ip netns exec`` execs it: same pid, same group)."""
    return dataclasses.replace(service, argv=["ip", "netns", "exec", ns, *service.argv])


def inside(args: argparse.Namespace) -> int:
    """In the gateway's namespace: Rasa and actions started in Rasa's, the gateway here, the load."""
    from tests.support.production import strong_secrets

    var = Path(tempfile.mkdtemp(prefix="saathi-netns-"))
    rasa_port, actions_port, gateway_port = 5005, 5055, 8000  # namespaces of their own: no clashes
    public = f"http://{GATEWAY_HOST}:{gateway_port}"
    os.environ.update({
        "SAATHI_VAR_DIR": str(var), "RASA_WORKERS": "1", "SAATHI_HOST": RASA_HOST, "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port), "RASA_URL": f"http://{RASA_HOST}:{rasa_port}",
        "ACTION_ENDPOINT_URL": f"http://{RASA_HOST}:{actions_port}/webhook",
        "TWILIO_ACCOUNT_SID": "ACnetns", "TWILIO_AUTH_TOKEN": "netns-token", "SAATHI_PUBLIC_BASE_URL": public,
        "SAATHI_SIMULATOR": "0", "SAATHI_SURVEILLANCE_DEMO": "0", "SAATHI_RATE_LIMIT_PER_MINUTE": "100000",
        "SAATHI_LOG_LEVEL": "WARNING", **strong_secrets()})
    for name in ("DATABASE_URL", "REDIS_URL", "TRACKER_STORE_URL"):
        os.environ.pop(name, None)
    from bench.scaling import Load
    from config.settings import Settings
    from saathi.rasa_model import ensure_model
    from saathi.services import Supervisor, actions_service, module_service, prepare_database, rasa_service

    settings = Settings()
    prepare_database(settings)
    model = ensure_model(settings=settings)  # cached: trained (if at all) before the namespaces
    services = [in_namespace(rasa_service(settings, model), args.rasa_ns),
                in_namespace(actions_service(settings), args.rasa_ns),
                module_service(settings, "gateway", "channels", "serve", gateway_port, GATEWAY_PORT=str(gateway_port),
                               SAATHI_HOST=GATEWAY_HOST)]
    services[2] = dataclasses.replace(services[2], health_url=f"{public}/health")
    supervisor = Supervisor(services, log_dir=var / "logs", backoff=1.0)
    print(f"gateway {GATEWAY_HOST} (namespace {args.gw_ns}) -> Rasa and actions {RASA_HOST} "
          f"(namespace {args.rasa_ns}); starting (var: {var}) …", flush=True)
    with supervisor:
        load = Load(public, "netns-token", [])
        started = time.monotonic()
        first = probe(settings, public)  # Rasa's first turns are slow (TensorFlow warming): not in the rounds
        print(f"first turn answered by Rasa after {time.monotonic() - started:.0f} s ({first} bot message(s))", flush=True)
        load.run(args.users, args.warmup)
        result = load.run(args.users, args.seconds)
        bot_messages = probe(settings, public)
    print(f"across namespaces, {args.users} users, {result['seconds']} s: {result['turns']} turns, "
          f"{result['turns_per_s']:.1f} turns/s, p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
          f"failed {result['errors']}; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(f"a probe turn afterwards: Rasa's tracker, read across the link, holds {bot_messages} bot message(s) "
          "for it (0 would mean the gateway answered on its own, Rasa unreachable)")
    return 0 if result["turns"] and not result["errors"] and bot_messages else 1


def probe(settings, public: str) -> int:  # type: ignore[no-untyped-def]
    """One signed turn, then its conversation's bot events in Rasa's tracker (over the veth link):
    the load's 200s were Rasa's answers, not the gateway's "we will answer later" note."""
    import uuid

    import requests

    from channels.simclient import WebhookClient
    from records.identity import sender_id

    address = f"whatsapp:+9194{uuid.uuid4().int % 10**8:08d}"
    WebhookClient(public, public, "netns-token").message(address, "mujhe 2 din se bukhar hai").raise_for_status()
    tracker = requests.get(f"{settings.rasa_base_url}/conversations/{sender_id(address, settings.sender_salt)}/tracker",
                           params={"token": settings.rasa_token}, timeout=30).json()
    return sum(1 for event in tracker.get("events", []) if event.get("event") == "bot")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--gw-ns", default="")
    parser.add_argument("--rasa-ns", default="")
    args = parser.parse_args()
    if os.environ.get(INSIDE):
        return inside(args)
    if os.geteuid() != 0:
        print("needs root (ip netns)", file=sys.stderr)
        return 2
    from saathi.rasa_model import ensure_model

    ensure_model()  # training (minutes) happens here, on the host, if the cache lacks the model
    with two_hosts(str(os.getpid() % 10000)) as (gw, rasa):
        argv = [sys.executable, __file__, "--users", str(args.users), "--seconds", str(args.seconds),
                "--warmup", str(args.warmup), "--gw-ns", gw, "--rasa-ns", rasa]
        started = time.monotonic()
        done = subprocess.run(["ip", "netns", "exec", gw, *argv], env={**os.environ, INSIDE: "1"}, check=False)
        print(f"({time.monotonic() - started:.0f} s in all)")
        return done.returncode


if __name__ == "__main__":
    sys.exit(main())
