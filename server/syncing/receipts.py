"""Sync receipts: each mutation's outcome, kept under its device and mutation id, so that a
mutation sent again is answered from here and never applied twice."""

import uuid

from server.common import fast_sql
from server.common.batch import complete, insert_rows
from server.extensions import db
from server.syncing.models import Receipt
from sync import store as port


def read(device_id: str, mutation_ids) -> dict[str, dict]:
    """Return the stored outcomes of those of ``mutation_ids`` seen before, by id."""
    table = Receipt.__table__
    rows = fast_sql.select_in(
        db.session,
        table,
        ("mutation_id", "outcome"),
        {"device_id": uuid.UUID(device_id)},
        "mutation_id",
        mutation_ids,
    )
    outcome = table.c.outcome.type
    return {mutation_id: dict(fast_sql.read_value(outcome, value)) for mutation_id, value in rows}


def keep(receipts: list[port.Receipt]) -> None:
    """Store receipts with one executemany (an IntegrityError if one is taken)."""
    table = Receipt.__table__
    devices: dict = {}  # a batch's receipts share their device: parse it once
    rows = []
    for receipt in receipts:
        if receipt.device_id not in devices:
            devices[receipt.device_id] = uuid.UUID(receipt.device_id)
        mutation = receipt.ctx.mutation
        row = {
            "device_id": devices[receipt.device_id],
            "mutation_id": receipt.mutation_id,
            "seq": receipt.seq,
            "entity_type": mutation.entity_type,
            "entity_id": str(mutation.entity_id),
            "outcome": receipt.outcome,
            "received_at": receipt.ctx.now,
        }
        rows.append(complete(table, row))
    insert_rows(db.session, table, rows)
