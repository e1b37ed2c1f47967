"""Issue #14 finding 9: the portal's /api/v1 fuzzed from its own OpenAPI document (schemathesis).

Every operation gets requests generated from the spec (valid and invalid bodies, parameters and
paths), sent in-process to the Flask app on a real PostgreSQL database with a valid doctor's
bearer token. The property: no 500 and no crash, whatever arrives; errors are JSON with a reason.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from engine.handoff import apitokens
from portal.openapi import spec
from tests.support import portal as testing

pytestmark = pytest.mark.postgres
world = testing.world
schema = schemathesis.openapi.from_dict(spec("http://localhost/api/v1"))


@pytest.fixture(scope="module")
def doctor_headers(world) -> dict[str, str]:
    """A doctor's access token made directly (logging in through the API would count failed
    sign-ins of the fuzzed /auth/token against the same address)."""
    doc, _, _ = world.doctor("Fuzz Doctor")
    world.booked_case(doc)
    token, _ = apitokens.issue(world.services.secret_key, str(doc), "doctor", "access", dt.timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_answers_500(case, world, doctor_headers):
    response = case.call(app=world.app, headers=doctor_headers)
    assert response.status_code < 500, (case.method, case.path, case.body, case.query, response.text[:300])
    if response.status_code >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.text[:200]
        assert "error" in response.json()
