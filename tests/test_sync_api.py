"""Sync over HTTP against the real database: devices, push, pull, conflicts, revocation."""

import uuid

import pytest

from server.extensions import db
from server.findings.models import Finding
from server.syncing.models import Receipt, SyncConflict
from tests.support.sync_api import PROTOCOL, finding_create, push, register

pytestmark = pytest.mark.db


def test_a_finding_pushed_twice_lands_once_and_the_retry_gets_the_first_result(
    client, world, login
):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    mutation = finding_create(device, carer, world.home, 1)
    first = push(client, device, [mutation])
    assert first.status_code == 200, first.get_json()
    result = first.get_json()["results"][0]
    assert result["status"] == "applied"
    again = push(client, device, [mutation]).get_json()["results"][0]
    assert again["status"] == "duplicate" and again["first"] == result
    rows = db.session.scalars(db.select(Finding)).all()
    assert [(str(r.id), r.description, r.recorded_by) for r in rows] == [
        (mutation["entity_id"], "Call bell out of reach in the lounge", carer.id)
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 1


def test_a_bad_mutation_is_rejected_with_its_field_and_blocks_nothing(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    bad = finding_create(device, carer, world.home, 1, area="Car park")
    good = finding_create(device, carer, world.home, 2)
    results = push(client, device, [bad, good]).get_json()["results"]
    assert results[0]["status"] == "rejected"
    assert "changes.area" in results[0]["fields"]
    assert results[1]["status"] == "applied"
    assert [str(r.id) for r in db.session.scalars(db.select(Finding))] == [good["entity_id"]]


def test_a_mutation_claiming_another_author_is_rejected(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    forged = finding_create(device, world.users["care_worker"], world.home, 1)
    result = push(client, device, [forged]).get_json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == "author_mismatch"
    assert db.session.scalars(db.select(Finding)).all() == []


def test_pull_returns_my_changes_in_pages_and_the_last_acknowledged(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    mutations = [finding_create(device, carer, world.home, n) for n in range(1, 6)]
    push(client, device, mutations)
    seen, cursor = [], 0
    for _ in range(10):
        body = client.get(
            f"/api/v1/sync/pull?cursor={cursor}&limit=2&device_id={device}"
            f"&protocol_version={PROTOCOL}"
        ).get_json()
        seen += [c["id"] for c in body["changes"] if c["entity_type"] == "finding"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert sorted(seen) == sorted(m["entity_id"] for m in mutations)
    assert body["last_acknowledged"] == {"mutation_id": mutations[-1]["mutation_id"], "seq": 5}
    assert body["scope"]["service_ids"] == [str(world.home.id)]


def test_a_colleagues_tablet_does_not_pull_my_findings(client, world, login):
    carer, colleague = world.users["senior_carer"], world.users["care_worker"]
    login(carer)
    device = register(client)
    push(client, device, [finding_create(device, carer, world.home, 1)])
    client.post("/api/v1/auth/logout")
    login(colleague)
    other = register(client, "tablet-0001")
    body = client.get(
        f"/api/v1/sync/pull?cursor=0&device_id={other}&protocol_version={PROTOCOL}"
    ).get_json()
    assert [c for c in body["changes"] if c["entity_type"] == "finding"] == []
    assert other != device  # one binding per (installation, user)


def test_a_revoked_tablet_is_refused_with_a_clear_code(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    assert client.post(f"/api/v1/devices/{device}/revoke").status_code == 200
    r = push(client, device, [finding_create(device, carer, world.home, 1)])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "device_revoked"
    r = client.get(f"/api/v1/sync/pull?cursor=0&device_id={device}&protocol_version=1")
    assert r.get_json()["error"]["code"] == "device_revoked"
    assert db.session.scalars(db.select(Finding)).all() == []


def test_an_old_client_is_told_to_update(client, world, login):
    login(world.users["senior_carer"])
    r = client.post(
        "/api/v1/sync/devices", json={"installation_id": "tablet-0001", "protocol_version": 99}
    )
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "update_required"


def test_pushing_another_users_device_is_refused(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    client.post("/api/v1/auth/logout")
    thief = world.users["care_worker"]
    login(thief)
    r = push(client, device, [finding_create(device, thief, world.home, 1)])
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "device_not_registered"


def test_too_many_mutations_get_413(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [finding_create(device, carer, world.home, n) for n in range(1, 502)]
    r = push(client, device, batch)
    assert r.status_code == 413
    assert db.session.scalars(db.select(Finding)).all() == []


def test_same_field_edited_on_two_devices_keeps_the_first_and_records_a_conflict(
    client, world, login
):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    create = finding_create(device, carer, world.home, 1)
    push(client, device, [create])
    base = {"description": "Call bell out of reach in the lounge"}

    def edit(seq, text):
        return {
            **create,
            "mutation_id": f"edit-{seq}",
            "seq": seq,
            "op": "update",
            "base_version": 1,
            "changes": {"description": text},
            "base_values": base,
        }

    first = push(client, device, [edit(2, "Call bell out of reach, moved back")]).get_json()
    second = push(client, device, [edit(3, "Call bell missing")]).get_json()
    assert first["results"][0]["status"] == "applied"
    assert second["results"][0]["status"] == "conflict"
    finding = db.session.get(Finding, uuid.UUID(create["entity_id"]))
    assert finding.description == "Call bell out of reach, moved back"
    conflict = db.session.scalars(db.select(SyncConflict)).one()
    assert (conflict.field, conflict.kept_value, conflict.other_value, conflict.status) == (
        "description",
        "Call bell out of reach, moved back",
        "Call bell missing",
        "open",
    )
    # A registered manager sees it and takes the other value; the history records it.
    client.post("/api/v1/auth/logout")
    login(world.users["registered_manager"])
    listed = client.get(f"/api/v1/conflicts?service_id={world.home.id}&status=open").get_json()
    assert [c["id"] for c in listed["items"]] == [str(conflict.id)]
    r = client.post(f"/api/v1/conflicts/{conflict.id}/resolve", json={"choice": "other"})
    assert r.status_code == 200, r.get_json()
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).description == "Call bell missing"
    assert db.session.get(SyncConflict, conflict.id).status == "resolved"
