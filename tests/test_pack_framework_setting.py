"""The framework in force: a provider setting (default the 2023 quality statements, not
the 2026 draft that sorts first by id), changed by a provider admin, and what the evidence
pack, the statement list and the suggestions default to."""

import pytest

from server.audit.models import AuditEvent
from server.extensions import db
from server.framework.services import ensure_bundled_frameworks
from tests.support import framework as shared

pytestmark = pytest.mark.db

ASC = "asc-2026-draft"
quick_passwords = shared.quick_passwords
only_saf_afterwards = shared.only_saf_afterwards


@pytest.fixture(autouse=True)
def both_frameworks(only_saf_afterwards):
    ensure_bundled_frameworks()
    db.session.commit()


def pack_query(world) -> str:
    return f"service_id={world.home.id}&from=2026-03-01&to=2026-03-31"


def test_the_default_is_the_2023_framework_although_the_draft_sorts_first(client, world, login):
    login(world.users["registered_manager"])
    listed = client.get("/api/v1/cqc/frameworks").get_json()
    assert [f["id"] for f in listed["items"]] == [ASC, "saf-2023"]
    assert listed["in_force"] == "saf-2023"
    assert [f["in_force"] for f in listed["items"]] == [False, True]
    assert client.get("/api/v1/provider/framework").get_json() == {
        "framework": "saf-2023",
        "default": "saf-2023",
        "changed": False,
    }
    assert client.get("/api/v1/cqc/statements").get_json()["framework"] == "saf-2023"
    pack = client.get("/api/v1/reports/evidence-pack?" + pack_query(world)).get_json()
    assert pack["framework"]["id"] == "saf-2023"


def test_a_provider_admin_changes_it_and_everything_defaults_to_it(client, world, login):
    login(world.users["provider_admin"])
    response = client.patch("/api/v1/provider/framework", json={"framework": ASC})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"framework": ASC, "default": "saf-2023", "changed": True}
    assert db.session.get(type(world.provider), world.provider.id).framework_id == ASC
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "configure_framework")
    ).one()
    assert event.changes == {"framework": ["saf-2023", ASC]}

    login(world.users["registered_manager"])
    assert client.get("/api/v1/cqc/frameworks").get_json()["in_force"] == ASC
    statements = client.get("/api/v1/cqc/statements").get_json()
    assert (statements["framework"], len(statements["items"])) == (ASC, 24)
    pack = client.get("/api/v1/reports/evidence-pack?" + pack_query(world)).get_json()
    assert pack["framework"]["id"] == ASC
    # An explicit choice still wins.
    chosen = client.get(
        "/api/v1/reports/evidence-pack?" + pack_query(world) + "&framework=saf-2023"
    ).get_json()
    assert chosen["framework"]["id"] == "saf-2023"
    suggested = client.get("/api/v1/cqc/suggestions?text=MAR+chart+gaps").get_json()
    assert suggested["framework"] == ASC
    assert suggested["items"][0]["statement_id"] == f"{ASC}:SA4"


def test_null_puts_back_the_default_and_other_providers_keep_theirs(client, world, login):
    login(world.users["nominated_individual"])
    client.patch("/api/v1/provider/framework", json={"framework": ASC})
    back = client.patch("/api/v1/provider/framework", json={"framework": None})
    assert back.get_json()["framework"] == "saf-2023"
    client.patch("/api/v1/provider/framework", json={"framework": ASC})
    assert db.session.get(type(world.rival), world.rival.id).framework_id is None


@pytest.mark.parametrize(
    "role, body, status, fields",
    [
        ("registered_manager", {"framework": ASC}, 403, None),
        ("care_worker", {"framework": ASC}, 403, None),
        (
            "provider_admin",
            {"framework": "saf-2099"},
            404,
            {"framework": "No framework has this id."},
        ),
        ("provider_admin", {}, 422, {"framework": "Missing data for required field."}),
    ],
)
def test_who_may_change_it_and_what(client, world, login, role, body, status, fields):
    login(world.users[role])
    response = client.patch("/api/v1/provider/framework", json=body)
    assert response.status_code == status, response.get_json()
    if fields:
        assert response.get_json()["error"]["fields"] == fields
    else:
        assert "choose the framework in force" in response.get_json()["error"]["message"]
    assert db.session.get(type(world.provider), world.provider.id).framework_id is None
