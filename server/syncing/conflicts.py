"""Conflicts kept by the sync engine, as rows: keep a new one, record its resolution, and
turn a row back into the engine's Conflict."""

import uuid

from server.audit import services as audit
from server.extensions import db
from server.syncing.models import SyncConflict
from sync.types import Conflict

_FIELDS = (
    "id",
    "kind",
    "entity_type",
    "field",
    "base_value",
    "kept_value",
    "kept_author",
    "kept_device",
    "kept_at",
    "other_value",
    "other_author",
    "other_device",
    "other_at",
    "mutation_id",
    "resolution",
)


def add(conflict: Conflict, service_id) -> None:
    """Keep a new open conflict of a record of ``service_id``, with its audit event."""
    row = SyncConflict(service_id=service_id, status=conflict.status)
    for name in _FIELDS:
        setattr(row, name, getattr(conflict, name))
    row.entity_id = str(conflict.entity_id)
    db.session.add(row)
    db.session.flush()
    audit.record(
        None,
        conflict.entity_type,
        conflict.entity_id,
        "conflict",
        {
            conflict.field: [conflict.kept_value, conflict.other_value],
            "conflict_id": str(conflict.id),
        },
        service_id=service_id,
        channel="sync",
    )


def resolve(row: SyncConflict, resolution: dict, actor, now) -> None:
    """Mark a kept conflict resolved by ``actor`` with ``resolution``, with its audit event."""
    row.status, row.resolution = "resolved", resolution
    row.resolved_by, row.resolved_at = actor.user_id, now
    db.session.flush()
    audit.record(
        actor,
        row.entity_type,
        row.entity_id,
        "resolve_conflict",
        {
            row.field: [row.kept_value, resolution.get("value")],
            "conflict_id": str(row.id),
            "choice": resolution.get("choice"),
        },
        service_id=row.service_id,
    )


def conflict_of(row: SyncConflict) -> Conflict:
    """Return the engine's Conflict for a stored row."""
    values = {name: getattr(row, name) for name in _FIELDS}
    return Conflict(
        **values, entity_id=uuid.UUID(row.entity_id), service_id=row.service_id, status=row.status
    )
