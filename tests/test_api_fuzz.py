"""Schemathesis over every route of the OpenAPI document, as a manager and as a care worker.

Each operation gets a bounded, seeded run against the app in-process (ten generated
cases), every case sent once as each of the two
users: no answer is a server error, and every answer's status, content type and body are
the ones the document gives. Generated strings may hold NUL and other control characters:
every route refuses them with a 422 naming the field.
"""

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.extensions import db
from server.syncing.models import SyncConflict
from tests.support import findings, measures
from tests.support import log_api as log
from tests.support.openapi import document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ("registered_manager", "care_worker")
PASSWORD = "correct horse battery"  # the factories' default

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 13,
        "generation": {"max-examples": 10, "deterministic": True, "database": "none"},
        # Methods a route does not have answer 405 from Flask itself: nothing of ours to test.
        # No coverage phase: it builds its boundary cases while pytest collects, and for the
        # field rules' patterns (no control characters, not blank, years 2000-2099) that took
        # over ten minutes. Paging bounds and every documented status have deterministic tests
        # of their own (tests/test_api_contract.py); this run fuzzes ten cases per operation.
        "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
    }
)
SCHEMA = schemathesis.openapi.from_dict(document(), config=CONFIG)


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
        signed_in[role] = {
            "cookies": {"session": own.get_cookie("session").value},
            "headers": {"X-CSRF-Token": answer.get_json()["csrf_token"]},
        }
    return signed_in


@pytest.fixture
def records(world, login):
    """A record of each kind a path names, made as the registered manager: {param: id}."""
    manager = login(world.users["registered_manager"])

    def made(url, body, status=201):
        answer = manager.post(url, json=body)
        assert answer.status_code == status, answer.get_json()
        return answer.get_json()

    entry = made("/api/v1/entries", log.body(world))
    finding = made("/api/v1/findings", findings.body(world))
    walkaround = made(
        "/api/v1/walkarounds",
        {"service_id": str(world.home.id), "areas": ["Lounge"], "findings": []},
    )
    review = made(
        "/api/v1/reviews",
        {"service_id": str(world.home.id), "kind": "rm_weekly", "outcome": "assurance"},
    )
    device = made(
        "/api/v1/sync/devices",
        {"installation_id": "tablet-0001", "protocol_version": 1},
        status=200,
    )
    conflict = SyncConflict(
        service_id=world.home.id,
        mutation_id="m-1",
        entity_type="log_entry",
        entity_id=entry["id"],
        field="decision",
        kept_value=entry["decision"],
        other_value="Checks at 3pm",
        other_author=world.users["senior_carer"].id,
    )
    db.session.add(conflict)
    item = measures.measure(world, "follow_ups_within_timescale")
    db.session.commit()
    return {
        "entry_id": entry["id"],
        "finding_id": finding["id"],
        "walkaround_id": walkaround["id"],
        "review_id": review["id"],
        "device_id": device["device_id"],
        "conflict_id": str(conflict.id),
        "measure_id": str(item.id),
        "service_id": str(world.home.id),
        "user_id": str(world.users["senior_carer"].id),
    }


@pytest.fixture
def turns():
    return itertools.count()


def _aim(case, records: dict, turn: int) -> None:
    """Point every other case at real records (its path, and the device a pull or push
    names, in the protocol this server speaks); the rest keep their made-up ids, for the
    404s and 403s. The cases come in a fixed order, so a run repeats."""
    if not turn % 2:
        return
    for name in case.path_parameters or {}:
        case.path_parameters[name] = records.get(name, case.path_parameters[name])
    for values in (case.query, case.body):
        if isinstance(values, dict):
            values.update(
                {
                    name: value
                    for name, value in (
                        ("device_id", records["device_id"]),
                        ("protocol_version", 1),
                    )
                    if name in values
                }
            )


@SCHEMA.parametrize()
# One database and one pair of sessions per operation, shared by its cases on purpose.
# A date field's year pattern (2000-2099) filters many generated dates: that is expected.
@settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
    ]
)
def test_every_answer_is_documented(case, app, sessions, records, turns):
    _aim(case, records, next(turns))
    for role in ROLES:
        # A fresh app context per request, as a server has: flask.g (the signed-in user,
        # the CSRF token) and the database session are the request's own.
        with app.app_context():
            case.call_and_validate(app=app, checks=CHECKS, **sessions[role])
