"""Jitsi meetings: unguessable rooms, one JWT per participant, low-bandwidth meeting links.

Two modes (``SAATHI_JITSI_MODE``):

* ``selfhosted``: a Jitsi Meet with prosody token auth; HS256 with the app secret; claims
  ``iss``/``aud`` = app id, ``sub`` = the Jitsi domain, ``room``, ``nbf``/``exp``, ``context.user``
  (moderator flag and ``affiliation`` owner/member for the token-affiliation plugins).
* ``jaas``: 8x8 Jitsi as a Service; RS256 with the tenant's private key, header ``kid`` = the API
  key id, ``iss`` = "chat", ``aud`` = "jitsi", ``sub`` = the tenant (``vpaas-magic-cookie-…``),
  ``context.user.moderator`` as the string "true"/"false" (JaaS's spelling), ``context.features``.

Tokens are valid only around the slot: from ``before`` minutes before it starts to the end of the
slot plus ``after`` minutes. The doctor is moderator, the patient is not.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt

#: Config overrides in the URL fragment: the meeting opens audio-only at 240p, skips the
#: "open the app" page and the pre-join screen, and shows only the other person's video.
LOW_BANDWIDTH = {
    "config.startAudioOnly": "true",
    "config.resolution": "240",
    "config.constraints.video.height.ideal": "240",
    "config.constraints.video.height.max": "240",
    "config.disableDeepLinking": "true",
    "config.prejoinConfig.enabled": "false",
    "config.channelLastN": "1",
    "config.disableAudioLevels": "true",
}


@dataclass(frozen=True)
class JitsiConfig:
    mode: str = "selfhosted"           # or "jaas"
    domain: str = "meet.example.org"   # self-hosted domain; JaaS uses 8x8.vc
    app_id: str = "sehat-saathi"
    app_secret: str = ""
    jaas_tenant: str = ""              # vpaas-magic-cookie-...
    jaas_key_id: str = ""              # vpaas-magic-cookie-.../abc123
    jaas_private_key: str = ""         # PEM text
    before: dt.timedelta = dt.timedelta(minutes=15)
    after: dt.timedelta = dt.timedelta(minutes=30)

    @classmethod
    def from_settings(cls, settings: Any) -> JitsiConfig:
        key = ""
        if settings.jaas_private_key_file and Path(settings.jaas_private_key_file).exists():
            key = Path(settings.jaas_private_key_file).read_text(encoding="utf-8")
        return cls(mode=settings.jitsi_mode, domain=settings.jitsi_domain, app_id=settings.jitsi_app_id,
                   app_secret=settings.jitsi_app_secret, jaas_tenant=settings.jaas_tenant,
                   jaas_key_id=settings.jaas_key_id, jaas_private_key=key)

    @property
    def host(self) -> str:
        return "8x8.vc" if self.mode == "jaas" else self.domain


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    moderator: bool


def new_room() -> str:
    """An unguessable room name: 128 random bits (Jitsi rooms are open to whoever knows the name)."""
    return "saathi-" + secrets.token_hex(16)


def validity(starts_at: dt.datetime, ends_at: dt.datetime, config: JitsiConfig) -> tuple[int, int]:
    return int((starts_at - config.before).timestamp()), int((ends_at + config.after).timestamp())


def token(config: JitsiConfig, room: str, who: Participant, starts_at: dt.datetime,
          ends_at: dt.datetime) -> str:
    nbf, exp = validity(starts_at, ends_at, config)
    if config.mode == "jaas":
        if not (config.jaas_private_key and config.jaas_key_id and config.jaas_tenant):
            raise ValueError("JaaS needs a tenant, an API key id and the private key file")
        claims = {
            "aud": "jitsi", "iss": "chat", "sub": config.jaas_tenant, "room": room, "nbf": nbf, "exp": exp,
            "context": {
                "user": {"id": who.id, "name": who.name, "moderator": "true" if who.moderator else "false"},
                "features": {"livestreaming": "false", "recording": "false", "transcription": "false",
                             "outbound-call": "false"},
            },
        }
        return jwt.encode(claims, config.jaas_private_key, algorithm="RS256",
                          headers={"kid": config.jaas_key_id, "typ": "JWT"})
    if not config.app_secret:
        raise ValueError("self-hosted Jitsi needs SAATHI_JITSI_APP_SECRET")
    claims = {
        "iss": config.app_id, "aud": config.app_id, "sub": config.domain, "room": room, "nbf": nbf, "exp": exp,
        "moderator": who.moderator,
        "context": {"user": {"id": who.id, "name": who.name, "moderator": who.moderator,
                             "affiliation": "owner" if who.moderator else "member"}},
    }
    return jwt.encode(claims, config.app_secret, algorithm="HS256")


def meeting_url(config: JitsiConfig, room: str, jwt_token: str, *, low_bandwidth: bool = True) -> str:
    path = f"{config.jaas_tenant}/{room}" if config.mode == "jaas" else room
    url = f"https://{config.host}/{path}?jwt={quote(jwt_token)}"
    if low_bandwidth:
        url += "#" + "&".join(f"{k}={v}" for k, v in LOW_BANDWIDTH.items())
    return url
