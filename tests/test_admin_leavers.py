"""Leavers: deactivation hands over open entries, ends sessions and withdraws tablets."""

import uuid

import pytest

from seed import factories as f
from server.accounts.models import User
from server.audit.models import AuditEvent
from server.extensions import db
from server.log.models import LogEntry
from server.syncing.models import Device
from tests.support import admin as shared
from tests.support.admin import (
    PASSWORD,
    audit_actions,
    count,
    open_entry,
)

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: this one comes from tests/support/admin.py.
other_client = shared.other_client


def register_tablet(c, installation="tablet-0001") -> str:
    r = c.post(
        "/api/v1/sync/devices",
        json={"installation_id": installation, "label": "Lounge tablet", "protocol_version": 1},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


@pytest.mark.parametrize("manager", ["provider_admin", "registered_manager"])
def test_a_leaver_is_deactivated_and_their_open_entries_handed_over(
    world, login, client, other_client, manager
):
    leaver, heir = world.users["senior_carer"], world.users["care_coordinator"]
    entries = [open_entry(world, leaver, s) for s in ("open", "draft", "closed")]
    leaver_client = other_client(leaver)
    device = register_tablet(leaver_client)
    assert leaver_client.get("/api/v1/me").status_code == 200

    login(world.users[manager])
    r = client.post(
        f"/api/v1/admin/users/{leaver.id}/deactivate", json={"reassign_to": str(heir.id)}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["active"] is False and body["reassigned_to"] == str(heir.id)
    assert body["reassigned_entry_ids"] == [str(entries[0].id), str(entries[1].id)]
    assert body["revoked_device_ids"] == [device]

    db.session.commit()  # end the read: other browsers wrote meanwhile
    owners = [db.session.get(LogEntry, e.id).owner_id for e in entries]
    assert owners == [heir.id, heir.id, leaver.id]  # a closed entry keeps its history
    # A manager who runs the log reassigns as any owner change; the provider admin, who
    # manages people but not the log, hands over with the leaving recorded as the reason.
    action, extra = (
        ("update", {})
        if manager == "registered_manager"
        else ("hand_over", {"reason": [None, "The previous owner left the service."]})
    )
    for entry in entries[:2]:
        event = db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.entity_id == str(entry.id), AuditEvent.action == action
            )
        ).one()
        assert event.changes == {"owner_id": [str(leaver.id), str(heir.id)], **extra}
        assert event.actor_id == world.users[manager].id
    assert db.session.get(Device, uuid.UUID(device)).revoked_by == world.users[manager].id
    assert audit_actions(leaver.id)[-1] == "deactivate"

    # Their session ends at once, their tablet is refused, and they cannot log in again.
    assert leaver_client.get("/api/v1/me").status_code == 401
    r = client.post("/api/v1/auth/logout")
    r = client.post("/api/v1/auth/login", json={"email": leaver.email, "password": PASSWORD})
    assert r.status_code == 401


def test_a_leaver_without_open_entries_needs_no_heir(world, login, client):
    leaver = world.users["care_worker"]
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{leaver.id}/deactivate", json={})
    assert r.status_code == 200 and r.get_json()["reassigned_entry_ids"] == []
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(User, leaver.id).active is False


@pytest.mark.parametrize(
    "heir, message",
    [
        (None, "Choose an active member of staff to take over their open entries."),
        ("leaver", "Choose an active member of staff other than the leaver."),
        ("unknown", "Choose an active member of staff other than the leaver."),
        ("inactive", "Choose an active member of staff other than the leaver."),
        ("rival", "Choose an active member of staff other than the leaver."),
        ("beech", "Choose someone who works in Ashdown House."),
        ("admin", "Choose someone who works in Ashdown House."),
    ],
)
def test_a_missing_or_unsuitable_heir_is_refused_and_nothing_changes(
    world, login, client, other_client, heir, message
):
    leaver = world.users["senior_carer"]
    entry = open_entry(world, leaver)
    candidates = {
        None: None,
        "leaver": leaver.id,
        "unknown": uuid.uuid4(),
        "inactive": f.make_user(world.provider, "care_worker", world.home).id,
        "rival": f.make_user(world.rival, "care_worker", world.rival_service).id,
        "beech": f.make_user(world.provider, "care_worker", world.other).id,
        "admin": world.users["provider_admin"].id,
    }
    db.session.get(User, candidates["inactive"]).active = False
    db.session.commit()
    leaver_client = other_client(leaver)
    device = register_tablet(leaver_client)
    events = count(AuditEvent)
    login(world.users["provider_admin"])
    r = client.post(
        f"/api/v1/admin/users/{leaver.id}/deactivate",
        json={"reassign_to": candidates[heir] and str(candidates[heir])},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"reassign_to": message}
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(LogEntry, entry.id).owner_id == leaver.id
    assert db.session.get(User, leaver.id).active is True
    assert db.session.get(Device, uuid.UUID(device)).revoked_at is None
    assert count(AuditEvent) == events
    assert leaver_client.get("/api/v1/me").status_code == 200


def test_nobody_deactivates_themselves(world, login, client):
    admin = world.users["provider_admin"]
    login(admin)
    assert client.post(f"/api/v1/admin/users/{admin.id}/deactivate", json={}).status_code == 403
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(User, admin.id).active


def test_a_registered_manager_cannot_deactivate_someone_who_also_works_elsewhere(
    world, login, client
):
    both = f.make_user(
        world.provider, "care_worker", world.home, extra_roles=[("care_worker", world.other)]
    )
    db.session.commit()
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{both.id}/deactivate", json={})
    assert r.status_code == 403
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(User, both.id).active


# -- passwords ---------------------------------------------------------------------------


def test_the_leavers_open_entries_are_listed_with_who_could_take_each_over(world, login, client):
    leaver = world.users["senior_carer"]
    entries = [open_entry(world, leaver, s) for s in ("open", "draft", "closed")]
    login(world.users["registered_manager"])
    r = client.get(f"/api/v1/admin/users/{leaver.id}/open-entries")
    assert r.status_code == 200, r.get_json()
    items = r.get_json()["items"]
    assert [i["id"] for i in items] == [str(entries[0].id), str(entries[1].id)]
    assert items[0]["service_name"] == "Ashdown House" and items[0]["status"] == "open"
    assert items[1]["status"] == "draft"
    names = {c["display_name"] for c in items[0]["candidates"]}
    assert leaver.display_name not in names
    assert world.users["care_worker"].display_name in names
    assert world.users["nominated_individual"].display_name in names  # reads every log
    assert world.users["provider_admin"].display_name not in names  # reads no log
    beech = f.make_user(world.provider, "care_worker", world.other)
    db.session.commit()
    assert client.get(f"/api/v1/admin/users/{beech.id}/open-entries").status_code == 403


def test_each_open_entry_can_go_to_a_different_colleague(world, login, client):
    leaver = world.users["senior_carer"]
    first, second = open_entry(world, leaver), open_entry(world, leaver)
    worker, coordinator = world.users["care_worker"], world.users["care_coordinator"]
    login(world.users["registered_manager"])
    r = client.post(
        f"/api/v1/admin/users/{leaver.id}/deactivate",
        json={
            "reassign_to": str(coordinator.id),
            "reassignments": [{"entry_id": str(first.id), "owner_id": str(worker.id)}],
        },
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["reassigned_to"] is None  # not everything went to one person
    assert body["new_owners"] == [
        {"entry_id": str(first.id), "owner_id": str(worker.id)},
        {"entry_id": str(second.id), "owner_id": str(coordinator.id)},
    ]
    db.session.commit()  # end the read: the request wrote meanwhile
    assert db.session.get(LogEntry, first.id).owner_id == worker.id
    assert db.session.get(LogEntry, second.id).owner_id == coordinator.id
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(leaver.id), AuditEvent.action == "deactivate"
        )
    ).one()
    assert event.changes["new_owners"] == {
        str(first.id): str(worker.id),
        str(second.id): str(coordinator.id),
    }


def test_an_entry_left_without_a_new_owner_is_named_and_nothing_changes(world, login, client):
    leaver = world.users["senior_carer"]
    first, second = open_entry(world, leaver), open_entry(world, leaver)
    beech = f.make_user(world.provider, "care_worker", world.other)
    db.session.commit()
    login(world.users["provider_admin"])
    url = f"/api/v1/admin/users/{leaver.id}/deactivate"
    worker = str(world.users["care_worker"].id)

    r = client.post(url, json={"reassignments": [{"entry_id": str(first.id), "owner_id": worker}]})
    assert r.status_code == 422
    assert r.get_json()["error"]["message"] == (
        f"1 of {leaver.display_name}'s open entries has nobody named to take over."
    )
    assert r.get_json()["error"]["fields"] == {
        f"reassignments.{second.id}": "Choose who takes over this entry."
    }
    r = client.post(
        url,
        json={
            "reassign_to": worker,
            "reassignments": [{"entry_id": str(second.id), "owner_id": str(beech.id)}],
        },
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {
        f"reassignments.{second.id}": "Choose someone who works in Ashdown House."
    }
    stray = uuid.uuid4()
    r = client.post(
        url,
        json={
            "reassign_to": worker,
            "reassignments": [{"entry_id": str(stray), "owner_id": worker}],
        },
    )
    assert r.get_json()["error"]["fields"] == {
        f"reassignments.{stray}": "Not an open entry of the leaver."
    }
    db.session.commit()  # end the read: the requests were refused
    assert db.session.get(LogEntry, first.id).owner_id == leaver.id
    assert db.session.get(User, leaver.id).active is True
