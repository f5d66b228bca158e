"""A push's bulk creates check each service once and write an outcome's id out once: every
mutation must still get its own outcome, in the same words as on its own."""

import uuid

import pytest

from server.audit.models import AuditEvent
from server.extensions import db
from server.findings.models import Finding
from sync.types import Applied
from tests.support.sync_api import finding_create, push, register


@pytest.mark.db
def test_creates_naming_the_same_refused_service_are_each_refused_in_the_same_words(
    client, world, login
):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    services = [
        world.home,
        world.other,
        world.rival_service,
        world.other,
        world.home,
        world.rival_service,
        world.home,
    ]
    batch = [finding_create(device, carer, s, i + 1) for i, s in enumerate(services)]
    results = push(client, device, batch).get_json()["results"]

    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "rejected",
        "applied",
    ]
    assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in batch]
    assert results[1] | {"mutation_id": None} == results[3] | {"mutation_id": None}
    assert results[1]["code"] == "forbidden"
    assert results[2] | {"mutation_id": None} == results[5] | {"mutation_id": None}
    assert results[2]["fields"] == {"changes.service_id": "Not one of your services."}
    assert results[2]["reason"] == "Choose one of your services."
    landed = db.session.scalars(db.select(Finding)).all()
    assert sorted(str(f.id) for f in landed) == sorted(batch[i]["entity_id"] for i in (0, 4, 6))
    assert {f.service_id for f in landed} == {world.home.id}


@pytest.mark.db
def test_each_bulk_create_has_its_own_event_naming_its_mutation_and_empty_names_pass(
    client, world, login
):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [
        finding_create(device, carer, world.home, 1, people_involved=""),
        finding_create(device, carer, world.home, 2, people_involved=None),
        finding_create(device, carer, world.home, 3, people_involved="JS"),
    ]
    results = push(client, device, batch).get_json()["results"]

    assert [r["status"] for r in results] == ["applied"] * 3
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.entity_type == "finding")
        .order_by(AuditEvent.mutation_id)
    ).all()
    assert [
        (e.mutation_id, e.entity_id, e.action, e.actor_id, e.service_id, e.device_id)
        for e in events
    ] == sorted(
        (m["mutation_id"], m["entity_id"], "create", carer.id, world.home.id, device) for m in batch
    )
    assert [e.changes["people_involved"] for e in events] == ["", "", "JS"]


def test_an_outcome_gives_a_new_dict_each_time():
    outcome = Applied("m-1", "finding", uuid.uuid4(), 2, ("area", "risk"))
    first = outcome.to_dict()
    first["version"] = 99
    first["fields"].append("kind")
    assert outcome.to_dict() == {
        "status": "applied",
        "mutation_id": "m-1",
        "entity_type": "finding",
        "entity_id": str(outcome.entity_id),
        "version": 2,
        "fields": ["area", "risk"],
    }
    assert outcome == Applied("m-1", "finding", outcome.entity_id, 2, ("area", "risk"))
