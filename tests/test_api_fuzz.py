"""Schemathesis over every route of the OpenAPI document, as a manager and as a care worker.

Each operation gets a bounded, seeded run against the app in-process (its boundary and
invalid values, then a few generated ones), every case sent once as each of the two
users: no answer is a server error, and every answer's status, content type and body are
the ones the document gives. Strings carry no NUL (``allow-x00``): text validation is
issue 13's other part, and the lead lifts that once it lands.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.api import routes as _routes  # noqa: F401  (registers every endpoint)
from server.api.openapi import build_spec

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ROLES = ("registered_manager", "care_worker")
PASSWORD = "correct horse battery"  # the factories' default

CONFIG = schemathesis.Config.from_dict({
    "seed": 13,
    "generation": {"max-examples": 5, "deterministic": True, "allow-x00": False,
                   "database": "none"},
    # Methods a route does not have answer 405 from Flask itself: nothing of ours to test.
    "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": []}},
})
SCHEMA = schemathesis.openapi.from_dict(build_spec(), config=CONFIG)


@pytest.fixture
def sessions(app, client, world):
    """The session cookie and CSRF header of each role's user, signed in on a client of its
    own (``client`` makes the app's test clients send the CSRF token as the PWA does)."""
    signed_in = {}
    for role in ROLES:
        email = world.users[role].email
        with app.app_context():  # a fresh flask.g: the CSRF token is made per session
            own = app.test_client()
            answer = own.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert answer.status_code == 200, answer.get_json()
        signed_in[role] = {"cookies": {"session": own.get_cookie("session").value},
                           "headers": {"X-CSRF-Token": answer.get_json()["csrf_token"]}}
    return signed_in


@SCHEMA.parametrize()
# One database and one pair of sessions per operation, shared by its cases on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_is_documented(case, app, sessions):
    for role in ROLES:
        # A fresh app context per request, as a server has: flask.g (the signed-in user,
        # the CSRF token) and the database session are the request's own.
        with app.app_context():
            case.call_and_validate(app=app, checks=CHECKS, **sessions[role])
