"""Passwords: one-time reset codes and changing your own."""

from datetime import UTC, datetime, timedelta

import pytest

from server.audit.models import AuditEvent
from server.common.types import clock_at
from server.extensions import db
from tests.support import admin as shared
from tests.support.admin import (
    NEW_PASSWORD,
    PASSWORD,
    audit_actions,
)

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: this one comes from tests/support/admin.py.
other_client = shared.other_client


def reset_code(client, login, world, user) -> str:
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{user.id}/reset-code")
    assert r.status_code == 200, r.get_json()
    client.post("/api/v1/auth/logout")
    return r.get_json()["token"]


def test_a_reset_code_works_once_and_ends_old_sessions(world, login, client, other_client):
    carer = world.users["care_worker"]
    old_session = other_client(carer)
    token = reset_code(client, login, world, carer)
    assert "reset_code_issued" in audit_actions(carer.id)
    assert token not in str(db.session.scalars(db.select(AuditEvent.changes)).all())
    r = client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 200 and r.get_json() == {"password_reset": True}
    assert old_session.get("/api/v1/me").status_code == 401
    login(carer, NEW_PASSWORD)
    client.post("/api/v1/auth/logout")
    again = client.post("/api/v1/auth/reset", json={"token": token, "new_password": "another one"})
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {"token": "Already used or no longer valid."}


def test_a_reset_code_expires_after_a_day(world, login, client):
    carer = world.users["care_worker"]
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with clock_at(start):
        token = reset_code(client, login, world, carer)
    with clock_at(start + timedelta(hours=24, seconds=1)):
        r = client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"token": "Expired."}
    login(carer)  # the old password still works


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"token": "nonsense", "new_password": NEW_PASSWORD}, "token", "Not a valid code."),
        (
            {"token": "TOKEN", "new_password": "short"},
            "new_password",
            "Use at least 10 characters.",
        ),
        (
            {"token": "TOKEN", "new_password": "EMAIL"},
            "new_password",
            "Choose something other than your email address.",
        ),
        ({"token": "TOKEN"}, "new_password", "Missing data for required field."),
    ],
)
def test_bad_reset_input_names_the_field_and_keeps_the_password(
    world, login, client, body, field, message
):
    carer = world.users["care_worker"]
    token = reset_code(client, login, world, carer)
    body = {k: {"TOKEN": token, "EMAIL": carer.email}.get(v, v) for k, v in body.items()}
    r = client.post("/api/v1/auth/reset", json=body)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {field: message}
    login(carer)


def test_people_change_their_own_password_and_stay_logged_in(world, login, other_client):
    carer = world.users["key_worker"]
    elsewhere, here = other_client(carer), other_client(carer)
    r = here.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 200, r.get_json()
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert here.post("/api/v1/auth/logout").status_code == 200  # a write: CSRF still good
    assert here.get("/api/v1/me").status_code == 401
    login(carer, NEW_PASSWORD)
    assert audit_actions(carer.id) == ["password_change"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"current_password": "wrong password", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "too short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
    ],
)
def test_a_bad_password_change_names_the_field_and_keeps_the_old_one(
    world, login, client, body, field
):
    carer = world.users["key_worker"]
    login(carer)
    r = client.post("/api/v1/me/password", json=body)
    assert r.status_code == 422
    assert list(r.get_json()["error"]["fields"]) == [field]
    assert client.get("/api/v1/me").status_code == 200
    client.post("/api/v1/auth/logout")
    login(carer)
    assert audit_actions(carer.id) == []
