"""Sign-in (password, then TOTP; enrolment with a QR code on first sign-in), sign-out, reset by SMS."""

from __future__ import annotations

import base64
import io
import uuid

import qrcode
import qrcode.image.svg
from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from engine.i18n import t
from portal.accounts import AccountError
from portal.security import current_user, services, sign_in

bp = Blueprint("auth", __name__)
HOME = {"doctor": "queue.index", "asha": "patients.asha", "admin": "admin.index", "pharmacist": "auth.home"}


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/") and not target.startswith("//") else None


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
        result = services().accounts.login(request.form.get("username", ""), request.form.get("password", ""))
        if result.user is None:
            flash("Account locked for a while after too many attempts." if result.locked
                  else "Wrong username or password.", "error")
            return render_template("login.html"), 401
        session.clear()
        session["pending_user"] = str(result.user.id)
        session["next"] = _safe_next(request.args.get("next"))
        return redirect(url_for("auth.totp" if result.user.totp_enabled else "auth.enrol"))
    return render_template("login.html")


def _pending() -> uuid.UUID | None:
    raw = session.get("pending_user")
    return uuid.UUID(raw) if raw else None


def _finish(user_id: uuid.UUID):  # type: ignore[no-untyped-def]
    user = services().accounts.get(user_id)
    target = session.get("next")
    sign_in(user)
    return redirect(target or url_for("auth.home"))


@bp.route("/login/totp", methods=["GET", "POST"])
def totp():  # type: ignore[no-untyped-def]
    user_id = _pending()
    if user_id is None:
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        if services().accounts.verify_totp(user_id, request.form.get("code", "")):
            return _finish(user_id)
        locked = services().accounts.is_locked(user_id)
        flash("Account locked for a while after too many attempts." if locked else "Wrong code.", "error")
        if locked:
            session.clear()
            return redirect(url_for("auth.login"))
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
    user_id = _pending()
    if user_id is None:
        return redirect(url_for("auth.login"))
    accounts = services().accounts
    user = accounts.get(user_id)
    if user is None or user.totp_enabled:
        return redirect(url_for("auth.totp"))
    if request.method == "POST":
        if accounts.confirm_totp(user_id, request.form.get("code", "")):
            flash("Two-factor sign-in is set up.", "ok")
            return _finish(user_id)
        flash("That code did not match; try the next one.", "error")
    uri = accounts.provisioning_uri(user_id) or accounts.start_totp(user_id)
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    return render_template("enrol.html", qr=_qr_data_uri(uri), secret=secret)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
def reset():  # type: ignore[no-untyped-def]
    """Step 1: a one-time code by SMS to the phone on the account. Same answer for unknown users."""
    if request.method == "POST":
        username = request.form.get("username", "")
        found = services().accounts.start_reset(username)
        if found:
            phone, code = found
            services().handoff.notifier.send_message(phone, t("portal_reset_code", "en", code=code))
        flash("If that account has a phone number, a code is on its way.", "ok")
        return redirect(url_for("auth.reset_confirm", username=username))
    return render_template("reset.html")


@bp.route("/reset/confirm", methods=["GET", "POST"])
def reset_confirm():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        try:
            done = services().accounts.finish_reset(request.form.get("username", ""), request.form.get("code", ""),
                                                    request.form.get("password", ""))
        except AccountError as exc:
            flash(str(exc), "error")
            return render_template("reset_confirm.html", username=request.form.get("username", "")), 400
        if done:
            flash("Password changed. Sign in with the new password and your authenticator code.", "ok")
            return redirect(url_for("auth.login"))
        flash("That code is wrong or has expired.", "error")
        return render_template("reset_confirm.html", username=request.form.get("username", "")), 400
    return render_template("reset_confirm.html", username=request.args.get("username", ""))
