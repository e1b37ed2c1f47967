"""Who is signed in, and the one decorator that checks roles (web pages and the JSON API).

A session is *authenticated* only after both the password and the TOTP code; between the two
steps it holds ``pending_user`` only. Pages use ``@role_required("doctor")`` etc.; the API uses
``@role_required(..., api=True)``, which reads a bearer token instead of the cookie.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for

from engine.handoff import apitokens
from portal.accounts import StaffUser
from portal.services import PortalServices


def services() -> PortalServices:
    return current_app.extensions["portal"]


def current_user() -> StaffUser | None:
    if "user" in g:
        return g.user
    raw = session.get("user_id")
    user = services().accounts.get(uuid.UUID(raw)) if raw else None
    g.user = user
    return user


def sign_in(user: StaffUser) -> None:
    session.clear()  # a fresh session id: no fixation across the sign-in
    session["user_id"] = str(user.id)
    session.permanent = True


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
