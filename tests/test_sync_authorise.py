"""Sync asks, before any merge, whether the pusher may make this change to the record as it
stands (issue 13, finding 1), and no path writes a server-owned field (finding 5)."""

import uuid

import pytest

from seed import factories
from server.accounts.permissions import PERMISSIONS
from server.audit.services import Actor
from server.errors import Invalid
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.findings.services import record_finding, record_walkaround
from server.log import services as log
from server.log.models import LogEntry
from server.syncing.models import SyncConflict
from server.syncing.writes import update_walkaround
from tests.support.sync_api import push, register

ENTRY_SECRET = "Bed rails left down in room 4 overnight"
DECISION_SECRET = "Night senior checks rails at 02:00 and 04:00"
FINDING_SECRET = "R-1042 found on the floor by the wardrobe"
PEOPLE_SECRET = "R-1042, JS"
MODELS = {"log_entry": LogEntry, "finding": Finding, "walkaround": Walkaround}


def _records(world) -> dict:
    """A Beech Court entry and finding, and a colleague's finding at Ashdown House."""
    beech_manager = factories.make_user(world.provider, "registered_manager", world.other)
    beech_carer = factories.make_user(world.provider, "senior_carer", world.other)
    entry = log.create_draft(
        Actor(beech_manager), world.other, concern="Rails", source="walkaround"
    )
    # A second version, so that a push based on the first is stale.
    log.update_entry(
        Actor(beech_manager), entry, 1, {"concern": ENTRY_SECRET, "decision": DECISION_SECRET}
    )
    finding = {
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": "Fall",
        "people_involved": PEOPLE_SECRET,
        "risk": "high",
    }
    beech = record_finding(Actor(beech_carer), world.other, dict(finding))
    colleague = record_finding(Actor(world.users["senior_carer"]), world.home, dict(finding))
    for row in (beech, colleague):
        row.description, row.version = FINDING_SECRET, 2
    db.session.commit()
    return {"beech_entry": entry, "beech_finding": beech, "colleague_finding": colleague}


def _mutation(device, user, seq: int, entity_type: str, entity_id, op: str, **fields) -> dict:
    return {
        "mutation_id": f"m-{seq}",
        "device_id": device,
        "seq": seq,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "op": op,
        "author_id": str(user.id),
        "base_version": 1,
        "changes": {},
        "base_values": {},
        "device_time": None,
        "transition": None,
    } | fields


def _stale(device, user, seq, entity_type, entity_id, op) -> dict:
    field = "concern" if entity_type == "log_entry" else "description"
    base = {field: "What the tablet saw"}
    if op == "update":
        return _mutation(
            device,
            user,
            seq,
            entity_type,
            entity_id,
            op,
            changes={field: "Changed offline"},
            base_values=base,
        )
    return _mutation(device, user, seq, entity_type, entity_id, op, base_values=base)


def _pull(client, device) -> tuple[str, list]:
    r = client.get(f"/api/v1/sync/pull?cursor=0&device_id={device}&protocol_version=1")
    assert r.status_code == 200, r.get_json()
    return r.get_data(as_text=True), r.get_json()["changes"]


def _no_secret(text: str) -> None:
    for secret in (ENTRY_SECRET, DECISION_SECRET, FINDING_SECRET, PEOPLE_SECRET):
        assert secret not in text


@pytest.mark.parametrize("op", ["update", "delete"])
@pytest.mark.parametrize("target", ["beech_entry", "beech_finding", "colleague_finding"])
@pytest.mark.db
def test_a_stale_push_to_a_record_one_may_not_read_records_and_discloses_nothing(
    client, world, login, target, op
):
    records = _records(world)
    record = records[target]
    entity_type = "log_entry" if target == "beech_entry" else "finding"
    carer = world.users["care_worker"]
    login(carer)
    device = register(client)

    r = push(client, device, [_stale(device, carer, 1, entity_type, record.id, op)])

    result = r.get_json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "not_found")
    assert result["reason"] == (
        f"There is no {entity_type} with this id: it was never created, or its create was rejected."
    )
    _no_secret(r.get_data(as_text=True))
    assert db.session.scalars(db.select(SyncConflict)).all() == []
    db.session.expire_all()
    row = db.session.get(MODELS[entity_type], record.id)
    assert (row.version, row.deleted_at) == (2, None)
    text, changes = _pull(client, device)
    _no_secret(text)
    assert [c for c in changes if c["entity_type"] == "conflict"] == []


@pytest.mark.db
def test_the_answer_is_the_same_as_for_a_record_that_does_not_exist(client, world, login):
    records = _records(world)
    carer = world.users["care_worker"]
    login(carer)
    device = register(client)
    real = _stale(device, carer, 1, "log_entry", records["beech_entry"].id, "update")
    made_up = _stale(device, carer, 2, "log_entry", uuid.uuid4(), "update")
    results = push(client, device, [real, made_up]).get_json()["results"]
    strip = ("mutation_id", "entity_id")
    assert [{k: v for k, v in r.items() if k not in strip} for r in results][0] == (
        {k: v for k, v in results[1].items() if k not in strip}
    )


@pytest.mark.db
def test_a_finding_triaged_since_is_refused_to_its_author_without_a_conflict(client, world, login):
    carer = world.users["care_worker"]
    mine = record_finding(
        Actor(carer),
        world.home,
        {
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": "Call bell out of reach",
            "risk": "low",
        },
    )
    mine.triage_state, mine.description, mine.version = "dismissed", "Bell fixed by day", 2
    db.session.commit()
    login(carer)
    device = register(client)

    result = push(
        client,
        device,
        [
            _mutation(
                device,
                carer,
                1,
                "finding",
                mine.id,
                "update",
                changes={"description": "Still out"},
                base_values={"description": "Call bell out of reach"},
            )
        ],
    ).get_json()["results"][0]

    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert result["reason"] == "This finding has been triaged; ask a manager to change it."
    assert db.session.scalars(db.select(SyncConflict)).all() == []


def _planted(world, user, entity_type: str, record, service) -> SyncConflict:
    """A conflict as the engine kept it before this fix (or while the author could read)."""
    row = SyncConflict(
        id=uuid.uuid4(),
        service_id=service.id,
        kind="field",
        mutation_id="old",
        entity_type=entity_type,
        entity_id=str(record.id),
        field="description",
        base_value="Old",
        kept_value=FINDING_SECRET,
        other_value="Mine",
        other_author=user.id,
        status="open",
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.db
def test_a_conflict_is_pulled_by_its_author_only_while_they_may_read_its_record(
    client, world, login
):
    records = _records(world)
    carer = world.users["care_worker"]
    mine = record_finding(
        Actor(carer),
        world.home,
        {
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": "Call bell out of reach",
            "risk": "low",
        },
    )
    db.session.commit()
    visible = _planted(world, carer, "finding", mine, world.home)
    _planted(world, carer, "finding", records["colleague_finding"], world.home)
    _planted(world, carer, "log_entry", records["beech_entry"], world.other)
    login(carer)
    device = register(client)

    _, changes = _pull(client, device)

    assert [c["id"] for c in changes if c["entity_type"] == "conflict"] == [str(visible.id)]


# ---- finding 5: server-owned fields ------------------------------------------------------


def _deleted_walkaround(world, carer):
    walk = record_walkaround(Actor(carer), world.home, {"started_at": None, "areas": ["Lounge"]})
    walk.deleted_at = walk.received_at
    db.session.commit()
    return walk


@pytest.mark.db
def test_an_edit_of_a_deleted_walkaround_may_not_carry_server_owned_fields(client, world, login):
    carer = world.users["care_worker"]
    walk = _deleted_walkaround(world, carer)
    login(carer)
    device = register(client)
    changes = {
        "notes": "Lounge checked",
        "service_id": str(world.other.id),
        "conducted_by": str(world.users["registered_manager"].id),
        "version": 99,
    }

    result = push(
        client,
        device,
        [_mutation(device, carer, 1, "walkaround", walk.id, "update", changes=changes)],
    ).get_json()["results"][0]

    assert (result["status"], result["code"]) == ("rejected", "server_owned")
    assert set(result["fields"]) == {
        "changes.conducted_by",
        "changes.service_id",
        "changes.version",
    }
    assert db.session.scalars(db.select(SyncConflict)).all() == []


@pytest.mark.db
def test_resolving_an_edit_against_delete_never_writes_server_owned_fields(client, world, login):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    walk = _deleted_walkaround(world, carer)
    other = {
        "notes": "Lounge checked",
        "service_id": str(world.other.id),
        "conducted_by": str(manager.id),
        "version": 99,
    }
    conflict = SyncConflict(
        id=uuid.uuid4(),
        service_id=world.home.id,
        kind="edit_vs_delete",
        mutation_id="old",
        entity_type="walkaround",
        entity_id=str(walk.id),
        field="_record",
        base_value=None,
        kept_value={"deleted": True},
        other_value=other,
        other_author=carer.id,
        status="open",
    )
    db.session.add(conflict)
    db.session.commit()
    version = walk.version
    login(manager)

    r = client.post(f"/api/v1/conflicts/{conflict.id}/resolve", json={"choice": "other"})

    assert r.status_code == 422, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"value.conducted_by", "value.service_id", "value.version"}
    db.session.expire_all()
    row = db.session.get(Walkaround, walk.id)
    assert (row.service_id, row.conducted_by, row.version, row.notes) == (
        world.home.id,
        carer.id,
        version,
        "",
    )
    assert row.deleted_at is not None
    assert db.session.get(SyncConflict, conflict.id).status == "open"


@pytest.mark.db
def test_a_walkaround_update_refuses_fields_it_may_not_change(world):
    carer = world.users["care_worker"]
    walk = record_walkaround(Actor(carer), world.home, {"started_at": None})
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        update_walkaround(
            Actor(carer), walk, 1, {"conducted_by": world.users["care_worker"].id, "notes": "Fine"}
        )
    assert refused.value.fields == {"conducted_by": "Unknown field."}


@pytest.mark.db
def test_a_note_on_an_entry_one_may_not_read_answers_as_for_no_entry(client, world, login):
    records = _records(world)
    carer = world.users["care_worker"]
    login(carer)
    device = register(client)

    def note(seq, entry_id):
        return _mutation(
            device,
            carer,
            seq,
            "note",
            uuid.uuid4(),
            "append",
            base_version=None,
            changes={"entry_id": str(entry_id), "body": "Seen"},
        )

    results = push(
        client, device, [note(1, records["beech_entry"].id), note(2, uuid.uuid4())]
    ).get_json()["results"]
    assert [(r["status"], r["code"], r["reason"], r["fields"]) for r in results] == [
        (
            "rejected",
            "not_found",
            "There is no log entry with this id.",
            {"changes.entry_id": "No live log entry has this id."},
        )
    ] * 2


def test_every_role_that_sees_conflicts_reads_every_record_of_the_service():
    # The conflicts API lists a service's conflicts to these roles alone: that it shows
    # none to someone who may not read its record rests on this.
    resolvers = set(PERMISSIONS["conflict.resolve"][0])
    assert resolvers <= set(PERMISSIONS["entry.read"][0])
    assert resolvers <= set(PERMISSIONS["finding.read_all"][0])
