"""The duty manager's ownership board, who may see the desk boards, and an entry's
open conflicts, through the JSON API."""

import uuid

import pytest

from seed import factories
from server.accounts.permissions import ROLES
from server.audit.models import AuditEvent
from server.extensions import db
from server.log.models import LogEntry
from tests.support import desk_board as desk
from tests.support import log_rules as shared
from tests.support.desk_board import MONDAY, board_url, checks_url, counts, finding

# pytest finds fixtures among a module's globals: these come from tests/support/log_rules.py
# and tests/support/desk_board.py.
actor, rm, draft = shared.actor, shared.rm, shared.draft
as_role, due_on = desk.as_role, desk.due_on

pytestmark = pytest.mark.db


# ---- ownership board --------------------------------------------------------------------


def test_board_lists_unowned_entries_oldest_first_and_findings_needing_one(
    world, draft, actor, as_role
):
    first = draft(concern="Call bells slow at night", owner_id=None)
    second = draft(concern="Fridge temperatures not logged", owner_id=None)
    draft(concern="Has an owner already")
    draft(
        service=world.other,
        by=actor("nominated_individual"),
        concern="Another service",
        owner_id=None,
    )
    wanted = finding(world, description="Bins overflowing")
    finding(world, description="Nice lunch", follow_up_needed=False)
    finding(
        world,
        description="Already triaged",
        triage_state="dismissed",
        dismissed_reason="Handled on the spot",
    )
    db.session.commit()

    body = as_role("duty_manager").get(board_url(world)).get_json()

    entries, findings = body["entries"]["items"], body["findings"]["items"]
    assert [e["concern"] for e in entries] == [
        "Call bells slow at night",
        "Fridge temperatures not logged",
    ]
    assert [e["id"] for e in entries] == [str(first.id), str(second.id)]
    assert entries[0]["status"] == "draft" and entries[0]["owner_id"] is None
    assert [f["description"] for f in findings] == ["Bins overflowing"]
    assert findings[0]["id"] == str(wanted.id)
    assert (body["entries"]["total"], body["findings"]["total"]) == (2, 1)


def test_board_is_paged_on_the_server(world, draft, as_role):
    concerns = [f"Unowned follow-up {n}" for n in range(5)]
    for concern in concerns:
        draft(concern=concern, owner_id=None)
    for n in range(3):
        finding(world, description=f"Needs an entry {n}")
    db.session.commit()
    client = as_role("duty_manager")

    second = client.get(board_url(world) + "?per_page=2&page=2&findings_page=2").get_json()

    assert [e["concern"] for e in second["entries"]["items"]] == concerns[2:4]
    assert {k: v for k, v in second["entries"].items() if k != "items"} == {
        "page": 2,
        "per_page": 2,
        "total": 5,
        "has_more": True,
    }
    assert [f["description"] for f in second["findings"]["items"]] == ["Needs an entry 2"]
    assert (second["findings"]["page"], second["findings"]["has_more"]) == (2, False)
    last = client.get(board_url(world) + "?per_page=2&page=3").get_json()
    assert [e["concern"] for e in last["entries"]["items"]] == concerns[4:]
    assert last["entries"]["has_more"] is False
    bad = client.get(board_url(world) + "?page=0&findings_page=x")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {
        "page": "Must be greater than or equal to 1.",
        "findings_page": "Not a valid integer.",
    }


def test_duty_manager_assigns_several_in_one_step(world, draft, as_role):
    one, two = draft(owner_id=None), draft(owner_id=None)
    db.session.commit()
    carer, key = world.users["senior_carer"], world.users["key_worker"]

    response = as_role("duty_manager").post(
        board_url(world),
        json={
            "assignments": [
                {"entry_id": str(one.id), "owner_id": str(carer.id), "version": one.version},
                {"entry_id": str(two.id), "owner_id": str(key.id), "version": two.version},
            ]
        },
    )

    assert response.status_code == 200, response.get_json()
    assert [e["owner_id"] for e in response.get_json()["entries"]] == [str(carer.id), str(key.id)]
    db.session.expire_all()
    assert (
        db.session.get(LogEntry, one.id).owner_id,
        db.session.get(LogEntry, two.id).owner_id,
    ) == (carer.id, key.id)
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == "update", AuditEvent.entity_id.in_([str(one.id), str(two.id)]))
        .order_by(AuditEvent.id)
    ).all()
    assert len(events) == 2
    assert {e.actor_id for e in events} == {world.users["duty_manager"].id}
    assert events[0].changes == {"owner_id": [None, str(carer.id)]}
    assert as_role("duty_manager").get(board_url(world)).get_json()["entries"]["items"] == []


@pytest.mark.parametrize(
    ("bad", "status", "fields"),
    [
        (
            {"entry_id": str(uuid.uuid4())},
            422,
            {"assignments.1.entry_id": "Choose an entry of this service."},
        ),
        (
            {"owner_id": "stranger"},
            422,
            {
                "assignments.1.owner_id": "Choose an active member of staff who works in this service."
            },
        ),
        ({"version": 7}, 409, {"assignments.1.version": "The current version is 1."}),
        ({"entry_id": "first"}, 422, {"assignments.1.entry_id": "Listed more than once."}),
        ({"owner_id": None}, 422, {"assignments.1.owner_id": "Field may not be null."}),
        ({"version": "one"}, 422, {"assignments.1.version": "Not a valid integer."}),
    ],
)
def test_one_bad_assignment_refuses_them_all(world, draft, as_role, bad, status, fields):
    one, two = draft(owner_id=None), draft(owner_id=None)
    stranger = factories.make_user(world.provider, "care_worker", world.other)
    db.session.commit()
    second = {
        "entry_id": str(two.id),
        "owner_id": str(world.users["key_worker"].id),
        "version": two.version,
    }
    replace = {"first": str(one.id), "stranger": str(stranger.id)}
    second.update({k: replace.get(v, v) if isinstance(v, str) else v for k, v in bad.items()})
    before = counts()

    response = as_role("registered_manager").post(
        board_url(world),
        json={
            "assignments": [
                {
                    "entry_id": str(one.id),
                    "owner_id": str(world.users["senior_carer"].id),
                    "version": one.version,
                },
                second,
            ]
        },
    )

    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields
    assert counts() == before
    assert db.session.get(LogEntry, one.id).owner_id is None
    assert db.session.get(LogEntry, two.id).owner_id is None


def test_an_entry_of_another_service_cannot_be_assigned_here(world, draft, actor, as_role):
    other = draft(service=world.other, by=actor("nominated_individual"), owner_id=None)
    db.session.commit()
    response = as_role("registered_manager").post(
        board_url(world),
        json={
            "assignments": [
                {
                    "entry_id": str(other.id),
                    "owner_id": str(world.users["key_worker"].id),
                    "version": 1,
                }
            ]
        },
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "assignments.0.entry_id": "Choose an entry of this service."
    }
    assert db.session.get(LogEntry, other.id).owner_id is None


def test_empty_assignments_are_refused(world, as_role):
    response = as_role("duty_manager").post(board_url(world), json={"assignments": []})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "assignments": "Length must be between 1 and 200."
    }


# ---- permissions and isolation ----------------------------------------------------------

ASSIGNERS = {"duty_manager", "deputy_manager", "registered_manager"}
CHECKERS = {"care_coordinator", "deputy_manager", "registered_manager"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_boards(world, due_on, as_role, role):
    entry = due_on(MONDAY)
    db.session.commit()
    client = as_role(role)
    board = client.get(board_url(world))
    checks = client.get(checks_url(world) + "?day=2025-01-20")
    assert board.status_code == (200 if role in ASSIGNERS else 403)
    assert checks.status_code == (200 if role in CHECKERS else 403)
    before = counts()
    post = client.post(
        checks_url(world),
        json={
            "day": "2025-01-20",
            "results": [{"entry_id": str(entry.id), "outcome": "not_done", "note": "Not started"}],
        },
    )
    assert post.status_code == (200 if role in CHECKERS else 403)
    if role not in CHECKERS:
        assert post.get_json()["error"]["message"] == (
            "Your role does not allow this (entry.check_completion)."
        )
        assert counts() == before


@pytest.mark.parametrize("role", ["care_coordinator", "senior_carer"])
def test_roles_that_may_not_assign_get_403_and_nothing_changes(world, draft, as_role, role):
    entry = draft(owner_id=None)
    db.session.commit()
    response = as_role(role).post(
        board_url(world),
        json={
            "assignments": [
                {
                    "entry_id": str(entry.id),
                    "owner_id": str(world.users["key_worker"].id),
                    "version": 1,
                }
            ]
        },
    )
    assert response.status_code == 403
    assert (
        response.get_json()["error"]["message"] == "Your role does not allow this (entry.assign)."
    )
    assert db.session.get(LogEntry, entry.id).owner_id is None


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", board_url, None),
        (
            "post",
            board_url,
            {
                "assignments": [
                    {"entry_id": str(uuid.uuid4()), "owner_id": str(uuid.uuid4()), "version": 1}
                ]
            },
        ),
        ("get", checks_url, None),
        (
            "post",
            checks_url,
            {"day": "2025-01-20", "results": [{"entry_id": str(uuid.uuid4()), "outcome": "done"}]},
        ),
    ],
)
def test_another_providers_service_is_404(world, as_role, method, url, data):
    client = as_role("registered_manager")
    kwargs = {"json": data} if data else {}
    response = getattr(client, method)(url(world, world.rival_service), **kwargs)
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "There is no such service."


# ---- an entry's open conflicts ----------------------------------------------------------


def conflict(world, entry, field="decision", status="open", entity_type="log_entry"):
    from server.syncing.models import SyncConflict

    row = SyncConflict(
        service_id=entry.service_id,
        mutation_id=f"m-{uuid.uuid4().hex[:8]}",
        entity_type=entity_type,
        entity_id=str(entry.id),
        field=field,
        kept_value="Checks at 2pm",
        other_value="Checks at 3pm",
        other_author=world.users["senior_carer"].id,
        status=status,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_an_entrys_open_conflicts_are_listed_for_those_who_decide_them(world, draft, as_role):
    entry, other = draft(), draft()
    wanted = conflict(world, entry)
    conflict(world, entry, field="risk", status="resolved")
    conflict(world, other)
    conflict(world, entry, entity_type="finding")
    db.session.commit()
    url = f"/api/v1/entries/{entry.id}/conflicts"

    body = as_role("registered_manager").get(url).get_json()

    assert [c["id"] for c in body["items"]] == [str(wanted.id)]
    assert (body["items"][0]["field"], body["items"][0]["other_value"]) == (
        "decision",
        "Checks at 3pm",
    )
    assert body["total"] == 1
    # A care coordinator reads the entry but does not decide conflicts: none are shown.
    assert as_role("care_coordinator").get(url).get_json()["total"] == 0
    assert as_role("care_worker").get(url).get_json()["items"] == []


def test_conflicts_of_another_providers_entry_are_not_found(world, as_role):
    foreign = LogEntry(
        service_id=world.rival_service.id,
        concern="Theirs",
        source="audit",
        created_by=world.users["registered_manager"].id,
    )
    db.session.add(foreign)
    db.session.commit()
    response = as_role("nominated_individual").get(f"/api/v1/entries/{foreign.id}/conflicts")
    assert response.status_code == 404
