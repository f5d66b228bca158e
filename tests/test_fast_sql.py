"""The one module that binds values itself (server.common.fast_sql): every value reaches the
database exactly as SQLAlchemy's own column types would send it, on SQLite and PostgreSQL,
and an insert writes exactly the model's columns."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import JSON, Date, Uuid

from server.audit.models import AuditEvent
from server.audit.services import plain
from server.common import fast_sql
from server.common.batch import complete
from server.common.types import UTCDateTime
from server.extensions import db
from server.findings.models import Finding
from server.syncing.models import Receipt

pytestmark = pytest.mark.db

TIMES = [
    datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 9, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, 15, 250000, tzinfo=timezone(timedelta(hours=1))),
    datetime(2026, 6, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(999, 1, 2, 3, 4, 5, 7, tzinfo=UTC),
]


def _dialect():
    return db.session.get_bind().dialect


def _sqlalchemy(type_, value):
    dialect = _dialect()
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def _ours(type_, value):
    convert = fast_sql.converter(type_, _dialect().name)
    return value if convert is None or value is None else convert(value)


def test_uuids_dates_and_times_are_bound_as_the_column_types_bind_them(app):
    for value in [uuid.uuid4(), uuid.UUID(int=0), None]:
        assert _ours(Uuid(), value) == _sqlalchemy(Uuid(), value)
    for value in [*TIMES, None]:
        assert _ours(UTCDateTime(), value) == _sqlalchemy(UTCDateTime(), value)
    for value in [date(2026, 12, 1), date(1, 1, 1), None]:
        assert _ours(Date(), value) == (_sqlalchemy(Date(), value))
    with pytest.raises(ValueError, match="naive"):
        _ours(UTCDateTime(), datetime(2026, 11, 27, 9))


@pytest.mark.parametrize(
    "value",
    [
        {"description": "Wet floor", "risk": "high", "follow_up_needed": True, "answer": None},
        {"walkaround_id": uuid.uuid4(), "recorded_at": TIMES[2], "due": date(2026, 12, 1)},
        {"people": ("R-1042", "JS"), "nested": {"at": TIMES[1], "amount": Decimal("2.50")}},
        {"name": 'Zoë 😀 "quoted" \\ \x01', "count": 3, "ratio": 0.25, "empty": {}},
        {uuid.UUID(int=1): "not a text key", 7: "an integer key"},
        {"big": 2**70, "list": [1, [2, TIMES[0]]]},
        [TIMES[3], uuid.UUID(int=5)],
    ],
)
def test_json_text_holds_what_the_json_column_would_hold(app, value):
    assert json.loads(fast_sql.to_json(value)) == json.loads(json.dumps(plain(value)))
    assert fast_sql.converter(JSON(), _dialect().name) is fast_sql.to_json


@pytest.mark.parametrize("model", [Finding, AuditEvent, Receipt])
def test_a_complete_row_writes_the_models_columns_in_the_models_order(app, model):
    table = model.__table__
    row = complete(table, dict.fromkeys(c.key for c in table.columns if not c.autoincrement))
    assert fast_sql.columns_written(table, [row]) == tuple(
        c.key for c in table.columns if c.key in row
    )
    assert set(row) <= set(table.c.keys())
    with pytest.raises(KeyError, match="no column"):
        fast_sql.insert(db.session, table, [{"not_a_column": 1}])


def test_rows_inserted_read_back_as_the_orm_wrote_them(world):
    carer = world.users["senior_carer"]
    moment = TIMES[2]
    fast_sql.insert(
        db.session,
        AuditEvent.__table__,
        [
            complete(
                AuditEvent.__table__,
                {
                    "at": moment,
                    "actor_id": carer.id,
                    "channel": "sync",
                    "entity_type": "finding",
                    "entity_id": "x",
                    "action": "create",
                    "service_id": world.home.id,
                    "changes": {"recorded_at": moment.isoformat(), "n": 1},
                },
            )
        ],
    )
    (event,) = db.session.scalars(db.select(AuditEvent)).all()
    assert (event.at, event.actor_id, event.service_id) == (moment, carer.id, world.home.id)
    assert event.changes == {"recorded_at": moment.isoformat(), "n": 1}
    assert db.session.scalar(db.select(AuditEvent.id).where(AuditEvent.at == moment)) == event.id


def test_a_batch_converts_each_column_and_a_repeated_value_once():
    calls = []

    def convert(value):
        calls.append(value)
        return f"<{value}>"

    shared, other = uuid.uuid4(), uuid.uuid4()
    rows = [(shared, 1, None), (shared, 2, other), (other, 3, other), (None, 4, shared)]
    out = fast_sql._converted(rows, (convert, None, convert))
    assert out == [
        (f"<{shared}>", 1, None),
        (f"<{shared}>", 2, f"<{other}>"),
        (f"<{other}>", 3, f"<{other}>"),
        (None, 4, f"<{shared}>"),
    ]
    # The same object as the one above it in its column is converted once; None never.
    assert calls == [shared, other, other, shared]
