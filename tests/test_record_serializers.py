"""One serializer per record type (server.syncing.records): built as ordinary functions from
the models and the field policy table, and its output is what the documented schemas say,
on the database under test, for every record type."""

import inspect

import pytest
from marshmallow import Schema
from sqlalchemy.dialects import postgresql, sqlite

from server.audit import services as audit
from server.common import serial
from server.common.serial import RecordAnswerSchema
from server.extensions import db
from server.findings.schemas import (
    FindingSchema,
    InboxFindingSchema,
    InboxSchema,
    WalkaroundDetailSchema,
    WalkaroundSchema,
)
from server.findings.services import inbox, walkaround_summary
from server.log.schemas import EntryEvidenceSchema, EntryNoteSchema, EntrySchema
from server.syncing import records, wire
from sync.policies import POLICIES
from tests.support.records import every_record_type

# The REST answer's schema of each record type, and what it carries besides the record's
# own fields (sums, nested records, flags, the person's transitions: not the serializer's).
DOCUMENTED = {
    "finding": (FindingSchema, set()),
    "walkaround": (WalkaroundSchema, {"finding_count", "follow_up_count"}),
    "log_entry": (
        EntrySchema,
        {"statement_ids", "evidence", "carry_forwards", "flags", "transitions"},
    ),
    "note": (EntryNoteSchema, set()),
    "evidence": (EntryEvidenceSchema, set()),
}


def _live(world):
    made = every_record_type(world)
    db.session.expire_all()
    return [(kind, model) for kind, model in made if model.deleted_at is None]


@pytest.mark.db
def test_the_serializer_gives_every_documented_field_as_the_schema_dumps_it(world):
    made = _live(world)
    assert {kind for kind, _ in made} == set(DOCUMENTED)
    for kind, model in made:
        schema, extra = DOCUMENTED[kind]
        dumped = Schema.dump(schema(), model)  # marshmallow's own dump of the schema
        record = records.SERIALIZERS[kind].record(model)
        own = set(dumped) - extra
        assert own <= set(record), (kind, own - set(record))
        assert {name: record[name] for name in own} == {name: dumped[name] for name in own}, kind


def _answered(kind: str, model) -> list[tuple[type, object]]:
    """What a route dumps for the record, with which schema: a walkaround's summary (with
    and without its findings), else the model."""
    if kind == "walkaround":
        return [
            (WalkaroundSchema, walkaround_summary(model)),
            (WalkaroundDetailSchema, walkaround_summary(model, with_findings=True)),
        ]
    return [(DOCUMENTED[kind][0], model)]


def _marshmallow_serialized(*args, **kwargs):
    pytest.fail("marshmallow dumped the record")


@pytest.mark.db
@pytest.mark.parametrize("kind", sorted(DOCUMENTED))
def test_a_rest_answer_is_made_by_the_serializer_as_marshmallow_would(world, kind, monkeypatch):
    models = [m for k, m in _live(world) if k == kind]
    assert models
    made = records.SERIALIZERS[kind]
    cases = [case for model in models for case in _answered(kind, model)]
    expected = []
    for schema, obj in cases:
        assert issubclass(schema, RecordAnswerSchema)
        dumped = Schema.dump(schema(), obj)  # marshmallow's own dump of the schema
        assert schema().dump(obj) == dumped
        assert schema(many=True).dump([obj, obj]) == [dumped, dumped]
        record = made.record(getattr(obj, "walkaround", obj))
        own = set(dumped) - DOCUMENTED[kind][1] - {"findings"}
        assert {name: dumped[name] for name in own} == {name: record[name] for name in own}
        expected.append(dumped)
    # The answer is the serializer's (the extra parts on top), not marshmallow's.
    for schema, _obj in cases:
        monkeypatch.setattr(schema, "_serialize", _marshmallow_serialized)
    assert [schema().dump(obj) for schema, obj in cases] == expected


@pytest.mark.db
def test_the_inbox_answer_is_made_by_the_serializer_as_marshmallow_would(world, monkeypatch):
    _live(world)
    body = inbox(world.users["registered_manager"], world.home.id)
    items = [item for group in body["groups"] for item in group["findings"]]
    assert items
    expected = [Schema.dump(InboxFindingSchema(), item) for item in items]
    assert {"waiting_hours", "past_escalation_time", "description"} <= set(expected[0])
    monkeypatch.setattr(InboxFindingSchema, "_serialize", _marshmallow_serialized)
    assert InboxFindingSchema(many=True).dump(items) == expected
    groups = InboxSchema().dump(body)["groups"]
    assert [finding for group in groups for finding in group["findings"]] == expected


@pytest.mark.db
def test_every_form_of_a_record_is_the_same_record(world):
    """From the model, from a plain row, from a raw pull row; and back to the model's values."""
    dialect = db.engine.dialect
    for kind, model in _live(world):
        serializer = records.SERIALIZERS[kind]
        table = serializer.table
        expected = serializer.record(model)
        statements = expected.get("statements", [])
        row = db.session.execute(db.select(table).where(table.c.id == model.id)).mappings().one()
        assert serializer.row(row, statements) == expected, kind
        raw = db.session.execute(
            db.select(*wire.raw_columns(table.c)).where(table.c.id == model.id)
        ).one()
        [change] = wire.page_maker(kind, table, dialect)([raw])
        if "statements" in expected:
            change["record"]["statements"] = statements
        assert change["record"] == expected, kind
        python = serializer.python({k: v for k, v in expected.items() if k in POLICIES[kind]})
        for name in POLICIES[kind]:
            if name != "statements":
                assert python[name] == getattr(model, name), (kind, name)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
def test_the_serializers_are_closures_not_generated_source(dialect):
    for kind, serializer in records.SERIALIZERS.items():
        make = wire.page_maker(kind, serializer.table, dialect)
        assert inspect.getsourcefile(make) == inspect.getsourcefile(wire), kind
        assert make([]) == []
    assert "exec(" not in inspect.getsource(wire)
    assert "compile(" not in inspect.getsource(wire)


@pytest.mark.db
def test_a_schema_with_more_than_the_record_dumps_as_marshmallow_does(world):
    findings = [m for k, m in _live(world) if k == "finding"]
    summaries = [
        {name: getattr(f, name) for name in FindingSchema().fields} | {"waiting_hours": 1.5}
        for f in findings
    ]
    expected = Schema.dump(InboxFindingSchema(many=True), summaries)
    assert InboxFindingSchema(many=True).dump(iter(summaries)) == expected
    assert expected[0]["waiting_hours"] == 1.5
    # Given something other than a model, a record's own schema dumps as marshmallow does.
    plain = [dict(s) for s in summaries]
    assert FindingSchema(many=True).dump(iter(plain)) == Schema.dump(
        FindingSchema(many=True), plain
    )


@pytest.mark.db
def test_an_audit_event_holds_a_records_fields_as_its_serializer_gives_them(world, monkeypatch):
    for kind, model in _live(world):
        names = [name for name in POLICIES[kind] if name != "statements"]
        snapshot = {name: getattr(model, name) for name in names}
        update = {name: [None, value] for name, value in snapshot.items()}
        other = {"reason": "Typo", "deleted": [False, True], "from": model.id}
        for changes in (snapshot, update, other, snapshot | other):
            event = audit.event_row(None, kind, model.id, "update", changes)
            assert event["changes"] == audit.plain(changes), kind  # the same JSON as before
    # A synced record's field goes through the serializer; any other value does not.
    monkeypatch.setitem(serial._OUT, "uuid", lambda value: f"wire:{value}")
    walk = next(model for kind, model in _live(world) if kind == "walkaround")
    changes = {"service_id": [None, walk.service_id], "entry": walk.id}
    made = audit.event_row(None, "walkaround", walk.id, "update", changes)["changes"]
    assert made == {"service_id": [None, f"wire:{walk.service_id}"], "entry": str(walk.id)}
    made = audit.event_row(None, "user", walk.id, "update", changes)["changes"]
    assert made == {"service_id": [None, str(walk.service_id)], "entry": str(walk.id)}
