"""Sync receipts: each mutation's outcome, kept under its device and mutation id, so that a
mutation sent again is answered from here and never applied twice."""

import uuid

from server.common.batch import complete, insert_rows
from server.extensions import db
from server.syncing.models import Receipt
from sync import store as port


def read(device_id: str, mutation_ids) -> dict[str, dict]:
    """Return the stored outcomes of those of ``mutation_ids`` seen before, by id."""
    if not mutation_ids:
        return {}
    rows = db.session.execute(
        db.select(Receipt.mutation_id, Receipt.outcome).where(
            Receipt.device_id == uuid.UUID(device_id),
            Receipt.mutation_id.in_(list(mutation_ids)),
        )
    )
    return {mutation_id: dict(outcome) for mutation_id, outcome in rows}


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
