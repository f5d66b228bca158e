"""The finding's story for the person who recorded it (issue 15, point 5): the pull carries
what became of their findings, and until triage they may correct or withdraw them."""

import uuid
from datetime import date

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings.models import Finding
from server.findings.triage import triage
from server.log import services as log
from server.syncing.models import SyncConflict
from tests.support.sync_api import finding_create, mutation, push, register

TRIAGED = "This finding has been triaged; ask a manager to change it."


def _pull(client, device, cursor=0) -> dict:
    r = client.get(f"/api/v1/sync/pull?cursor={cursor}&device_id={device}&protocol_version=1")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _recorded(client, login, carer, service, **changes):
    """The carer records a finding from a tablet; return (device, finding, cursor after)."""
    login(carer)
    device = register(client)
    create = finding_create(device, carer, service, 1, **changes)
    (result,) = push(client, device, [create]).get_json()["results"]
    assert result["status"] == "applied", result
    body = _pull(client, device)
    assert body["stories"] == []  # nothing triaged yet
    return device, db.session.get(Finding, uuid.UUID(result["entity_id"])), body["next_cursor"]


def _edit(device, user, seq, finding, op, **fields):
    made = mutation(device, user, seq, "finding", op, {}, str(finding.id), finding.version)
    return made | fields


@pytest.mark.db
def test_the_pull_says_which_entry_the_finding_became_with_its_owner_and_due_date(
    client, world, login
):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    device, finding, cursor = _recorded(client, login, carer, world.home)

    _, entry = triage(Actor(manager), [finding.id], "create_entry", concern="Bell out of reach")
    db.session.commit()
    body = _pull(client, device, cursor)
    (story,) = body["stories"]
    assert story == {
        "finding_id": str(finding.id),
        "outcome": "made_into",
        "entry": {
            "id": str(entry.id),
            "title": "Bell out of reach",
            "owner_name": None,
            "due_date": None,
        },
    }

    # The owner and due date are set later: only the entry changed, and the story follows.
    cursor = body["next_cursor"]
    log.update_entry(
        Actor(manager),
        entry,
        entry.version,
        {
            "decision": "Move the call bell to the chair side by Friday",
            "owner_id": world.users["senior_carer"].id,
            "due_date": date(2026, 12, 18),
        },
    )
    db.session.commit()
    body = _pull(client, device, cursor)
    assert [c["entity_type"] for c in body["changes"]] == ["log_entry"]
    (story,) = body["stories"]
    assert story["entry"] == {
        "id": str(entry.id),
        "title": "Move the call bell to the chair side by Friday",
        "owner_name": world.users["senior_carer"].display_name,
        "due_date": "2026-12-18",
    }
    # Nothing changed since: the next pull repeats no story.
    assert _pull(client, device, body["next_cursor"])["stories"] == []


@pytest.mark.db
def test_a_link_to_an_existing_entry_is_told_as_linked_and_a_dismissal_keeps_its_reason(
    client, world, login
):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    device, linked, cursor = _recorded(client, login, carer, world.home)
    dismissed = finding_create(device, carer, world.home, 2, description="Spill by the door")
    push(client, device, [dismissed])
    entry = log.create_draft(Actor(manager), world.home, concern="Bells", source="walkaround")
    triage(Actor(manager), [linked.id], "link", entry_id=entry.id)
    triage(Actor(manager), [dismissed["entity_id"]], "dismiss", reason="Cleaned at once")
    db.session.commit()

    body = _pull(client, device, cursor)
    assert [(s["finding_id"], s["outcome"]) for s in body["stories"]] == [
        (str(linked.id), "linked")
    ]
    records = {c["id"]: c["record"] for c in body["changes"] if c["entity_type"] == "finding"}
    assert records[dismissed["entity_id"]]["triage_state"] == "dismissed"
    assert records[dismissed["entity_id"]]["dismissed_reason"] == "Cleaned at once"


@pytest.mark.db
def test_nobody_else_pulls_the_story_of_a_finding(client, world, login):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    _device, finding, _cursor = _recorded(client, login, carer, world.home)
    triage(Actor(manager), [finding.id], "create_entry")
    db.session.commit()

    login(manager)
    body = _pull(client, register(client, "office-tablet"))
    assert str(finding.id) in {c["id"] for c in body["changes"]}  # the finding, yes
    assert body["stories"] == []  # its story is its recorder's


@pytest.mark.db
def test_the_recorder_corrects_a_finding_before_triage(client, world, login):
    carer = world.users["care_worker"]
    device, finding, _ = _recorded(client, login, carer, world.home, risk="low")
    correct = _edit(
        device,
        carer,
        2,
        finding,
        "update",
        changes={"area": "Dining room", "risk": "high"},
        base_values={"area": "Lounge", "risk": "low"},
    )
    (result,) = push(client, device, [correct]).get_json()["results"]
    assert result["status"] == "applied", result
    db.session.expire_all()
    row = db.session.get(Finding, finding.id)
    assert (row.area, row.risk, row.version) == ("Dining room", "high", 2)


@pytest.mark.db
def test_a_correction_or_withdrawal_after_triage_is_refused_in_words(client, world, login):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    device, finding, _ = _recorded(client, login, carer, world.home, risk="low")
    seen = finding.version
    triage(Actor(manager), [finding.id], "dismiss", reason="Already fixed")
    db.session.commit()

    stale = {"base_version": seen}
    correct = _edit(
        device,
        carer,
        2,
        finding,
        "update",
        changes={"risk": "high"},
        base_values={"risk": "low"},
        **stale,
    )
    withdraw = _edit(
        device,
        carer,
        3,
        finding,
        "transition",
        base_values={"triage_state": "new"},
        transition={"action": "withdraw", "reason": None},
        **stale,
    )
    results = push(client, device, [correct, withdraw]).get_json()["results"]
    assert [(r["status"], r["code"], r["reason"]) for r in results] == [
        ("rejected", "forbidden", TRIAGED),
        ("rejected", "forbidden", TRIAGED),
    ]
    db.session.expire_all()
    row = db.session.get(Finding, finding.id)
    assert (row.triage_state, row.risk) == ("dismissed", "low")
    assert db.session.scalars(db.select(SyncConflict)).all() == []


@pytest.mark.db
def test_the_recorder_withdraws_a_finding_it_leaves_the_inbox_with_who_and_when(
    client, world, login
):
    carer = world.users["care_worker"]
    device, finding, _ = _recorded(client, login, carer, world.home)
    withdraw = _edit(
        device,
        carer,
        2,
        finding,
        "transition",
        base_values={"triage_state": "new"},
        transition={"action": "withdraw", "reason": "Wrong room"},
    )
    (result,) = push(client, device, [withdraw]).get_json()["results"]
    assert result["status"] == "applied", result

    db.session.expire_all()
    assert db.session.get(Finding, finding.id).triage_state == "withdrawn"
    (event,) = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(finding.id), AuditEvent.action == "withdraw"
        )
    ).all()
    assert event.actor_id == carer.id and event.at is not None
    assert event.changes == {"triage_state": ["new", "withdrawn"], "reason": "Wrong room"}

    login(world.users["registered_manager"])
    inbox = client.get(f"/api/v1/services/{world.home.id}/inbox").get_json()
    assert inbox["total"] == 0
    listed = client.get(f"/api/v1/findings?service_id={world.home.id}&triage_state=withdrawn")
    assert [f["id"] for f in listed.get_json()["items"]] == [str(finding.id)]
    # Withdrawn is not triaged: it cannot be made into an entry afterwards.
    r = client.post(
        "/api/v1/findings/triage",
        json={"finding_ids": [str(finding.id)], "action": "dismiss", "reason": "x"},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["message"] == "A finding that is withdrawn cannot be dismissed."


@pytest.mark.db
def test_only_the_recorder_may_withdraw(client, world, login):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    _device, finding, _ = _recorded(client, login, carer, world.home)
    login(manager)
    device = register(client, "office-tablet")
    withdraw = _edit(
        device,
        manager,
        1,
        finding,
        "transition",
        base_values={"triage_state": "new"},
        transition={"action": "withdraw", "reason": None},
    )
    (result,) = push(client, device, [withdraw]).get_json()["results"]
    assert (result["status"], result["code"], result["reason"]) == (
        "rejected",
        "forbidden",
        "Only the person who recorded this finding may withdraw it.",
    )
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).triage_state == "new"


@pytest.mark.db
def test_the_inbox_names_who_recorded_each_finding(client, world, login):
    carer = world.users["care_worker"]
    _recorded(client, login, carer, world.home)
    login(world.users["registered_manager"])
    inbox = client.get(f"/api/v1/services/{world.home.id}/inbox").get_json()
    (item,) = inbox["groups"][0]["findings"]
    assert item["recorded_by_name"] == carer.display_name
    assert item["recorded_by"] == str(carer.id)


@pytest.mark.db
def test_page_by_page_the_last_story_of_each_finding_is_its_entrys_latest(client, world, login):
    """A page of one change at a time: the entry and its finding arrive on different pages,
    and whatever the order, each story the device keeps last is the entry as it is now."""
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    device, finding, cursor = _recorded(client, login, carer, world.home)
    _, entry = triage(Actor(manager), [finding.id], "create_entry", concern="Bells")
    log.update_entry(Actor(manager), entry, entry.version, {"due_date": date(2026, 12, 24)})
    db.session.commit()

    kept, pages = {}, 0
    while True:
        r = client.get(
            f"/api/v1/sync/pull?cursor={cursor}&limit=1&device_id={device}&protocol_version=1"
        )
        body = r.get_json()
        pages += 1
        kept.update({s["finding_id"]: s for s in body["stories"]})
        if str(finding.id) in {c["id"] for c in body["changes"]}:
            # The finding's new copy comes with its story: the device keeps it on the copy.
            assert str(finding.id) in {s["finding_id"] for s in body["stories"]}
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert pages >= 2
    assert kept[str(finding.id)]["entry"]["due_date"] == "2026-12-24"
    assert kept[str(finding.id)]["outcome"] == "made_into"
