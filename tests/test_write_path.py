"""One write path: a finding recorded at the desk (REST, a batch of one) and findings pushed by
a tablet (a run written together) are the same rows, with the same audit events, and every
column a caller leaves out takes the model's own default on both paths."""

import uuid

import pytest
from sqlalchemy import ColumnDefault

from server.audit.models import AuditEvent
from server.common import batch
from server.common.batch import complete
from server.common.types import clock_at
from server.extensions import db
from server.findings.models import Finding
from tests.support.findings import body
from tests.support.sync_api import COMPARED_EVENT, finding_create, push, register

pytestmark = pytest.mark.db

# Filled by each path from who and when, so never equal between two records.
OWN = ("id", "change_seq", "received_at", "recorded_at")


def _both_paths(client, world, login, **changes) -> tuple[Finding, list[Finding]]:
    """Record one finding at the desk and push two alike from a tablet; return them."""
    carer = world.users["senior_carer"]
    login(carer)
    desk = client.post("/api/v1/findings", json=body(world, **changes))
    assert desk.status_code == 201, desk.get_json()
    device = register(client)
    batch = [finding_create(device, carer, world.home, n) for n in (1, 2)]
    for mutation in batch:  # exactly the desk's fields, nothing more
        mutation["changes"] = _as_pushed(world, changes)
    results = push(client, device, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    db.session.expire_all()
    made = db.session.get(Finding, uuid.UUID(desk.get_json()["id"]))
    pushed = [db.session.get(Finding, uuid.UUID(m["entity_id"])) for m in batch]
    return made, pushed


def _as_pushed(world, changes: dict) -> dict:
    """The desk body's fields, as a tablet sends them in a create."""
    return {k: v for k, v in body(world, **changes).items() if k != "recorded_at"}


def _row(finding: Finding) -> dict:
    return {c.key: getattr(finding, c.key) for c in Finding.__table__.columns if c.key not in OWN}


def test_a_desk_finding_and_pushed_findings_are_the_same_rows_and_events(client, world, login):
    made, pushed = _both_paths(client, world, login)
    assert _row(pushed[0]) == _row(made) == _row(pushed[1])
    events = {
        e.entity_id: e
        for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "create"))
    }
    desk, tablet = events[str(made.id)], events[str(pushed[0].id)]
    compared = [k for k in COMPARED_EVENT if k not in ("channel", "device_id", "mutation_id")]
    strip = ("recorded_at",)
    assert {k: getattr(tablet, k) for k in compared if k != "changes"} == {
        k: getattr(desk, k) for k in compared if k != "changes"
    }
    assert {k: v for k, v in tablet.changes.items() if k not in strip} == {
        k: v for k, v in desk.changes.items() if k not in strip
    }
    assert (desk.channel, tablet.channel) == ("desk", "sync")


def test_every_column_default_is_filled_alike_by_the_desk_and_by_a_push(client, world, login):
    with_default = [c for c in Finding.__table__.columns if c.default is not None]
    assert {c.key for c in with_default} >= {"risk", "action_taken", "triage_state", "version"}
    # Only what a finding needs: every other field is left to its default.
    bare = dict.fromkeys(("action_taken", "risk", "follow_up_needed", "people_involved"))
    made, pushed = _both_paths(client, world, login, **bare)
    defaults = complete(Finding.__table__, {})
    for column in with_default:
        if column.key in OWN:
            continue
        assert getattr(made, column.key) == getattr(pushed[0], column.key), column.key
        assert getattr(made, column.key) == defaults[column.key], column.key


def test_a_default_added_to_the_model_reaches_rows_of_both_paths(client, world, login, monkeypatch):
    """A column given a Python-side default (here one no check sets) is filled by both
    paths, never left NULL by one of them."""
    column = Finding.__table__.c.dismissed_reason
    monkeypatch.setattr(column, "default", ColumnDefault("not dismissed"))
    batch._defaults.cache_clear()  # a model's defaults are read once: as at start-up
    try:
        made, pushed = _both_paths(client, world, login)
    finally:
        monkeypatch.undo()
        batch._defaults.cache_clear()
    assert [made.dismissed_reason] + [p.dismissed_reason for p in pushed] == ["not dismissed"] * 3


def test_an_audit_event_takes_its_time_from_the_model_default(world):
    from datetime import UTC, datetime

    from server.audit import services as audit

    moment = datetime(2026, 11, 27, 9, tzinfo=UTC)
    with clock_at(moment):
        audit.record(None, "finding", uuid.uuid4(), "note", {"body": "x"})
    (event,) = db.session.scalars(db.select(AuditEvent)).all()
    assert (event.at, event.channel, event.changes) == (moment, "system", {"body": "x"})


def test_a_batch_of_updates_asks_a_users_roles_once_per_service(world, monkeypatch):
    from server.audit.services import Actor
    from server.findings import writes

    actor = Actor(world.users["senior_carer"])
    made = writes.record_findings(
        [
            (
                actor,
                world.home,
                {"kind": "walkaround_issue", "area": body(world)["area"], "description": f"d{n}"},
                None,
            )
            for n in range(3)
        ]
    )
    assert not [row for row in made if isinstance(row, Exception)], made
    findings = [db.session.get(Finding, row["id"]) for row in made]
    asked = []
    real_can = writes.can
    monkeypatch.setattr(writes, "can", lambda *args: asked.append(args[1]) or real_can(*args))
    out = writes.update_findings([(actor, f, 1, {"description": "changed"}) for f in findings])
    assert [f.version for f in out] == [2, 2, 2]
    assert sorted(asked) == ["finding.create", "finding.triage"]
