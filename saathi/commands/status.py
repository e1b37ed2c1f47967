"""``saathi status``: is each service alive and ready, and if not, what is missing.

Asks the running services themselves (``/health`` and ``/ready`` of the gateway, the portal and the
action server, Rasa's ``/status`` with its token), so an operator reads the same verdicts a
load balancer or Kubernetes probe gets (engine.health). Exit code 0 when every service is ready
(a gateway that only lacks Rasa counts as degraded: 1).
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("status", help="health and readiness of each running service")
    parser.add_argument("--json", action="store_true", help="one JSON object per service instead of text")
    parser.set_defaults(func=run)


def _get(url: str, params: dict[str, str] | None = None) -> tuple[int | None, Any]:
    import requests

    try:
        response = requests.get(url, params=params, timeout=5)
    except requests.RequestException as exc:
        return None, f"no answer ({type(exc).__name__})"
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text[:200]


def probe(settings: Any) -> list[dict[str, Any]]:
    """One report per service: alive (``/health``), ready (``/ready``'s body)."""
    host = settings.host
    reports = []
    for name, base in (("gateway", f"http://{host}:{settings.gateway_port}"),
                       ("portal", f"http://{host}:{settings.portal_port}"),
                       ("actions", f"http://{host}:{settings.actions_port}")):
        alive, _ = _get(f"{base}/health")
        code, body = _get(f"{base}/ready")
        ready = body if isinstance(body, dict) else {"status": "unknown", "detail": body}
        reports.append({"service": name, "alive": alive == 200, "ready_http": code, **ready, "service_url": base})
    code, body = _get(f"{settings.rasa_base_url}/status", settings.rasa_auth)
    rasa_ready = code == 200
    reports.append({"service": "rasa", "alive": rasa_ready, "ready_http": code,
                    "status": "ready" if rasa_ready else "not ready",
                    "checks": {"model": (body.get("model_file") or "loaded") if rasa_ready and isinstance(body, dict)
                               else f"down: {body if code is None else f'HTTP {code}'}"},
                    "service_url": settings.rasa_base_url})
    return reports


def run(args: argparse.Namespace) -> int:
    from config.settings import load

    reports = probe(load())
    for report in reports:
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
            continue
        print(f"{report['service']:8} {'alive' if report['alive'] else 'DOWN':5}  {report.get('status', '?')}"
              + (f"  (not ready: {', '.join(report['not_ready'])})" if report.get("not_ready") else ""))
        for check, verdict in (report.get("checks") or {}).items():
            print(f"    {check:10} {verdict}")
        if "waiting_for_rasa" in report:
            print(f"    {'backlog':10} {report['waiting_for_rasa']} message(s) waiting for Rasa")
    return 0 if all(r.get("status") == "ready" for r in reports) else 1
