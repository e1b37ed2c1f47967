"""Bearer tokens of the portal's JSON API: short-lived access JWTs and one-use refresh JWTs.

HS256 with the portal's secret key. Access tokens live minutes (``typ`` "access"); refresh tokens
live days (``typ`` "refresh", ``jti`` recorded server-side, so each is used once and can be
revoked). ``sub`` is the user id, ``role`` the user's role; no personal data in tokens.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import jwt

ISSUER = "sehat-saathi-portal"
AUDIENCE = "sehat-saathi-api"


class TokenError(ValueError):
    """The token is missing, malformed, expired, of the wrong type or revoked."""


def issue(secret: str, user_id: str, role: str, kind: str, ttl: dt.timedelta,
          now: dt.datetime | None = None) -> tuple[str, dict[str, Any]]:
    now = now or dt.datetime.now(dt.timezone.utc)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": user_id, "role": role, "typ": kind,
              "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
              "exp": int((now + ttl).timestamp()), "jti": secrets.token_hex(16)}
    return jwt.encode(claims, secret, algorithm="HS256"), claims


def verify(secret: str, token: str, kind: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["exp", "nbf", "sub", "typ", "jti"]})
    except jwt.PyJWTError as exc:
        raise TokenError(type(exc).__name__) from exc
    if claims.get("typ") != kind:
        raise TokenError("wrong token type")
    return claims
