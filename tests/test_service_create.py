"""Adding a service: the provider admin or nominated individual adds a care home, which starts
with the starter lists and is then set up in the app; nobody else may."""

import pytest

from server.audit.models import AuditEvent
from server.extensions import db
from server.providers.models import Service

pytestmark = pytest.mark.db


@pytest.mark.parametrize("role", ["provider_admin", "nominated_individual"])
def test_a_provider_role_adds_a_service_with_starter_lists(world, login, client, role):
    login(world.users[role])
    r = client.post("/api/v1/services", json={"name": "  Willow Lodge ", "kind": "care_home"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["name"] == "Willow Lodge"
    assert "Lounge" in body["areas"] and "Night checks" in body["routines"]
    assert [qs["id"] for qs in body["question_sets"]] == ["visibility", "follow-up"]
    service = db.session.get(Service, __import__("uuid").UUID(body["id"]))
    assert service.provider_id == world.provider.id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_id == body["id"]))
    assert (event.action, event.changes) == (
        "created",
        {"name": "Willow Lodge", "kind": "care_home"},
    )


def test_a_second_service_with_the_same_name_is_refused(world, login, client):
    login(world.users["provider_admin"])
    r = client.post("/api/v1/services", json={"name": world.home.name.upper()})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"name": "Another service of yours has this name."}


def test_a_blank_name_or_unknown_kind_names_the_field(world, login, client):
    login(world.users["provider_admin"])
    r = client.post("/api/v1/services", json={"name": " ", "kind": "castle"})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"name", "kind"}


@pytest.mark.parametrize("role", ["registered_manager", "provider_quality_lead", "care_worker"])
def test_other_roles_may_not_add_services(world, login, client, role):
    login(world.users[role])
    before = db.session.scalar(db.select(db.func.count(Service.id)))
    r = client.post("/api/v1/services", json={"name": "Willow Lodge"})
    assert r.status_code == 403
    assert (
        r.get_json()["error"]["message"]
        == "Your role does not allow adding services (service.create)."
    )
    assert db.session.scalar(db.select(db.func.count(Service.id))) == before
