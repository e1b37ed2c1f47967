"""JSON API under /api/v1: short-lived bearer JWTs with one-use refresh tokens; OpenAPI 3.1 spec
at /api/v1/openapi.json and a self-contained docs page at /api/v1/docs (no CDN)."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, current_app, g, jsonify, request, send_from_directory
from sqlalchemy import update
from werkzeug.exceptions import HTTPException

from engine.handoff import apitokens, icd
from portal.openapi import spec
from portal.security import as_doctor, role_required, services
from records.portal_models import RefreshToken

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.app_errorhandler(HTTPException)
def json_errors(exc: HTTPException):  # type: ignore[no-untyped-def]
    """Errors under /api/ in JSON like the API's own (404, 405, a body too large...); pages keep HTML."""
    if not request.path.startswith(bp.url_prefix + "/"):
        return exc
    name = (exc.name or "error").lower().replace(" ", "_")
    return jsonify(error=name), exc.code or 500, {k: v for k, v in exc.get_headers() if k.lower() == "allow"}


def _tokens(user_id: uuid.UUID, role: str) -> dict:
    svc = services()
    settings = svc.settings
    access, _ = apitokens.issue(svc.secret_key, str(user_id), role, "access",
                                dt.timedelta(minutes=settings.portal_access_token_minutes))
    refresh, claims = apitokens.issue(svc.secret_key, str(user_id), role, "refresh",
                                      dt.timedelta(days=settings.portal_refresh_token_days))
    with svc.records.sessions() as s:
        s.add(RefreshToken(jti=claims["jti"], user_id=user_id,
                           expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.timezone.utc)))
        s.commit()
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": settings.portal_access_token_minutes * 60}


def _body() -> dict:
    """The JSON object sent, or {} for anything else (no body, bad JSON, a list, a number)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/auth/token")
def token():  # type: ignore[no-untyped-def]
    """Password + TOTP code in one request (the API has no half-signed-in state). A locked account
    answers like a wrong password (no username enumeration); failures count per IP address."""
    body = _body()
    accounts, throttle, ip = services().accounts, services().throttle, request.remote_addr or "unknown"
    wait = throttle.wait_seconds("login-ip", ip)
    if wait:
        return jsonify(error="rate_limited", retry_after=wait), 429, {"Retry-After": str(wait)}
    result = accounts.login(str(body.get("username", "")), str(body.get("password", "")))
    if result.user is None or not result.user.totp_enabled \
            or not accounts.verify_totp(result.user.id, str(body.get("totp", ""))):
        throttle.hit("login-ip", ip)
        return jsonify(error="invalid_credentials"), 401
    return jsonify(_tokens(result.user.id, result.user.role))


@bp.post("/auth/refresh")
def refresh():  # type: ignore[no-untyped-def]
    body = _body()
    try:
        claims = apitokens.verify(services().secret_key, str(body.get("refresh_token", "")), "refresh")
    except apitokens.TokenError:
        return jsonify(error="invalid_token"), 401
    with services().records.sessions() as s:  # one use: mark used, refuse if it already was
        used = s.execute(update(RefreshToken).where(RefreshToken.jti == claims["jti"], RefreshToken.used_at.is_(None))
                         .values(used_at=dt.datetime.now(dt.timezone.utc)))
        s.commit()
    user = services().accounts.get(uuid.UUID(claims["sub"]))
    if used.rowcount != 1 or user is None:
        return jsonify(error="invalid_token"), 401
    return jsonify(_tokens(user.id, user.role))


@bp.get("/me")
@role_required(api=True)
def me():  # type: ignore[no-untyped-def]
    return jsonify(id=str(g.user.id), username=g.user.username, role=g.user.role)


def _item(i) -> dict:  # type: ignore[no-untyped-def]
    out = {"id": str(i.id), "status": i.status, "urgency": i.urgency, "specialty": i.specialty,
           "language": i.language, "channel": i.channel, "created_at": i.created_at.isoformat(),
           "scheduled_at": i.scheduled_at.isoformat() if i.scheduled_at else None, "mine": i.mine,
           "consented": i.consented}
    if i.consented:
        out["text"] = i.details.get("text")
        out["triage"] = i.details.get("triage")
    return out


@bp.get("/queue")
@role_required("doctor", api=True)
def queue():  # type: ignore[no-untyped-def]
    return jsonify([_item(i) for i in services().handoff.queue(g.user.id)])


@bp.get("/cases/<uuid:case_id>")
@role_required("doctor", api=True)
def case(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    v = as_doctor(services().handoff.case_view, case_id)
    return jsonify(id=str(case_id), status=v["case"].status, text=v["details"].get("text"),
                   triage=v["details"].get("triage"), notes=v["details"].get("notes"),
                   consents=[{"scope": c["scope"], "expires_at": c["expires_at"].isoformat()} for c in v["consents"]],
                   documents=[{"id": d["id"], "at": d["at"].isoformat(), "doc_type": d["data"].get("doc_type"),
                               "ocr": d["data"].get("ocr")} for d in v["documents"]],
                   labs=[lab["data"] for lab in v["labs"]], medications=[m["data"] for m in v["medications"]])


@bp.post("/cases/<uuid:case_id>/accept")
@role_required("doctor", api=True)
def accept(case_id: uuid.UUID):  # type: ignore[no-untyped-def]
    try:
        m = as_doctor(services().handoff.accept, case_id)
    except ValueError:  # Jitsi is not configured on this server
        return jsonify(error="video_not_configured"), 503
    return jsonify(room=m.room, doctor_url=m.doctor_url, starts_at=m.starts_at.isoformat(),
                   ends_at=m.ends_at.isoformat(), patient_notified=m.patient_notified,
                   patient_delivery=None if m.delivery is None else {"status": m.delivery.status,
                                                                     "reason": m.delivery.reason})


@bp.get("/icd")
@role_required("doctor", api=True)
def icd_search():  # type: ignore[no-untyped-def]
    limit = max(1, min(request.args.get("limit", 20, type=int) or 20, 100))  # not a number: the default
    return jsonify(icd.search(request.args.get("q", "")[:100], limit=limit))


@bp.get("/slots")
@role_required("doctor", api=True)
def slots():  # type: ignore[no-untyped-def]
    return jsonify([{"id": str(s.id), "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
                     "booked": s.case_id is not None} for s in services().handoff.slots_of(g.user.id)])


@bp.post("/slots")
@role_required("doctor", api=True)
def add_slots():  # type: ignore[no-untyped-def]
    body = _body()
    try:
        starts_at, ends_at = (_aware(body[key]) for key in ("starts_at", "ends_at"))
        minutes = body.get("minutes", 15)
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise ValueError("minutes must be a whole number")
        ids = services().handoff.add_slots(g.user.id, starts_at, ends_at, minutes)
    except (KeyError, ValueError, TypeError, OverflowError) as exc:
        return jsonify(error="bad_request", detail=str(exc)), 400
    return jsonify(ids=[str(i) for i in ids]), 201


def _aware(value: object) -> dt.datetime:
    """An ISO 8601 time with its UTC offset (a time without one is ambiguous: India or UTC?)."""
    if not isinstance(value, str):
        raise ValueError("times are ISO 8601 strings")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("give the time with its UTC offset, e.g. 2030-01-01T09:00:00+05:30")
    return parsed


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(spec(request.host_url.rstrip("/") + "/api/v1"))


@bp.get("/docs")
def docs():  # type: ignore[no-untyped-def]
    return send_from_directory(current_app.static_folder, "api-docs.html")
