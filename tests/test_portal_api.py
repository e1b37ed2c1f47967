"""The JSON API: tokens (password + TOTP), one-use refresh, bearer checks, consent, OpenAPI, docs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support import portal as testing
from tests.support.portal import PASSWORD, totp_now

pytestmark = pytest.mark.postgres
world = testing.world


def _tokens(world, username: str, secret: str, step: int = 0) -> dict:
    r = world.app.test_client().post("/api/v1/auth/token", json={"username": username, "password": PASSWORD,
                                                                  "totp": totp_now(secret, step)})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_token_needs_password_and_totp(world):
    _, username, secret = world.doctor("Api Doctor")
    client = world.app.test_client()
    assert client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": username, "password": "bad",
                                                   "totp": totp_now(secret)}).status_code == 401
    tokens = _tokens(world, username, secret)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.get_json()["role"] == "doctor"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_refresh_token_is_single_use(world):
    _, username, secret = world.doctor("Refresh Doctor")
    tokens = _tokens(world, username, secret)
    client = world.app.test_client()
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200 and first.get_json()["access_token"]
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}).status_code == 401


def test_queue_case_and_accept_over_the_api_respect_consent_and_role(world):
    doc, username, secret = world.doctor("Api Queue Doctor")
    other, other_name, other_secret = world.doctor("Api Other Doctor")
    asha, asha_name, asha_secret = world.staff(testing.Role.ASHA, area="api-area")
    _, case_id = world.booked_case(doc)
    mine = {"Authorization": "Bearer " + _tokens(world, username, secret)["access_token"]}
    theirs = {"Authorization": "Bearer " + _tokens(world, other_name, other_secret)["access_token"]}
    asha_h = {"Authorization": "Bearer " + _tokens(world, asha_name, asha_secret)["access_token"]}
    client = world.app.test_client()
    queue = client.get("/api/v1/queue", headers=mine).get_json()
    item = next(i for i in queue if i["id"] == str(case_id))
    assert item["consented"] and item["triage"]["urgency"] == "urgent" and "बुखार" in item["text"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=mine).get_json()["consents"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=theirs).status_code == 403
    assert client.get("/api/v1/queue", headers=asha_h).status_code == 403
    accepted = client.post(f"/api/v1/cases/{case_id}/accept", headers=mine).get_json()
    assert re.fullmatch(r"saathi-[0-9a-f]{32}", accepted["room"]) and accepted["patient_notified"]
    assert client.post(f"/api/v1/cases/{case_id}/accept", headers=theirs).status_code == 403
    assert client.get("/api/v1/icd?q=A97", headers=mine).get_json()[0]["code"] == "A97"
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=3)
    made = client.post("/api/v1/slots", headers=mine, json={"starts_at": start.isoformat(), "minutes": 20,
                                                            "ends_at": (start + dt.timedelta(hours=1)).isoformat()})
    assert made.status_code == 201 and len(made.get_json()["ids"]) == 3
    assert client.post("/api/v1/slots", headers=mine, json={"starts_at": "x"}).status_code == 400


def test_openapi_describes_exactly_the_api_routes(world):
    spec = world.app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routes = set()
    for rule in world.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in ("api.openapi", "api.docs"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routes
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert op["summary"] and op["responses"], path


def test_docs_page_is_self_contained(world):
    client = world.app.test_client()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "api-docs.js" in page
    assert not re.search(r'(src|href)="https?://', page), "no CDN: the page works offline"
    script = client.get("/static/api-docs.js").get_data(as_text=True)
    assert "/api/v1/openapi.json" in script and "http" not in script.replace("/api/v1/openapi.json", "")
