"""The gateway's Flask app factory: one blueprint per concern, one :class:`Gateway` per app."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, jsonify, request

from channels.context import Gateway, install
from config.settings import Settings, load


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> Flask:
    settings = settings or load()
    gateway = gateway or Gateway.from_settings(settings)
    app = Flask(__name__, static_folder=None)
    if settings.trusted_proxies:  # behind the TLS edge: the client's address and scheme, not the proxy's
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=settings.trusted_proxies)
    app.config.update(SAATHI=settings, GATEWAY=gateway, MAX_CONTENT_LENGTH=20 * 1024 * 1024)
    install(gateway)  # the process's services: in-process jobs and notifications share its engine and store

    from channels.types.voice import views as voice
    from channels.views import exports, media, messaging, status

    for blueprint in (messaging.bp, status.bp, voice.bp, media.bp, exports.bp):
        app.register_blueprint(blueprint)
    if settings.simulator_enabled:
        from channels.views import simulator

        app.register_blueprint(simulator.bp)

    @app.after_request
    def counted(response):  # type: ignore[no-untyped-def]
        from engine.metrics import count_response

        count_response(response.status_code)  # the 5xx-rate alert (deploy/prometheus)
        return response

    @app.get("/health")
    def health():
        """``?worker=1`` also requires an RQ worker on the channels queue (``saathi up`` waits on it)."""
        if request.args.get("worker") and settings.redis_url:
            from rq import Worker

            from channels.jobs import QUEUE_NAME

            workers = [w for w in Worker.all(connection=gateway.jobs.queue.connection)  # type: ignore[attr-defined]
                       if QUEUE_NAME in w.queue_names()]
            if not workers:
                return jsonify(status="waiting for a worker"), 503
        return jsonify(status="ok")

    @app.get("/metrics")
    def metrics():
        """Prometheus text format (channels.metrics: closed label sets, no phone, sender or health text)."""
        from channels.jobs import QUEUE_NAME
        from channels.metrics import BACKLOG_WAITING
        from engine.metrics import QueueCollector, exposition

        with contextlib.suppress(Exception):  # Redis down: the gauge keeps its last value, /ready names Redis
            BACKLOG_WAITING.set(gateway.backlog.total())
        body, content_type = exposition(QueueCollector(settings.redis_url, [QUEUE_NAME]))  # media jobs waiting
        return body, 200, {"Content-Type": content_type}

    @app.get("/ready")
    def ready():
        """engine.health: 503 naming what is missing; Rasa away only degrades (the backlog keeps
        messages, red flags are answered here), so it is named with 200."""
        from channels.jobs import QUEUE_NAME
        from engine.health import Check, rasa, run_checks, standard_checks

        checks = [*standard_checks(settings, QUEUE_NAME),
                  Check("rasa", rasa(settings.rasa_base_url, settings.rasa_token), required=False)]
        status, body = run_checks("gateway", checks)
        try:
            body["waiting_for_rasa"] = gateway.backlog.total()
        except Exception as exc:  # noqa: BLE001 - the backlog's Redis is down: the redis check says so
            body["waiting_for_rasa"] = f"unknown: {type(exc).__name__}"
        return jsonify(body), status

    if not settings.twilio_auth_token:
        logging.getLogger(__name__).warning("TWILIO_AUTH_TOKEN is not set: every Twilio webhook will be refused")
    return app
