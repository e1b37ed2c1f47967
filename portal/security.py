"""Who is signed in, and the one decorator that checks roles (web pages and the JSON API).

A browser is *authenticated* only after both the password and the TOTP code; between the two
steps its cookie holds a pending session id only. Both are server-side sessions
(:mod:`portal.session_store`): the signed cookie carries a random id, so signing out (or a reset
of the password or the second factor) ends every copy of it. Pages use ``@role_required("doctor")``
etc.; the API uses ``@role_required(..., api=True)``, which reads a bearer token instead.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for

from engine.handoff import apitokens
from engine.i18n import LANGUAGES
from portal.accounts import StaffUser
from portal.services import PortalServices
from records import AccessDenied

T = TypeVar("T")


def services() -> PortalServices:
    return current_app.extensions["portal"]


def current_user() -> StaffUser | None:
    if "user" in g:
        return g.user
    user_id = services().sessions.lookup(session.get("sid"), full=True)
    user = services().accounts.get(user_id) if user_id else None
    g.user = user
    return user


def start_pending(user: StaffUser) -> None:
    """Password accepted: a short pending session that only the TOTP (or enrolment) step takes."""
    sign_out()
    session["pending"] = services().sessions.open(user.id, full=False)


def pending_user_id() -> uuid.UUID | None:
    return services().sessions.lookup(session.get("pending"), full=False)


def sign_in(user: StaffUser) -> None:
    """Both factors passed: a fresh session id (no fixation across the sign-in)."""
    sign_out()
    session["sid"] = services().sessions.open(user.id, full=True)
    session.permanent = True


def sign_out() -> None:
    """End this browser's sessions on the server (every copy of the cookie) and clear the cookie."""
    store = services().sessions
    store.close(session.get("sid"))
    store.close(session.get("pending"))
    session.clear()
    g.pop("user", None)


def page_language() -> str:
    """hi, pa or en from the browser's Accept-Language (the staff pages are English; the sign-in
    messages come from the catalogue in all three)."""
    return request.accept_languages.best_match(sorted(LANGUAGES, key=lambda x: x != "en"), default="en") or "en"


def _api_user() -> StaffUser | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        claims = apitokens.verify(services().secret_key, header[7:].strip(), "access")
    except apitokens.TokenError:
        return None
    user = services().accounts.get(uuid.UUID(claims["sub"]))
    return user if user and user.role == claims.get("role") else None


def role_required(*roles: str, api: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in (cookie, or bearer token with ``api=True``) and one of ``roles`` (any if none)."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            user = _api_user() if api else current_user()
            if user is None:
                if api:
                    return jsonify(error="unauthorized"), 401, {"WWW-Authenticate": "Bearer"}
                return redirect(url_for("auth.login", next=request.path))
            if roles and user.role not in roles:
                if api:
                    return jsonify(error="forbidden"), 403
                abort(403)
            g.user = user
            return view(*args, **kwargs)

        return checked

    return wrap


def as_doctor(step: Callable[[uuid.UUID, uuid.UUID], T], case_id: uuid.UUID) -> T:
    """``step(doctor, case)`` of the handoff service for the signed-in doctor; a case they may not
    see is 403 and one that is gone 404 (an HTML page, or JSON under /api/: api.json_errors)."""
    try:
        return step(g.user.id, case_id)
    except AccessDenied:
        abort(403)
    except LookupError:
        abort(404)
