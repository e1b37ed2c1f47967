"""The gateway's Flask app factory: one blueprint per concern, one :class:`Gateway` per app."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request

from channels.context import Gateway, set_worker_gateway
from saathi.settings import Settings, load


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> Flask:
    settings = settings or load()
    gateway = gateway or Gateway.from_settings(settings)
    app = Flask(__name__, static_folder=None)
    app.config.update(SAATHI=settings, GATEWAY=gateway, MAX_CONTENT_LENGTH=20 * 1024 * 1024)
    if not settings.redis_url:
        set_worker_gateway(gateway)  # in-process jobs share this app's memory store

    from channels.views import media, messaging, status, voice

    for blueprint in (messaging.bp, status.bp, voice.bp, media.bp):
        app.register_blueprint(blueprint)
    if settings.simulator_enabled:
        from channels.views import simulator

        app.register_blueprint(simulator.bp)

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

    if not settings.twilio_auth_token:
        logging.getLogger(__name__).warning("TWILIO_AUTH_TOKEN is not set: every Twilio webhook will be refused")
    return app
