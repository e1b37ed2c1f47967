"""``python -m actions.server``: rasa-sdk's action server, answering only Rasa.

rasa-sdk (3.21) authenticates nobody: whoever reaches ``/webhook`` runs any action for any sender
with a tracker of their own making (issue #14: a forged call saved a fake triage into a
patient's record and, with ``pending_offer: delete``, erased another patient). This entry point
serves rasa-sdk's own app (same arguments as ``python -m rasa_sdk``) with one addition: every
request but ``/health`` must carry ``Authorization: Bearer <SAATHI_ACTIONS_TOKEN>``, which Rasa
sends from ``action_endpoint.headers`` in its endpoints.yml; it is compared in constant time. No
header: 401; a wrong one: 403. It listens on ``SANIC_HOST`` if set (docker-compose), else on
``SAATHI_HOST`` (127.0.0.1), never on rasa-sdk's default of every interface.
"""

from __future__ import annotations

import hmac
import os
import sys
import time
from functools import partial
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from engine.metrics import ACTION_SECONDS, closed, exposition, use_multiprocess_dir

#: Answered without the token: the supervisor's liveness check, the readiness checks (engine.health:
#: names and verdicts only) and the metrics (counts by action and urgency), which reveal nothing of
#: anyone; the action server is reachable only on the internal network.
OPEN_PATHS = frozenset({"/health", "/ready", "/metrics"})


def refusal(request: Request, token: bytes) -> HTTPResponse | None:
    """The response that turns ``request`` away, or ``None`` when it may go on."""
    if request.path in OPEN_PATHS:
        return None
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not supplied:
        return response.json({"error": "the action server answers only Rasa: Authorization header missing"},
                             status=401)
    if not hmac.compare_digest(supplied.strip().encode("utf-8"), token):
        return response.json({"error": "the action server answers only Rasa: wrong token"}, status=403)
    return None


def secured_app(action_executor: ActionExecutor, token: str, **options: Any) -> Sanic:
    """rasa-sdk's app (its ``create_app_for_serve``) behind the token, and the worker's services
    (:mod:`actions.services`); built again in every worker."""
    if not token:
        raise RuntimeError("the action server needs SAATHI_ACTIONS_TOKEN")
    from actions.services import build

    build()  # this worker's composition root: settings -> one engine -> records -> services (on first use)
    app = create_app_for_serve(action_executor, **options)
    secret = token.encode("utf-8")

    async def require_token(request: Request) -> HTTPResponse | None:
        return refusal(request, secret)

    actions = frozenset(action_executor.actions)

    async def started(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    async def timed(request: Request, answer: HTTPResponse) -> None:
        """saathi_action_seconds by action (a registered name, else ``other``) and outcome."""
        if request.path != "/webhook" or not hasattr(request.ctx, "started"):
            return
        name = (request.json or {}).get("next_action") if answer.status not in (401, 403) else None
        outcome = "refused" if answer.status in (401, 403) else "error" if answer.status >= 500 else "ok"
        ACTION_SECONDS.labels(closed(name, actions), outcome).observe(time.perf_counter() - request.ctx.started)

    app.register_middleware(started, "request")
    app.register_middleware(require_token, "request")
    app.register_middleware(timed, "response")
    app.add_route(ready, "/ready", methods=["GET"])
    app.add_route(metrics, "/metrics", methods=["GET"])
    return app


async def metrics(request: Request) -> HTTPResponse:
    """Prometheus, every Sanic worker added up (multiprocess mode, set up by :func:`main`)."""
    body, content_type = exposition()
    return response.raw(body, content_type=content_type)


async def ready(request: Request) -> HTTPResponse:
    """engine.health for the action server: database, Redis (reminder jobs), keyring, Twilio in
    production; run in a thread (the checks block) so the worker's loop keeps serving actions."""
    import asyncio

    from config.settings import load
    from engine.health import run_checks, standard_checks

    settings = load()
    checks = [c for c in standard_checks(settings, "") if c.name != "worker"]  # no queue of its own
    status, body = await asyncio.to_thread(run_checks, "actions", checks)
    return response.json(body, status=status)


def serve(action_executor: ActionExecutor, token: str, host: str, port: int, **options: Any) -> None:
    """What ``rasa_sdk.endpoint.run`` does (its app loader, its worker count), with :func:`secured_app`."""
    loader = AppLoader(factory=partial(secured_app, action_executor, token, **options))
    app = loader.load()
    app.prepare(host=host, port=port, workers=utils.number_of_sanic_workers())
    Sanic.serve(primary=app, app_loader=loader)


def main(argv: list[str] | None = None) -> int:
    from config.settings import load_for_start

    settings = load_for_start("python -m actions.server")
    args = create_argument_parser().parse_args(argv)
    # Sanic workers are processes (spawned, even one): each writes its samples to a directory of
    # this server's own, which /metrics adds up; the workers inherit it and import afresh
    # (SAATHI_METRICS=0: no metrics, so no files either)
    if settings.metrics:
        use_multiprocess_dir(settings.var_dir / "metrics" / f"actions-{args.port}")
    import logging

    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel,
                                 args.logging_config_file)
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions or "actions")
    serve(executor, settings.actions_token, os.environ.get("SANIC_HOST") or settings.host, args.port,
          cors_origins=args.cors, auto_reload=args.auto_reload, endpoints=args.endpoints)
    return 0


if __name__ == "__main__":
    # Sanic's workers unpickle the app factory by module name: run it from ``actions.server``,
    # not from ``__main__``.
    from actions import server

    sys.exit(server.main())
