"""The provider portal: doctors, ASHA workers, pharmacists and admins (Flask app factory).

``create_app(settings=None, services=None)``: blueprints for sign-in (password + TOTP), the
doctor's queue and consultation pages, availability, patient history, the ASHA and admin pages,
and the JSON API under ``/api/v1`` (JWT bearer tokens, OpenAPI at ``/api/v1/openapi.json``).
The domain logic lives in plain modules (:mod:`portal.accounts`, :mod:`engine.handoff.service`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFProtect

from config.settings import Settings, load
from engine.metrics import count_response
from portal.services import SESSION_LIFETIME, PortalServices, compose

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, services: PortalServices | None = None) -> Flask:
    settings = settings or load()
    services = compose(settings, services)  # the process's services (portal.services.compose)
    app = Flask(__name__)
    if settings.trusted_proxies:  # behind the TLS edge: the client's address and scheme, not the proxy's
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=settings.trusted_proxies)
    app.config.update(
        SECRET_KEY=services.secret_key,
        SESSION_COOKIE_NAME="saathi_portal",
        SESSION_COOKIE_SECURE=settings.portal_secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME.total_seconds()),
        MAX_CONTENT_LENGTH=2_000_000,
    )
    app.extensions["portal"] = services
    from engine.asha import AshaService

    app.extensions["asha"] = AshaService(services.records.sessions, services.records)  # the ASHA admin pages
    csrf.init_app(app)

    from portal.views import admin, api, auth, consult, patients, pharmacy, public, queue, surveillance

    for blueprint in (auth.bp, queue.bp, consult.bp, patients.bp, admin.bp, public.bp, pharmacy.bp, surveillance.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # bearer tokens, no cookies: CSRF does not apply
    csrf.exempt(public.bp)  # Twilio fetches these with signed links, no session
    app.register_blueprint(api.bp)

    @app.after_request
    def headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "script-src 'self'; frame-ancestors 'none'")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        count_response(response.status_code)  # the 5xx-rate alert (deploy/prometheus)
        return response

    from engine.handoff.service import ADVICE_MAX_CHARS, LINE_MAX_CHARS, NOTE_MAX_CHARS
    from portal import feedback
    from portal.security import current_user

    @app.context_processor
    def catalogue():  # type: ignore[no-untyped-def]
        """``say(key, **fields)``: a catalogue sentence in the browser's language; the form limits."""
        return {"say": feedback.text, "note_max": NOTE_MAX_CHARS, "advice_max": ADVICE_MAX_CHARS,
                "line_max": LINE_MAX_CHARS, "delivery_now": feedback.delivery_now,
                "delivery_text": feedback.delivery_text, "message_line": feedback.message_line,
                "followup_line": feedback.followup_line}

    @app.errorhandler(413)
    def too_large(exc):  # type: ignore[no-untyped-def]
        """A body over MAX_CONTENT_LENGTH: a page that says so and how to go on (JSON under the API)."""
        if request.path.startswith(api.bp.url_prefix + "/"):
            return jsonify(error="request_entity_too_large"), 413
        limit = round(app.config["MAX_CONTENT_LENGTH"] / 1_000_000)
        return render_template("error.html", message=feedback.text("portal_request_too_large", limit=limit),
                               back=_same_site_referrer(), user=current_user()), 413

    @app.errorhandler(403)
    @app.errorhandler(404)
    def friendly(exc):  # type: ignore[no-untyped-def]
        """403 and 404 as pages with a way back (JSON under the API, as the API's own errors)."""
        if request.path.startswith(api.bp.url_prefix + "/"):
            return api.json_errors(exc)
        key = "portal_forbidden" if exc.code == 403 else "portal_not_found"
        return render_template("error.html", title=feedback.text(key + "_title"), message=feedback.text(key),
                               back=_same_site_referrer(), user=current_user()), exc.code

    @app.get("/favicon.ico")
    def favicon():  # type: ignore[no-untyped-def]
        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.get("/health")
    def health():  # type: ignore[no-untyped-def]
        return {"status": "ok"}

    @app.get("/metrics")
    def metrics():  # type: ignore[no-untyped-def]
        """Prometheus: sign-ins and lock-outs (engine.metrics), the reminders' queue and outbox."""
        from engine.handoff.reminders import QUEUE_NAME
        from engine.metrics import OutboxCollector, QueueCollector, exposition

        body, content_type = exposition(QueueCollector(settings.redis_url, [QUEUE_NAME]),
                                        OutboxCollector(settings.effective_database_url))
        return body, 200, {"Content-Type": content_type}

    @app.get("/ready")
    def ready():  # type: ignore[no-untyped-def]
        """engine.health: database, Redis, the reminders worker, keyring, Twilio in production."""
        from engine.handoff.reminders import QUEUE_NAME
        from engine.health import run_checks, standard_checks

        status, body = run_checks("portal", standard_checks(settings, QUEUE_NAME))
        return jsonify(body), status

    return app


def _same_site_referrer() -> str | None:
    """The page the browser came from, when it is one of ours: the error page's way back."""
    referrer = urlsplit(request.referrer or "")
    return referrer.path if referrer.netloc == request.host and referrer.path.startswith("/") else None
