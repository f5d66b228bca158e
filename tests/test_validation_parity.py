"""One validation: the same bad value sent through REST and through sync gets the same
refusal naming the same field (REST ``field``, sync ``changes.field``); a NUL anywhere is a
4xx, never a database error, on SQLite and PostgreSQL alike."""

import uuid

import pytest

from server.common.fields import CONTROL_MESSAGE
from server.extensions import db
from server.findings.models import Finding
from tests.support.validation_parity import (
    CASES,
    LONG,
    MODELS,
    TOO_LONG,
    entry_body,
    existing_record,
    finding_body,
    sync_device,
    sync_mutation,
    sync_push,
    via_rest,
    via_sync,
)

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("entity_type", "op", "field", "value", "why"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_the_same_bad_value_gets_the_same_refusal_through_rest_and_sync(
    client, world, login, entity_type, op, field, value, why
):
    manager = world.users["registered_manager"]
    login(manager)
    record = None if op == "create" else existing_record(client, world, entity_type)
    before = db.session.scalar(db.select(db.func.count()).select_from(MODELS[entity_type]))

    rest = via_rest(client, world, manager, entity_type, op, field, value, record)
    assert rest.status_code == 422, rest.get_json()
    assert rest.get_json()["error"]["fields"] == {field: why}

    outcome = via_sync(client, world, manager, entity_type, op, field, value, record)
    assert (outcome["status"], outcome["code"]) == ("rejected", "invalid")
    assert outcome["fields"] == {f"changes.{field}": why}
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(MODELS[entity_type])) == before


def test_tabs_and_line_breaks_are_kept_in_long_text_on_both_paths(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    text = "Bell out of reach.\nMoved it.\tChecked again at 21:00."
    rest = client.post("/api/v1/findings", json=finding_body(world) | {"description": text})
    assert rest.status_code == 201, rest.get_json()
    device = sync_device(client)
    mutation = sync_mutation(
        device, carer, 1, "finding", "create", finding_body(world) | {"description": text}
    )
    assert sync_push(client, device, [mutation]).get_json()["results"][0]["status"] == "applied"
    assert [f.description for f in db.session.scalars(db.select(Finding))] == [text, text]


def test_a_null_item_is_rejected_alone_and_the_rest_are_applied(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = sync_device(client)
    good = sync_mutation(device, carer, 2, "finding", "create", finding_body(world))
    r = sync_push(client, device, [None, good, 7])
    assert r.status_code == 200, r.get_json()
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["rejected", "applied", "rejected"]
    assert results[0] == results[2]
    assert {k: results[0][k] for k in ("mutation_id", "code", "fields")} == {
        "mutation_id": None,
        "code": "invalid",
        "fields": {"_mutation": "Each mutation must be a JSON object."},
    }
    assert [str(f.id) for f in db.session.scalars(db.select(Finding))] == [good["entity_id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"protocol_version": 1, "mutations": []},
        {"protocol_version": 1, "device_id": "not-a-device", "mutations": []},
        {"protocol_version": 1, "device_id": str(uuid.uuid4()), "mutations": {"0": {}}},
    ],
)
def test_a_malformed_envelope_is_400_malformed(client, world, login, body):
    login(world.users["senior_carer"])
    r = client.post("/api/v1/sync/push", json=body)
    assert (r.status_code, r.get_json()["error"]["code"]) == (400, "malformed")


def test_every_refused_field_of_a_record_is_named_changes_field(client, world, login):
    manager = world.users["registered_manager"]
    login(manager)
    entry_id, version = existing_record(client, world, "log_entry")
    device = sync_device(client)
    by_schema = sync_mutation(
        device,
        manager,
        1,
        "log_entry",
        "update",
        {"risk": "extreme"},
        entity_id=entry_id,
        base=version,
        base_values={"risk": "medium"},
    )
    unknown = sync_mutation(
        device,
        manager,
        2,
        "log_entry",
        "update",
        {"colour": "red"},
        entity_id=entry_id,
        base=version,
    )
    by_policy = sync_mutation(
        device,
        manager,
        3,
        "log_entry",
        "update",
        {"created_by": None},
        entity_id=entry_id,
        base=version,
        base_values={"created_by": None},
    )
    by_service = sync_mutation(
        device, manager, 4, "finding", "create", finding_body(world) | {"area": "Car park"}
    )
    walk = sync_mutation(
        device,
        manager,
        5,
        "walkaround",
        "create",
        {"service_id": str(world.home.id), "areas": ["Lounge", "Car park"]},
    )
    results = sync_push(client, device, [by_schema, unknown, by_policy, by_service, walk])
    assert [sorted(r["fields"]) for r in results.get_json()["results"]] == [
        ["changes.risk"],
        ["changes.colour"],
        ["changes.created_by"],
        ["changes.area"],
        ["changes.areas.1"],
    ]


def test_a_mutation_id_holding_nul_is_rejected_by_name_and_echoed(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = sync_device(client)
    bad = sync_mutation(device, carer, 1, "finding", "create", finding_body(world))
    bad["mutation_id"] = "m-\x00-1"
    base_nul = sync_mutation(device, carer, 2, "finding", "create", finding_body(world))
    base_nul["base_values"] = {"area": "Lou\x00nge"}
    r = sync_push(client, device, [bad, base_nul])
    assert r.status_code == 200, r.get_json()
    first, second = r.get_json()["results"]
    assert (first["status"], first["mutation_id"]) == ("rejected", "m-\x00-1")
    assert list(first["fields"]) == ["mutation_id"]
    assert second["fields"] == {"base_values.area": CONTROL_MESSAGE}
    assert db.session.scalars(db.select(Finding)).all() == []


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/entries?q=bell%00",
        "/api/v1/findings?area=Lounge%00",
        "/api/v1/admin/users?q=%00",
        "/api/v1/entries?statement_id=%00",
        "/api/v1/conflicts?status=open%00",
    ],
)
def test_a_nul_in_a_search_or_filter_is_a_4xx(client, world, login, query):
    login(world.users["provider_admin"] if "admin" in query else world.users["registered_manager"])
    r = client.get(query)
    assert r.status_code == 422, r.data
    name = query.split("?")[1].split("=")[0]
    assert r.get_json()["error"]["fields"] == {name: CONTROL_MESSAGE}


def test_a_nul_anywhere_in_a_body_is_a_4xx_naming_where(client, world, login):
    login(world.users["registered_manager"])
    r = client.post("/api/v1/entries", json=entry_body(world) | {"statement_ids": ["a\x00"]})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"statement_ids.0": CONTROL_MESSAGE}


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (LONG, TOO_LONG),
        ("Bell\x1b", CONTROL_MESSAGE),
        (None, "Field may not be null."),
    ],
)
def test_a_managers_new_value_for_a_conflict_passes_the_same_field_rules(
    client, world, login, value, why
):
    carer, manager = world.users["senior_carer"], world.users["registered_manager"]
    login(carer)
    device = sync_device(client)
    create = sync_mutation(device, carer, 1, "finding", "create", finding_body(world))
    base = {"description": "Call bell out of reach"}
    edits = [
        sync_mutation(
            device,
            carer,
            seq,
            "finding",
            "update",
            {"description": text},
            entity_id=create["entity_id"],
            base=1,
            base_values=base,
        )
        for seq, text in ((2, "Moved back"), (3, "Missing"))
    ]
    outcomes = sync_push(client, device, [create, *edits]).get_json()["results"]
    assert [o["status"] for o in outcomes] == ["applied", "applied", "conflict"]
    client.post("/api/v1/auth/logout")
    login(manager)
    conflict_id = outcomes[2]["conflict_id"]
    r = client.post(
        f"/api/v1/conflicts/{conflict_id}/resolve", json={"choice": "new", "value": value}
    )
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["fields"] == {"value": why}
    db.session.expire_all()
    assert db.session.get(Finding, uuid.UUID(create["entity_id"])).description == "Moved back"


def test_the_conflicts_api_names_the_mutation_that_met_the_conflict(client, world, login):
    carer, manager = world.users["senior_carer"], world.users["registered_manager"]
    login(carer)
    device = sync_device(client)
    create = sync_mutation(device, carer, 1, "finding", "create", finding_body(world))
    base = {"description": "Call bell out of reach"}
    edits = [
        sync_mutation(
            device,
            carer,
            seq,
            "finding",
            "update",
            {"description": text},
            entity_id=create["entity_id"],
            base=1,
            base_values=base,
        )
        for seq, text in ((2, "Moved back"), (3, "Missing"))
    ]
    sync_push(client, device, [create, *edits])
    client.post("/api/v1/auth/logout")
    login(manager)
    listed = client.get(f"/api/v1/conflicts?service_id={world.home.id}").get_json()["items"]
    assert [c["mutation_id"] for c in listed] == [edits[1]["mutation_id"]]
    one = client.get(f"/api/v1/conflicts/{listed[0]['id']}").get_json()
    assert one["mutation_id"] == edits[1]["mutation_id"]
