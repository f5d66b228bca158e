"""The push's bulk path reads which records exist and the batch's receipts in one query each,
and a push of creates really takes that path and reads back like any other write."""

import logging
import uuid
from datetime import UTC, datetime

import pytest

from server.audit.models import AuditEvent
from server.extensions import db
from server.findings.models import Finding
from server.syncing.models import Receipt
from server.syncing.store import SqlStore, present
from tests.support.sync_api import finding_create, push, register

pytestmark = pytest.mark.db


def test_present_and_receipts_read_in_one_query_each(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = register(client)
    batch = [finding_create(device, carer, world.home, n) for n in (1, 2)]
    results = push(client, device, batch).get_json()["results"]
    made = [uuid.UUID(m["entity_id"]) for m in batch]
    other = uuid.uuid4()

    assert present(Finding, [*made, other]) == set(made)
    assert present(Finding, []) == set()
    store = SqlStore(carer)
    ids = [m["mutation_id"] for m in batch] + ["never-sent"]
    assert store.receipts(device, ids) == {
        m["mutation_id"]: r for m, r in zip(batch, results, strict=True)
    }
    assert store.receipts(device, []) == {}
    assert store.receipts(str(uuid.uuid4()), ids) == {}


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
