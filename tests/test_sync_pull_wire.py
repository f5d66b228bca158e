"""The pull's raw-row path (server.syncing.wire) sends exactly what records.plain gives, on
the database under test and for every stored form of each value on both dialects; and a
first sync read in small pages (a change window, a dense window, the scope alone) sends
every change in scope once, in order."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from server.audit.services import Actor
from server.common.types import clock_at, utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.findings.services import record_finding
from server.log import services as log
from server.log.models import EvidenceRef, LogEntry, Note
from server.syncing import pull as pulling
from server.syncing import records, wire
from tests.support.records import every_record_type


def _expected(kind: str, model) -> dict:
    deleted = model.deleted_at is not None
    return {
        "entity_type": kind,
        "id": str(model.id),
        "change_seq": model.change_seq,
        "version": model.version,
        "deleted": deleted,
        "record": None if deleted else records.plain(kind, model),
    }


@pytest.mark.db
def test_a_raw_row_makes_the_change_plain_gives_for_every_record_type(world):
    made = every_record_type(world)
    db.session.expire_all()
    dialect = db.engine.dialect
    for kind, model in made:
        table = records.MODELS[kind].__table__
        row = db.session.execute(
            db.select(*wire.raw_columns(table.c)).where(table.c.id == model.id)
        ).one()
        change = _one(wire.page_maker(kind, table, dialect), row)
        if kind == "log_entry":
            assert change["record"]["statements"] == []
            change["record"]["statements"] = sorted(s.id for s in model.statements)
        assert change == _expected(kind, model), kind
    assert made[3][1].deleted_at is not None


@pytest.mark.db
def test_a_pull_sends_every_record_as_plain_does_and_the_route_the_same_json(world, login):
    made = every_record_type(world)
    db.session.expire_all()
    manager = world.users["registered_manager"]
    body = pulling.pull(manager, 0, 100)
    sent = {(c["entity_type"], c["id"]): c for c in body["changes"]}
    entry = next(m for k, m in made if k == "log_entry")
    # A pulled entry also says which status actions the puller may take (a draft: open).
    assert sent[("log_entry", str(entry.id))]["record"].pop("transitions") == ["open"]
    for kind, model in made:
        assert sent[(kind, str(model.id))] == _expected(kind, model), kind
    assert len(sent[("log_entry", str(entry.id))]["record"]["statements"]) == 2

    client = login(manager)
    device = client.post(
        "/api/v1/sync/devices", json={"installation_id": "wire-tablet", "protocol_version": 1}
    ).get_json()["device_id"]
    r = client.get(
        "/api/v1/sync/pull",
        query_string={"cursor": 0, "limit": 100, "device_id": device, "protocol_version": 1},
    )
    assert r.status_code == 200 and r.mimetype == "application/json"
    got = r.get_json()
    for change in got["changes"]:
        if change["entity_type"] == "log_entry":
            assert change["record"].pop("transitions") == ["open"]
    assert got.pop("last_acknowledged") == {"mutation_id": None, "seq": 0}
    assert got["changes"] == body["changes"]
    assert {k: v for k, v in got.items() if k != "changes"} == {
        k: v for k, v in body.items() if k != "changes"
    }


SQLITE, PG = sqlite.dialect(), postgresql.psycopg.dialect()
U = uuid.UUID("8a9e6c8e-3b1f-4c2d-9a7b-0c1d2e3f4a5b")


@pytest.mark.parametrize(
    ("column", "raw", "wire_value"),
    [
        (Finding.__table__.c.id, U.hex, str(U)),
        (Finding.__table__.c.id, U.hex.upper(), str(U)),
        (Finding.__table__.c.id, str(U), str(U)),
        (
            Finding.__table__.c.recorded_at,
            "2026-11-27 18:05:00.000000",
            "2026-11-27T18:05:00+00:00",
        ),
        (
            Finding.__table__.c.recorded_at,
            "2026-11-27 18:05:00.000120",
            "2026-11-27T18:05:00.000120+00:00",
        ),
        (Finding.__table__.c.recorded_at, "2026-11-27 18:05:00", "2026-11-27T18:05:00+00:00"),
        (LogEntry.__table__.c.due_date, "2026-12-04", "2026-12-04"),
        (Finding.__table__.c.follow_up_needed, 1, True),
        (Finding.__table__.c.follow_up_needed, 0, False),
        (Walkaround.__table__.c.areas, '["Lounge", "Garden"]', ["Lounge", "Garden"]),
        (Note.__table__.c.body, "Spoke to the night team", "Spoke to the night team"),
        (EvidenceRef.__table__.c.version, 3, 3),
    ],
)
def test_every_stored_form_on_sqlite_converts_as_sqlalchemy_reads_it(column, raw, wire_value):
    kind = _kind(column)
    got = _converted(column, SQLITE, kind, raw)
    assert got == wire_value
    assert got == records.to_wire(_processed(column, SQLITE, raw), kind)


@pytest.mark.parametrize(
    ("column", "raw", "wire_value"),
    [
        (Finding.__table__.c.id, U, str(U)),
        (
            Finding.__table__.c.recorded_at,
            datetime(2026, 11, 27, 18, 5, tzinfo=UTC),
            "2026-11-27T18:05:00+00:00",
        ),
        # psycopg gives a time in the session's time zone: sent in UTC all the same.
        (
            Finding.__table__.c.recorded_at,
            datetime(2026, 6, 27, 19, 5, 0, 120, tzinfo=UTC).astimezone(
                __import__("zoneinfo").ZoneInfo("Europe/London")
            ),
            "2026-06-27T19:05:00.000120+00:00",
        ),
        (LogEntry.__table__.c.due_date, date(2026, 12, 4), "2026-12-04"),
        (Finding.__table__.c.follow_up_needed, True, True),
        (Walkaround.__table__.c.areas, ["Lounge"], ["Lounge"]),
    ],
)
def test_every_value_psycopg_gives_converts_as_sqlalchemy_reads_it(column, raw, wire_value):
    kind = _kind(column)
    got = _converted(column, PG, kind, raw)
    assert got == wire_value
    assert got == records.to_wire(_processed(column, PG, raw), kind)


def _kind(column) -> str:
    return next(
        rules[column.name].kind
        for name, model in records.MODELS.items()
        if model.__table__ is column.table
        for rules in [pulling.records.POLICIES[name]]
    )


def _processed(column, dialect, raw):
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    return process(raw) if process else raw


def _pages(user, limit: int) -> list[tuple]:
    """Pull from 0 in pages of ``limit``; return every (type, id, change_seq) sent."""
    cursor, sent = 0, []
    for _ in range(200):
        body = pulling.pull(user, cursor, limit)
        assert body["next_cursor"] >= cursor
        sent += [(c["entity_type"], c["id"], c["change_seq"]) for c in body["changes"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return sent
    raise AssertionError("the pull never ended")


@pytest.mark.db
def test_a_first_sync_in_small_pages_sends_every_change_once_in_order(world, monkeypatch):
    carer, other = world.users["senior_carer"], world.users["care_worker"]
    manager = world.users["registered_manager"]
    with clock_at(utcnow() - timedelta(days=40)):  # out of the 28 days: never sent
        for n in range(3):
            record_finding(
                Actor(carer),
                world.home,
                {"kind": "positive_practice", "area": "Lounge", "description": f"old {n}"},
            )
    for n in range(9):  # someone else's: out of a carer's scope, first in change order
        record_finding(
            Actor(other),
            world.home,
            {"kind": "positive_practice", "area": "Lounge", "description": f"theirs {n}"},
        )
    for n in range(14):  # the carer's own, now and then someone else's between them
        author = other if n % 5 == 4 else carer
        record_finding(
            Actor(author),
            world.home,
            {"kind": "positive_practice", "area": "Lounge", "description": f"mine {n}"},
        )
    entry = log.create_draft(
        Actor(manager),
        world.home,
        concern="Bells",
        source="walkaround",
        risk="high",
        owner_id=carer.id,
        due_date=date(2026, 12, 4),
    )
    log.add_note(Actor(manager), entry, "Spoke to the night team")
    db.session.commit()
    everything = _pages(carer, 1000)
    kinds = [c[0] for c in everything]
    assert (kinds.count("finding"), kinds.count("log_entry"), kinds.count("note")) == (12, 1, 1)
    assert [c[2] for c in everything] == sorted(c[2] for c in everything)
    # Every cursor "far behind": the dense window, its fallback and the last window all run.
    monkeypatch.setattr(pulling, "WINDOW", 0)
    modes, statement = set(), pulling._statement

    def seen(entity_type, mode, *rest):
        modes.add(mode)
        return statement(entity_type, mode, *rest)

    monkeypatch.setattr(pulling, "_statement", seen)
    for limit in (1, 2, 3, 5):
        assert _pages(carer, limit) == everything, limit
    assert modes == {"first", "full", "window"}
    assert _pages(manager, 2) == _pages(manager, 1000)


ODD_ROW = {  # every stored form a column may hold, plain and not, in one finding row
    "id": U.hex.upper(),
    "service_id": str(U),
    "walkaround_id": None,
    "recorded_by": U.hex,
    "recorded_at": "2026-11-27 18:05:00",
    "received_at": "2026-11-27 18:05:00.000000",
    "triaged_at": "2026-11-27 18:05:00.000120",
    "follow_up_needed": 2,
    "area": 7,
    "version": 3,
    "change_seq": 41,
    "deleted_at": None,
    "kind": "positive_practice",
}


@pytest.mark.parametrize("dialect", [SQLITE])
def test_the_compiled_maker_converts_each_field_as_its_converter_does(dialect):
    table = Finding.__table__
    row = tuple(ODD_ROW.get(c.name) for c in table.c)
    change = _one(wire.page_maker("finding", table, dialect), row)
    rules = pulling.records.POLICIES["finding"]
    for name, value in ODD_ROW.items():
        expected = _converted(table.c[name], dialect, rules[name].kind, value)
        assert change["record"][name] == expected, name
    assert change["id"] == str(U) and change["change_seq"] == 41 and change["version"] == 3
    gone = _one(
        wire.page_maker("finding", table, dialect),
        tuple(
            ODD_ROW.get(c.name, "2026-11-28 09:00:00.000000")
            if c.name != "deleted_at"
            else "2026-11-28 09:00:00.000000"
            for c in table.c
        ),
    )
    assert gone == {
        "entity_type": "finding",
        "id": str(U),
        "change_seq": 41,
        "version": 3,
        "deleted": True,
        "record": None,
    }


def _one(make, row) -> dict:
    """Return the change of one raw row, made as a page of one."""
    [change] = make([row])
    return change


def _converted(column, dialect, kind: str, raw):
    """Return the wire value of one raw value of ``column``, converted as a page of one."""
    convert = wire.column_converter(column.name, column, dialect, kind)
    return raw if convert is None else convert([raw])[0]
