"""The OpenAPI 3.1 description of /api/v1 (kept next to the views it describes; a test checks
that every API route is in it and every path in it is a route)."""

from __future__ import annotations

from typing import Any

ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **(_json(schema) if schema else {})}


SECURED = {"security": [{"bearer": []}]}
DENIED = {"401": _ok("missing or invalid token", ERROR), "403": _ok("role or consent missing", ERROR)}
CASE_ID = [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}]
TOKENS = {"type": "object", "properties": {"access_token": {"type": "string"}, "refresh_token": {"type": "string"},
                                           "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"}}}
QUEUE_ITEM = {"type": "object", "properties": {
    "id": {"type": "string", "format": "uuid"}, "status": {"type": "string"},
    "urgency": {"enum": ["emergency", "urgent", "routine"]}, "specialty": {"type": "string"},
    "language": {"enum": ["hi", "pa", "en"]}, "channel": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"}, "scheduled_at": {"type": ["string", "null"]},
    "mine": {"type": "boolean"}, "consented": {"type": "boolean"},
    "text": {"type": "string", "description": "the patient's words (only with consent)"},
    "triage": {"type": "object", "description": "the triage contract result (only with consent)"}}}


def spec(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sehat Saathi provider API", "version": "1.0.0",
                 "description": "Doctors' queue, cases, slots and ICD-10 search. Get tokens with username, "
                                "password and a TOTP code; access tokens last minutes, refresh tokens are "
                                "single-use. Case contents need the patient's consent."},
        "servers": [{"url": server}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "paths": {
            "/auth/token": {"post": {
                "summary": "Sign in (password + TOTP) for an access and a refresh token",
                "requestBody": {"required": True, **_json({"type": "object", "required": ["username", "password", "totp"],
                                                          "properties": {"username": {"type": "string"},
                                                                         "password": {"type": "string"},
                                                                         "totp": {"type": "string"}}})},
                "responses": {"200": _ok("tokens", TOKENS), "401": _ok("wrong credentials or locked", ERROR),
                              "429": _ok("too many failed sign-ins from this address (Retry-After)", ERROR)}}},
            "/auth/refresh": {"post": {
                "summary": "Trade a refresh token (once) for new tokens",
                "requestBody": {"required": True, **_json({"type": "object", "required": ["refresh_token"],
                                                          "properties": {"refresh_token": {"type": "string"}}})},
                "responses": {"200": _ok("tokens", TOKENS), "401": _ok("invalid, expired or used", ERROR)}}},
            "/me": {"get": {"summary": "Who the token belongs to", **SECURED,
                            "responses": {"200": _ok("the user", {"type": "object"}), **DENIED}}},
            "/queue": {"get": {"summary": "The doctor's queue, by urgency then waiting time", **SECURED,
                               "responses": {"200": _ok("cases", {"type": "array", "items": QUEUE_ITEM}), **DENIED}}},
            "/cases/{case_id}": {"get": {"summary": "One case with triage, documents, labs, medicines, consents",
                                         **SECURED, "parameters": CASE_ID,
                                         "responses": {"200": _ok("the case", {"type": "object"}), **DENIED,
                                                       "404": _ok("no such case", ERROR)}}},
            "/cases/{case_id}/accept": {"post": {
                "summary": "Accept: create the Jitsi room and tokens, send the patient the link "
                           "(patient_delivery: status sent/queued/failed and its reason)", **SECURED,
                "parameters": CASE_ID, "responses": {"200": _ok("the doctor's meeting link", {"type": "object"}),
                                                     **DENIED, "404": _ok("no such case", ERROR)}}},
            "/icd": {"get": {"summary": "Search ICD-10 by code prefix or words", **SECURED,
                             "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                                            {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                             "responses": {"200": _ok("matches", {"type": "array", "items": {"type": "object"}}),
                                           **DENIED}}},
            "/slots": {
                "get": {"summary": "The doctor's upcoming availability", **SECURED,
                        "responses": {"200": _ok("slots", {"type": "array", "items": {"type": "object"}}), **DENIED}},
                "post": {"summary": "Add availability, split into slots", **SECURED,
                         "requestBody": {"required": True, **_json({
                             "type": "object", "required": ["starts_at", "ends_at"],
                             "properties": {"starts_at": {"type": "string", "format": "date-time"},
                                            "ends_at": {"type": "string", "format": "date-time"},
                                            "minutes": {"type": "integer", "default": 15}}})},
                         "responses": {"201": _ok("slot ids", {"type": "object"}), "400": _ok("bad input", ERROR),
                                       **DENIED}}},
        },
    }
