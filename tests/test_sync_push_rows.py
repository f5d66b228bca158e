"""The push's bulk path binds values itself (server.syncing.rows): every value must reach the
database exactly as SQLAlchemy's own column types would have sent it, on SQLite and on
PostgreSQL, and a push of creates must really take that path."""

import json
import logging
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Uuid

from server.audit.models import AuditEvent
from server.audit.services import plain
from server.common.types import UTCDateTime
from server.extensions import db
from server.findings.models import Finding
from server.syncing import rows
from server.syncing.models import Receipt
from server.syncing.store import SqlStore
from tests.support.sync_api import finding_create, push, register

pytestmark = pytest.mark.db

TIMES = [
    datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 9, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, 15, 250000, tzinfo=timezone(timedelta(hours=1))),
    datetime(2026, 6, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(999, 1, 2, 3, 4, 5, 7, tzinfo=UTC),
]


def _sqlalchemy(type_, value):
    dialect = db.session.get_bind().dialect
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def test_uuids_and_times_are_bound_as_the_column_types_bind_them(app):
    binds = rows.binds()
    for value in [uuid.uuid4(), uuid.UUID(int=0), None]:
        assert binds.uuid(value) == _sqlalchemy(Uuid(), value)
    for value in [*TIMES, None]:
        assert binds.time(value) == _sqlalchemy(UTCDateTime(), value)
    with pytest.raises(ValueError, match="naive"):
        binds.time(datetime(2026, 11, 27, 9))


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
    assert json.loads(rows.to_json(value)) == json.loads(json.dumps(plain(value)))


def test_present_and_receipts_read_in_one_query_each(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [finding_create(device, carer, world.home, n) for n in (1, 2)]
    results = push(client, device, batch).get_json()["results"]
    made = [uuid.UUID(m["entity_id"]) for m in batch]
    other = uuid.uuid4()

    assert rows.present("finding", [*made, other]) == set(made)
    assert rows.present("finding", []) == set()
    store = SqlStore(carer)
    ids = [m["mutation_id"] for m in batch] + ["never-sent"]
    assert store.get_receipts(device, ids) == {
        m["mutation_id"]: r for m, r in zip(batch, results, strict=True)
    }
    assert store.get_receipts(device, []) == {}
    assert store.get_receipts(str(uuid.uuid4()), ids) == {}


def test_a_push_of_creates_is_written_together_and_reads_back_like_any_other(
    client, world, login, caplog
):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [
        finding_create(device, carer, world.home, n, recorded_at="2026-11-27T09:00:00.123456+01:00")
        for n in range(1, 6)
    ]
    with caplog.at_level(logging.INFO, logger="sync.engine"):
        results = push(client, device, batch).get_json()["results"]

    assert [r["status"] for r in results] == ["applied"] * 5
    assert not [r for r in caplog.records if "one by one" in r.getMessage()]
    db.session.expire_all()
    finding = db.session.get(Finding, uuid.UUID(batch[0]["entity_id"]))
    assert finding.recorded_at == datetime(2026, 11, 27, 8, 0, 0, 123456, tzinfo=UTC)
    assert finding.received_at.tzinfo == UTC and finding.follow_up_needed is True
    assert (
        db.session.scalar(
            db.select(Finding.id).where(
                Finding.recorded_at == finding.recorded_at, Finding.id == finding.id
            )
        )
        == finding.id
    )
    receipt = db.session.scalar(
        db.select(Receipt).where(Receipt.mutation_id == batch[0]["mutation_id"])
    )
    assert receipt.outcome == results[0]
    assert receipt.device_id == uuid.UUID(device)
    assert receipt.received_at.tzinfo == UTC and receipt.received_at <= finding.received_at
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.mutation_id == batch[0]["mutation_id"])
    )
    assert event.at == finding.received_at and event.service_id == world.home.id
    assert event.changes["recorded_at"] == "2026-11-27T09:00:00.123456+01:00"  # as sent
    assert event.changes["walkaround_id"] is None and event.changes["follow_up_needed"] is True
