"""A write the database gives up over a lock (a deadlock, a serialisation failure, SQLite's
"database is locked") is run once more from the start; lost twice, it is a 503 with
Retry-After and nothing of it is written. Never a 500, never one mutation at a time inside
a transaction that is gone.

The lost lock is injected where the database would report it: a store write inside the
push (in the one-by-one path and in the bulk path) or the desk's finding update.
"""

import sqlite3
import uuid

import psycopg.errors
import pytest
from sqlalchemy.exc import OperationalError

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings import services as findings
from server.findings.models import Finding, Walkaround
from server.syncing.models import Device, Receipt
from server.syncing.store import SqlStore

PROTOCOL = 1


def deadlock():
    return OperationalError(
        "UPDATE change_counter SET value = value + 1",
        {},
        psycopg.errors.DeadlockDetected("deadlock detected"),
    )


def serialisation_failure():
    return OperationalError(
        "UPDATE finding",
        {},
        psycopg.errors.SerializationFailure("could not serialize access due to concurrent update"),
    )


def database_locked():
    return OperationalError(
        "INSERT INTO finding", {}, sqlite3.OperationalError("database is locked")
    )


def disk_error():
    return OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))


LOST = [deadlock, serialisation_failure, database_locked]


def losing(monkeypatch, owner, name: str, make_error, times: int) -> list:
    """Make ``owner.name`` raise ``make_error()`` on its first ``times`` calls; return the
    list of calls, one item per call."""
    real, calls = getattr(owner, name), []

    def lose(*args, **kwargs):
        calls.append(name)
        if len(calls) <= times:
            raise make_error()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, lose)
    return calls


@pytest.fixture
def tablet(world, login):
    client = login(world.users["senior_carer"])
    device = client.post(
        "/api/v1/sync/devices",
        json={"installation_id": "tablet-0001", "protocol_version": PROTOCOL},
    )
    assert device.status_code == 200, device.get_json()
    client.device_id = device.get_json()["device_id"]
    client.user = world.users["senior_carer"]
    return client


def batch(tablet, service) -> list[dict]:
    """A walkaround (applied on its own), then two findings (written together in bulk)."""
    author, device = str(tablet.user.id), tablet.device_id

    def mutation(seq, entity_type, changes):
        entity_id = str(uuid.uuid4())
        return {
            "mutation_id": f"m-{seq}",
            "device_id": device,
            "seq": seq,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "op": "create",
            "author_id": author,
            "changes": {"service_id": str(service.id), **changes},
        }

    return [
        mutation(
            1, "walkaround", {"kind": "walkaround", "started_at": "2026-11-27T09:00:00+00:00"}
        ),
        *(
            mutation(
                seq,
                "finding",
                {
                    "kind": "walkaround_issue",
                    "area": "Lounge",
                    "source": "walkaround",
                    "description": f"Finding {seq}",
                    "recorded_at": "2026-11-27T09:05:00+00:00",
                },
            )
            for seq in (2, 3)
        ),
    ]


def push(tablet, mutations):
    return tablet.post(
        "/api/v1/sync/push",
        json={"protocol_version": PROTOCOL, "device_id": tablet.device_id, "mutations": mutations},
    )


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def stored():
    db.session.rollback()  # what the request committed
    events = sorted(
        (e.mutation_id, e.action)
        for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.mutation_id.is_not(None))
        )
    )
    return {
        "walkarounds": count(Walkaround),
        "findings": count(Finding),
        "receipts": count(Receipt),
        "events": events,
    }


NOTHING = {"walkarounds": 0, "findings": 0, "receipts": 0, "events": []}


@pytest.mark.db
@pytest.mark.parametrize("make_error", LOST)
@pytest.mark.parametrize("where", ["_change", "_create_findings"])
def test_a_push_that_loses_its_lock_twice_is_a_503_with_retry_after_and_applies_nothing(
    tablet, world, monkeypatch, make_error, where
):
    calls = losing(monkeypatch, SqlStore, where, make_error, times=2)

    response = push(tablet, batch(tablet, world.home))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "error": {
            "code": "busy",
            "fields": {},
            "message": "The server is busy with other changes to the same records. "
            "Nothing was saved; try again in a few seconds.",
        }
    }
    assert calls == [where, where]  # the whole push ran twice, no mutation on its own after
    assert stored() == NOTHING  # not even the walkaround applied before the bulk write
    device = db.session.get(Device, uuid.UUID(tablet.device_id))
    assert (device.last_mutation_id, device.last_mutation_seq) == (None, 0)  # as registered


@pytest.mark.db
@pytest.mark.parametrize("where", ["_change", "_create_findings"])
def test_a_push_that_loses_its_lock_once_runs_again_whole_and_lands_once(
    tablet, world, monkeypatch, where
):
    calls = losing(monkeypatch, SqlStore, where, deadlock, times=1)
    mutations = batch(tablet, world.home)

    response = push(tablet, mutations)

    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [(r["mutation_id"], r["status"]) for r in results] == [
        ("m-1", "applied"),
        ("m-2", "applied"),
        ("m-3", "applied"),
    ]
    assert calls == [where, where]
    assert stored() == {
        "walkarounds": 1,
        "findings": 2,
        "receipts": 3,
        "events": [("m-1", "create"), ("m-2", "create"), ("m-3", "create")],
    }
    assert response.get_json()["last_acknowledged"] == {"mutation_id": "m-3", "seq": 3}
    again = push(tablet, mutations)  # the tablet never heard back, say: nothing twice
    assert [r["status"] for r in again.get_json()["results"]] == ["duplicate"] * 3
    assert stored()["findings"] == 2


@pytest.fixture
def finding(world):
    made = findings.record_finding(
        Actor(world.users["senior_carer"]),
        world.home,
        {
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": "Call bell out of reach",
        },
    )
    db.session.commit()
    return made


def desk_edit(client, finding):
    return client.patch(
        f"/api/v1/findings/{finding.id}",
        json={"base_version": 1, "description": "Call bell moved back"},
    )


def desk_events(finding):
    db.session.rollback()
    return [
        e.changes
        for e in db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.entity_id == str(finding.id), AuditEvent.action == "update"
            )
        )
    ]


@pytest.mark.db
@pytest.mark.parametrize("make_error", LOST)
def test_a_desk_edit_that_loses_its_lock_twice_is_a_503_with_retry_after(
    world, login, finding, monkeypatch, make_error
):
    client = login(world.users["registered_manager"])
    calls = losing(monkeypatch, findings, "update_finding", make_error, times=2)

    response = desk_edit(client, finding)

    assert (response.status_code, response.headers["Retry-After"]) == (503, "5")
    assert response.get_json()["error"]["code"] == "busy"
    assert len(calls) == 2
    assert desk_events(finding) == []
    assert db.session.get(Finding, finding.id).description == "Call bell out of reach"


@pytest.mark.db
def test_a_desk_edit_that_loses_its_lock_once_is_saved_once(world, login, finding, monkeypatch):
    client = login(world.users["registered_manager"])
    calls = losing(monkeypatch, findings, "update_finding", deadlock, times=1)

    response = desk_edit(client, finding)

    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["description"], response.get_json()["version"]) == (
        "Call bell moved back",
        2,
    )
    assert len(calls) == 2
    assert desk_events(finding) == [
        {"description": ["Call bell out of reach", "Call bell moved back"]}
    ]


@pytest.mark.db
def test_any_other_database_error_is_not_retried(world, login, finding, monkeypatch):
    client = login(world.users["registered_manager"])
    calls = losing(monkeypatch, findings, "update_finding", disk_error, times=2)

    with pytest.raises(OperationalError, match="disk I/O error"):
        desk_edit(client, finding)  # the test client raises what would be a 500
    assert len(calls) == 1
