"""The provider portal: doctors, ASHA workers, pharmacists and admins (Flask app factory).

``create_app(settings=None, services=None)``: blueprints for sign-in (password + TOTP), the
doctor's queue and consultation pages, availability, patient history, the ASHA and admin pages,
and the JSON API under ``/api/v1`` (JWT bearer tokens, OpenAPI at ``/api/v1/openapi.json``).
The domain logic lives in plain modules (:mod:`portal.accounts`, :mod:`portal.handoff`).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from portal.services import PortalServices, build
from saathi.settings import Settings, load

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, services: PortalServices | None = None) -> Flask:
    settings = settings or load()
    services = services or build(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=services.secret_key,
        SESSION_COOKIE_NAME="saathi_portal",
        SESSION_COOKIE_SECURE=settings.portal_secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        MAX_CONTENT_LENGTH=2_000_000,
    )
    app.extensions["portal"] = services
    csrf.init_app(app)

    from portal import jobs
    from portal.views import admin, api, auth, consult, patients, pharmacy, public, queue

    jobs.register(services.handoff)
    for blueprint in (auth.bp, queue.bp, consult.bp, patients.bp, admin.bp, public.bp, pharmacy.bp):
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
        return response

    @app.get("/health")
    def health():  # type: ignore[no-untyped-def]
        return {"status": "ok"}

    return app
