"""The pull's serialiser of plain table rows gives exactly what records.plain gives from the
models (the shape a device holds and the merge compares), for every synced record type."""

import uuid
from datetime import UTC, datetime

import pytest

from server.extensions import db
from server.syncing import records
from server.syncing.models import SyncConflict
from server.syncing.pull import pull
from server.syncing.store import conflict_of
from tests.support.records import every_record_type

pytestmark = pytest.mark.db


def _every_kind(world):
    """One record of every synced type (tests.support.records) and a conflict on the finding;
    return {(type, id): model}."""
    made = every_record_type(world)
    manager = world.users["registered_manager"]
    finding = next(model for kind, model in made if kind == "finding")
    conflict = SyncConflict(
        id=uuid.uuid4(),
        service_id=world.home.id,
        kind="field",
        mutation_id="m-9",
        entity_type="finding",
        entity_id=str(finding.id),
        field="risk",
        base_value="low",
        kept_value="high",
        kept_author=manager.id,
        other_value="medium",
        other_author=manager.id,
        other_device="device-2",
        other_at=datetime(2026, 11, 27, 19, tzinfo=UTC),
    )
    db.session.add(conflict)
    db.session.commit()
    return {(kind, str(model.id)): model for kind, model in made} | {
        ("conflict", str(conflict.id)): conflict
    }


def test_a_row_serializes_as_its_model_for_every_record_type(world):
    made = _every_kind(world)
    db.session.expire_all()
    for (kind, record_id), model in made.items():
        if kind == "conflict":
            continue
        table = records.MODELS[kind].__table__
        row = (
            db.session.execute(db.select(table).where(table.c.id == uuid.UUID(record_id)))
            .mappings()
            .one()
        )
        statements = [s.id for s in model.statements] if kind == "log_entry" else ()
        assert records.SERIALIZERS[kind].row(row, statements) == records.plain(kind, model), kind
    assert sorted(made[k].deleted_at is not None for k in made) == [False] * 7 + [True]


def test_a_pull_sends_every_record_as_plain_does(world):
    made = _every_kind(world)
    db.session.expire_all()
    body = pull(world.users["registered_manager"], 0, 100)
    sent = {(c["entity_type"], c["id"]): c for c in body["changes"]}
    assert set(sent) == set(made)
    for (kind, record_id), model in made.items():
        change = sent[(kind, record_id)]
        assert (change["version"], change["change_seq"]) == (model.version, model.change_seq)
        if kind == "conflict":
            assert change["record"] == conflict_of(model).to_dict()
        elif model.deleted_at is not None:
            assert (change["deleted"], change["record"]) == (True, None)
        else:
            if kind == "log_entry":  # the puller's open status actions ride along
                assert change["record"].pop("transitions") == ["open"]
            assert change["record"] == records.plain(kind, model), kind
    entry = next(m for (k, _), m in made.items() if k == "log_entry")
    assert len(sent[("log_entry", str(entry.id))]["record"]["statements"]) == 2
