"""Sign-in (password, then TOTP; enrolment with a QR code on first sign-in), sign-out, reset by SMS.

What a failed sign-in says never tells whether the username exists or is locked: only a browser
that signed in as that user before (a signed "device" cookie) is told the time left on a lock.
Failed sign-ins count per IP address and reset codes per account and per IP (:mod:`portal.throttle`).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import uuid
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from engine.i18n import t
from portal.accounts import AccountError, LoginResult
from portal.security import (
    current_user,
    page_language,
    pending_user_id,
    services,
    sign_in,
    sign_out,
    start_pending,
)

bp = Blueprint("auth", __name__)
HOME = {"doctor": "queue.index", "asha": "patients.asha", "admin": "admin.index", "pharmacist": "auth.home",
        "surveillance": "surveillance.index", "programme": "surveillance.programme"}
#: where a sign-in may continue to: the staff pages (never the API, public links or sign-in forms)
NEXT_BLUEPRINTS = {"queue", "consult", "patients", "admin", "pharmacy", "surveillance"}
DEVICE_COOKIE = "saathi_portal_device"
DEVICE_DAYS = 90


def safe_next(target: str | None) -> str | None:
    """The page to continue to after sign-in, rebuilt from the app's own URL map, or None.

    Only a path that routes to a staff page (GET) is kept, and it is rebuilt with ``url_for``, so
    nothing the browser could read as another host (``//x``, ``/<TAB>/x``, a backslash) survives."""
    if not target or not target.startswith("/") or any(ch < "!" or ch in "\\\x7f" for ch in target):
        return None
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(urlsplit(target).path, method="GET")
    except (HTTPException, RoutingException, ValueError):
        return None
    if endpoint != "auth.home" and endpoint.split(".", 1)[0] not in NEXT_BLUEPRINTS:
        return None
    return url_for(endpoint, **values)


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _too_many(wait_seconds: int, template: str, **context: object):  # type: ignore[no-untyped-def]
    flash(t("portal_rate_limited", page_language(), minutes=_minutes(wait_seconds)), "error")
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(wait_seconds)
    return response


def _ip_limited(template: str, **context: object):  # type: ignore[no-untyped-def]
    """The 429 page when this IP address has used up its failed sign-in steps (password, code,
    reset code), else None; :func:`_ip_failed` counts one."""
    wait = services().throttle.wait_seconds("login-ip", _client_ip())
    return _too_many(wait, template, **context) if wait else None


def _ip_failed() -> None:
    services().throttle.hit("login-ip", _client_ip())


def _known_device(username: str) -> bool:
    """This browser signed in as ``username`` before (the signed cookie set by :func:`_finish`)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    found = services().unsign(raw, max_age=DEVICE_DAYS * 86400, salt="device") if raw else None
    return bool(found) and found.get("u") == username.strip().lower()


def _locked_message(locked_until: dt.datetime) -> str:
    left = (locked_until - dt.datetime.now(dt.timezone.utc)).total_seconds()
    return t("portal_login_locked", page_language(), minutes=_minutes(left))


def _failure_message(username: str, result: LoginResult) -> str:
    if result.locked_until is not None and _known_device(username):
        return _locked_message(result.locked_until)
    settings = services().settings
    return t("portal_login_failed", page_language(), attempts=settings.portal_lockout_attempts,
             minutes=settings.portal_lockout_minutes)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.role in HOME and HOME[user.role] != "auth.home":
        return redirect(url_for(HOME[user.role]))
    return render_template("home.html", user=user)


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        if (limited := _ip_limited("login.html")) is not None:
            return limited
        username = request.form.get("username", "")
        result = services().accounts.login(username, request.form.get("password", ""))
        if result.user is None:
            _ip_failed()
            flash(_failure_message(username, result), "error")
            return render_template("login.html"), 401
        target = safe_next(request.args.get("next"))
        start_pending(result.user)
        session["next"] = target
        return redirect(url_for("auth.totp" if result.user.totp_enabled else "auth.enrol"))
    return render_template("login.html")


def _finish(user_id: uuid.UUID):  # type: ignore[no-untyped-def]
    user = services().accounts.get(user_id)
    target = session.get("next")
    sign_in(user)
    response = redirect(target or url_for("auth.home"))
    response.set_cookie(DEVICE_COOKIE, services().sign({"u": user.username}, salt="device"),
                        max_age=DEVICE_DAYS * 86400, secure=current_app.config["SESSION_COOKIE_SECURE"],
                        httponly=True, samesite="Strict")
    return response


@bp.route("/login/totp", methods=["GET", "POST"])
def totp():  # type: ignore[no-untyped-def]
    user_id = pending_user_id()
    if user_id is None:
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        if (limited := _ip_limited("totp.html")) is not None:
            return limited
        if services().accounts.verify_totp(user_id, request.form.get("code", "")):
            return _finish(user_id)
        _ip_failed()
        locked_until = services().accounts.locked_until(user_id)
        if locked_until:  # the password was right: this is the account holder (or has their password)
            sign_out()  # first: it clears the session, and the message must survive it
            flash(_locked_message(locked_until), "error")
            return redirect(url_for("auth.login"))
        flash(t("portal_wrong_code", page_language()), "error")
        return render_template("totp.html"), 401
    return render_template("totp.html")


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    image.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():  # type: ignore[no-untyped-def]
    """First sign-in: scan the QR code in an authenticator app, confirm with one code."""
    user_id = pending_user_id()
    if user_id is None:
        return redirect(url_for("auth.login"))
    accounts = services().accounts
    user = accounts.get(user_id)
    if user is None or user.totp_enabled:
        return redirect(url_for("auth.totp"))
    if request.method == "POST":
        if accounts.confirm_totp(user_id, request.form.get("code", "")):
            flash(t("portal_totp_ready", page_language()), "ok")
            return _finish(user_id)
        flash(t("portal_totp_mismatch", page_language()), "error")
    uri = accounts.provisioning_uri(user_id) or accounts.start_totp(user_id)
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    return render_template("enrol.html", qr=_qr_data_uri(uri), secret=secret)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    sign_out()
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
def reset():  # type: ignore[no-untyped-def]
    """Step 1: a one-time code by SMS to the phone on the account. Same answer for unknown users."""
    if request.method == "POST":
        username = request.form.get("username", "")
        # counted for every name asked about, known or not: the limit itself reveals nothing
        wait = services().throttle.take(("reset-account", username.strip().lower()), ("reset-ip", _client_ip()))
        if wait:
            return _too_many(wait, "reset.html")
        if not services().handoff.notifier.configured:  # about this server, not the account: safe to say
            flash(t("portal_reset_no_sms", page_language()), "error")
            return render_template("reset.html"), 503
        found = services().accounts.start_reset(username)
        if found:
            phone, code = found
            services().handoff.notifier.send_message(phone, t("portal_reset_code", "en", code=code))
        flash(t("portal_reset_sent", page_language()), "ok")
        return redirect(url_for("auth.reset_confirm", username=username))
    return render_template("reset.html")


@bp.route("/reset/confirm", methods=["GET", "POST"])
def reset_confirm():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        if (limited := _ip_limited("reset_confirm.html", username=request.form.get("username", ""))) is not None:
            return limited
        try:
            done = services().accounts.finish_reset(request.form.get("username", ""), request.form.get("code", ""),
                                                    request.form.get("password", ""))
        except AccountError as exc:
            flash(exc.text(page_language()), "error")
            return render_template("reset_confirm.html", username=request.form.get("username", "")), 400
        if done:
            flash(t("portal_password_changed", page_language()), "ok")
            return redirect(url_for("auth.login"))
        _ip_failed()
        flash(t("portal_reset_code_wrong", page_language()), "error")
        return render_template("reset_confirm.html", username=request.form.get("username", "")), 400
    return render_template("reset_confirm.html", username=request.args.get("username", ""))
