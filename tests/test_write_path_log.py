"""One write path for the log: a note, an evidence reference or an entry written at the desk
(REST, a batch of one) and ones pushed by a tablet (a run written together) are the same
rows, with the same audit events, and a column a caller leaves out takes the model's own
default on both paths (tests/test_write_path.py holds the same of findings)."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import ColumnDefault

from server.audit.models import AuditEvent
from server.common import batch, dates
from server.extensions import db
from server.log.models import EvidenceRef, LogEntry, Note
from tests.support.log_api import body as entry_body
from tests.support.sync_api import COMPARED_EVENT, mutation, push, register

pytestmark = pytest.mark.db

# Filled by each path from who and when, so never equal between two records.
OWN = ("id", "change_seq", "created_at", "updated_at")
# What an audit event names of the record it made: its own id.
OWN_EVENT = ("note_id", "evidence_id")
PATHS = {"note": ("notes", Note), "evidence": ("evidence", EvidenceRef)}


def _fields(world, kind: str) -> dict:
    if kind == "note":
        return {"body": "Spoke to night staff about the charts"}
    return {
        "type": "observation",
        "location": "Observation record 14",
        "evidence_date": dates.london_today().isoformat(),
        "checked_by": str(world.users["registered_manager"].id),
        "description": "Seen at handover",
    }


def _entry(client, world) -> str:
    made = client.post("/api/v1/entries", json=entry_body(world))
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def _both_paths(client, world, login, kind: str):
    """Add one record at the desk and push two alike from a tablet; return them."""
    url, model = PATHS[kind]
    client = login(world.users["registered_manager"])
    entry_id = _entry(client, world)
    desk = client.post(f"/api/v1/entries/{entry_id}/{url}", json=_fields(world, kind))
    assert desk.status_code == 201, desk.get_json()
    device = register(client)
    rm = world.users["registered_manager"]
    changes = {"entry_id": entry_id, **_fields(world, kind)}
    run = [mutation(device, rm, n, kind, "append", dict(changes)) for n in (1, 2)]
    results = push(client, device, run).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    db.session.expire_all()
    made = db.session.get(model, uuid.UUID(desk.get_json()["id"]))
    pushed = [db.session.get(model, uuid.UUID(m["entity_id"])) for m in run]
    return made, pushed


def _row(record) -> dict:
    table = type(record).__table__
    return {c.key: getattr(record, c.key) for c in table.columns if c.key not in OWN}


def _event(record, action: str) -> AuditEvent:
    key = OWN_EVENT[0] if action == "note" else OWN_EVENT[1]
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action))
    (event,) = [e for e in events if e.changes[key] == str(record.id)]
    return event


def _compared(event: AuditEvent) -> dict:
    out = {k: getattr(event, k) for k in COMPARED_EVENT if k not in ("channel", "device_id")}
    out.pop("mutation_id")
    out["changes"] = {k: v for k, v in event.changes.items() if k not in OWN_EVENT}
    return out


@pytest.mark.parametrize("kind", ["note", "evidence"])
def test_a_desk_record_and_pushed_ones_are_the_same_rows_and_events(client, world, login, kind):
    made, pushed = _both_paths(client, world, login, kind)
    assert _row(pushed[0]) == _row(made) == _row(pushed[1])
    desk, tablet = _event(made, kind), _event(pushed[0], kind)
    assert _compared(tablet) == _compared(desk)
    assert (desk.channel, tablet.channel) == ("desk", "sync")


@pytest.mark.parametrize("kind", ["note", "evidence"])
def test_a_default_added_to_the_model_reaches_rows_of_both_paths(
    client, world, login, monkeypatch, kind
):
    """A column given a Python-side default (here one no check sets) is filled by both
    paths, never left NULL by one of them."""
    moment = datetime(2026, 1, 2, 3, tzinfo=UTC)
    column = PATHS[kind][1].__table__.c.deleted_at
    monkeypatch.setattr(column, "default", ColumnDefault(moment))
    batch._defaults.cache_clear()  # a model's defaults are read once: as at start-up
    try:
        made, pushed = _both_paths(client, world, login, kind)
    finally:
        monkeypatch.undo()
        batch._defaults.cache_clear()
    assert [made.deleted_at] + [p.deleted_at for p in pushed] == [moment] * 3


# ---- entries ------------------------------------------------------------------------------

ENTRY_OWN = OWN + ("version",)


def _entry_as_pushed(world, **fields) -> dict:
    """The desk body's fields, as a tablet sends them in a create."""
    changes = entry_body(world, **fields)
    changes["statements"] = changes.pop("statement_ids", [])
    return changes


def _entries_both_paths(client, world, login, **fields):
    """Create one entry at the desk and push two alike from a tablet; return them."""
    rm = world.users["registered_manager"]
    client = login(rm)
    desk = client.post("/api/v1/entries", json=entry_body(world, **fields))
    assert desk.status_code == 201, desk.get_json()
    device = register(client)
    run = [
        mutation(device, rm, n, "log_entry", "create", _entry_as_pushed(world, **fields))
        for n in (1, 2)
    ]
    results = push(client, device, run).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    db.session.expire_all()
    made = db.session.get(LogEntry, uuid.UUID(desk.get_json()["id"]))
    pushed = [db.session.get(LogEntry, uuid.UUID(m["entity_id"])) for m in run]
    return made, pushed, (client, device)


def _entry_row(entry: LogEntry) -> dict:
    row = {c.key: getattr(entry, c.key) for c in LogEntry.__table__.columns if c.key not in OWN}
    return {**row, "statements": [s.id for s in entry.statements]}


def _entry_event(entry: LogEntry, action: str) -> dict:
    (event,) = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(entry.id), AuditEvent.action == action
        )
    ).all()
    out = {k: getattr(event, k) for k in COMPARED_EVENT if k not in ("channel", "device_id")}
    out.pop("mutation_id")
    return out


def test_a_desk_entry_and_pushed_entries_are_the_same_rows_and_events(client, world, login):
    made, pushed, _ = _entries_both_paths(client, world, login)
    assert _entry_row(pushed[0]) == _entry_row(made) == _entry_row(pushed[1])
    assert _entry_row(made)["statements"] == ["saf-2023:S1"]
    assert _entry_event(pushed[0], "create") == _entry_event(made, "create")


def test_an_entry_default_added_to_the_model_reaches_rows_of_both_paths(
    client, world, login, monkeypatch
):
    """A column given a Python-side default (here one no check sets) is filled by both
    paths, never left NULL by one of them."""
    column = LogEntry.__table__.c.escalation_reason
    monkeypatch.setattr(column, "default", ColumnDefault("not yet decided"))
    batch._defaults.cache_clear()  # a model's defaults are read once: as at start-up
    try:
        made, pushed, _ = _entries_both_paths(client, world, login)
    finally:
        monkeypatch.undo()
        batch._defaults.cache_clear()
    found = [made.escalation_reason] + [p.escalation_reason for p in pushed]
    assert found == ["not yet decided"] * 3


def test_an_entry_changed_at_the_desk_and_by_a_push_ends_the_same(client, world, login):
    made, pushed, (client, device) = _entries_both_paths(client, world, login)
    rm = world.users["registered_manager"]
    changes = {"risk": "high", "interim_controls": "Sensor mat in place"}
    desk = client.patch(
        f"/api/v1/entries/{made.id}",
        json={"version": made.version, **changes},
    )
    assert desk.status_code == 200, desk.get_json()
    run = [
        mutation(device, rm, n, "log_entry", "update", dict(changes), str(p.id), p.version)
        for n, p in enumerate(pushed, 3)
    ]
    for m in run:  # what the tablet last saw: the entry as created
        m["base_values"] = {"risk": "medium", "interim_controls": ""}
    results = push(client, device, run).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    db.session.expire_all()
    entries = [db.session.get(LogEntry, e.id) for e in (made, *pushed)]
    rows = [{k: v for k, v in _entry_row(e).items() if k not in ENTRY_OWN} for e in entries]
    assert rows[0] == rows[1] == rows[2]
    assert (rows[0]["risk"], rows[0]["interim_controls"]) == ("high", "Sensor mat in place")
    assert [e.version for e in entries] == [2, 2, 2]
    events = [_entry_event(e, "update") for e in entries]
    assert events[0] == events[1] == events[2]
