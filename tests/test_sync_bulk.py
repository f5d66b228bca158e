"""The push's bulk path: a run of plain finding creates is checked one by one and written
together, and gives every mutation the outcome, rows, audit events and receipt that the
one-by-one path gives."""

import uuid
from datetime import UTC, datetime

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common.types import clock_at
from server.extensions import db
from server.findings.checks import NO_FULL_NAMES
from server.findings.models import Finding
from server.findings.services import record_finding
from server.findings.writes import record_findings
from server.syncing.models import Device, Receipt
from tests.support.sync_api import COMPARED_EVENT, finding_create, push, register

pytestmark = pytest.mark.db


def _findings() -> dict[str, Finding]:
    db.session.expire_all()
    return {str(f.id): f for f in db.session.scalars(db.select(Finding))}


def _events(mutation_id) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.mutation_id == mutation_id)
    ).all()


def test_a_mixed_batch_lands_the_good_creates_and_refuses_each_bad_one_by_its_field(
    client, world, login
):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [
        finding_create(device, carer, world.home, 1),
        finding_create(device, carer, world.home, 2, area="Car park"),
        finding_create(device, carer, world.home, 3, description="Hoist sling frayed"),
        finding_create(device, carer, world.home, 4, people_involved="Margaret Thompson"),
        finding_create(device, carer, world.other, 5),
        finding_create(device, carer, world.home, 6, risk="extreme"),
        finding_create(device, carer, world.home, 7),
    ]
    results = push(client, device, batch).get_json()["results"]

    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "applied",
    ]
    assert results[1]["fields"] == {
        "changes.area": "Car park is not one of this service's areas or routines."
    }
    assert results[3]["fields"] == {"changes.people_involved": NO_FULL_NAMES}
    assert results[4]["code"] == "forbidden"
    assert results[5]["fields"] == {"changes.risk": "Must be one of: low, medium, high."}
    assert results[0] == {
        "status": "applied",
        "mutation_id": batch[0]["mutation_id"],
        "entity_type": "finding",
        "entity_id": batch[0]["entity_id"],
        "version": 1,
        "fields": sorted(batch[0]["changes"]),
    }
    good = [batch[0], batch[2], batch[6]]
    rows = _findings()
    assert sorted(rows) == sorted(m["entity_id"] for m in good)
    assert rows[batch[2]["entity_id"]].description == "Hoist sling frayed"
    assert all(rows[m["entity_id"]].recorded_by == carer.id for m in good)
    seqs = [f.change_seq for f in rows.values()]
    assert len(set(seqs)) == 3 and min(seqs) > 0
    for mutation in good:
        (event,) = _events(mutation["mutation_id"])
        assert (event.action, event.entity_id, event.device_id, event.actor_id) == (
            "create",
            mutation["entity_id"],
            device,
            carer.id,
        )
        assert event.changes["description"] == mutation["changes"]["description"]
    assert _events(batch[1]["mutation_id"]) == []
    # The unknown risk is refused by the field rules before the store: no receipt, and the
    # same refusal again when it is sent again (protocol 3.4).
    assert db.session.scalar(db.select(db.func.count()).select_from(Receipt)) == 6
    assert db.session.get(Device, uuid.UUID(device)).last_mutation_seq == 7

    again = push(client, device, batch).get_json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5 + ["rejected", "duplicate"]
    assert again["results"][5] == results[5]
    assert [r.get("first", r) for r in again["results"]] == results
    assert sorted(_findings()) == sorted(rows)
    assert again["last_acknowledged"] == {"mutation_id": batch[6]["mutation_id"], "seq": 7}


def test_a_create_an_edit_of_it_and_repeats_in_one_batch_apply_in_order(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    create = finding_create(device, carer, world.home, 1)
    edit = {
        **create,
        "mutation_id": "edit-1",
        "seq": 2,
        "op": "update",
        "base_version": 1,
        "changes": {"description": "Call bell fixed by maintenance"},
        "base_values": {"description": create["changes"]["description"]},
    }
    recreate = {**create, "mutation_id": "create-again", "seq": 3}
    results = push(client, device, [create, edit, create, recreate]).get_json()["results"]

    assert [r["status"] for r in results] == ["applied", "applied", "duplicate", "rejected"]
    assert results[2]["first"] == results[0]
    assert results[1]["version"] == 2
    assert (results[3]["code"], results[3]["fields"]) == (
        "id_taken",
        {"entity_id": "Already used by another record."},
    )
    (row,) = _findings().values()
    assert (row.description, row.version) == ("Call bell fixed by maintenance", 2)


def test_an_id_taken_by_another_providers_record_is_refused_and_the_rest_still_land(
    client, world, login
):
    rival = record_finding(Actor(_rival_carer(world)), world.rival_service, _data("Rival"))
    db.session.commit()
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [finding_create(device, carer, world.home, n) for n in (1, 2, 3)]
    batch[1]["entity_id"] = str(rival.id)
    results = push(client, device, batch).get_json()["results"]

    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["fields"] == {"entity_id": "Already used by another record."}
    rows = _findings()
    assert rows[str(rival.id)].description == "Rival"
    assert len(rows) == 3


def _rival_carer(world):
    from seed.factories import make_user

    user = make_user(world.rival, "senior_carer", world.rival_service)
    db.session.commit()
    return user


def _data(description, **extra) -> dict:
    return {
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": description,
        **extra,
    }


@pytest.mark.parametrize(
    "data",
    [
        _data(
            "Wet floor by the kitchen",
            risk="high",
            follow_up_needed=True,
            people_involved="R-1042",
            recorded_at=datetime(2026, 11, 27, 9, tzinfo=UTC),
        ),
        _data("Bins overflowing", kind="positive_practice", action_taken="Emptied"),
        {
            "kind": "feedback",
            "area": "Lounge",
            "description": "Asked about visits",
            "respondent_type": "relative",
            "question_id": "q1",
            "answer": "Yes",
            "sentiment": "positive",
        },
    ],
    ids=["issue", "practice", "feedback"],
)
def test_the_bulk_rows_and_events_equal_record_findings(world, data):
    """A batch of one (the desk's record_finding) and a batch the sync store hands over
    write the same row and the same event."""
    carer = world.users["senior_carer"]
    if data["kind"] == "feedback":
        questions = world.home.questions()
        data = {**data, "question_id": next(iter(questions))}
    actor = Actor(carer, "sync", "device-1", "mutation-1")
    moment = datetime(2026, 11, 27, 10, tzinfo=UTC)
    with clock_at(moment):
        single = record_finding(actor, world.home, dict(data), id=uuid.uuid4())
        db.session.flush()
        (row,) = record_findings([(actor, world.home, dict(data), uuid.uuid4())])
    db.session.commit()
    db.session.expire_all()
    one, many = (db.session.get(Finding, i) for i in (single.id, row["id"]))
    columns = [c.key for c in Finding.__table__.columns if c.key not in ("id", "change_seq")]
    assert {c: getattr(many, c) for c in columns} == {c: getattr(one, c) for c in columns}
    assert many.change_seq == one.change_seq + 1
    events = {e.entity_id: e for e in db.session.scalars(db.select(AuditEvent))}
    first, second = events[str(single.id)], events[str(row["id"])]
    assert {k: getattr(second, k) for k in COMPARED_EVENT} == {
        k: getattr(first, k) for k in COMPARED_EVENT
    }
    assert second.at == first.at == moment


def test_the_bulk_path_refuses_what_record_finding_refuses(world):
    from server.errors import Forbidden, Invalid

    actor = Actor(world.users["senior_carer"], "sync")
    for service, data, error in [
        (world.home, _data("", area="Attic"), Invalid),
        (world.home, _data("Loose", colour="red"), Invalid),
        (world.other, _data("Wet floor"), Forbidden),
    ]:
        with pytest.raises(error) as single:
            record_finding(actor, service, dict(data))
        (many,) = record_findings([(actor, service, dict(data), uuid.uuid4())])
        assert isinstance(many, error)
        assert (many.message, many.fields) == (single.value.message, single.value.fields)
