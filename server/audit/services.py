"""Write audit events; every service that changes a record calls record()."""

import uuid
from dataclasses import dataclass

from server.audit.models import AuditEvent
from server.common.batch import complete, insert_rows
from server.common.serial import audit_changes, plain  # noqa: F401  (plain: imported from here too)
from server.extensions import db
from sync.policies import POLICIES


@dataclass(frozen=True)
class Actor:
    """Who is making a change, and through which channel and device."""

    user: object  # server.accounts.models.User
    channel: str = "desk"
    device_id: str | None = None
    mutation_id: str | None = None  # the sync mutation that made the change

    @property
    def user_id(self) -> uuid.UUID:
        return self.user.id


def plain_changes(entity_type: str, changes: dict) -> dict:
    """Make an event's changes JSON-safe: a synced record's fields as its serializer gives
    them (server.common.serial), anything else by ``plain``."""
    if entity_type in POLICIES:
        return audit_changes(entity_type, changes)
    return plain(changes)


def event_row(
    actor: Actor | None,
    entity_type: str,
    entity_id,
    action: str,
    changes: dict | None = None,
    service_id=None,
    channel: str | None = None,
    at=None,
) -> dict:
    """Return the audit_event row of one change; ``changes`` maps field -> [old, new] (or a
    payload), made JSON-safe by ``plain_changes``. Without ``at``, the model's default (now)."""
    row = {
        "actor_id": actor.user_id if actor else None,
        "channel": channel or (actor.channel if actor else "system"),
        "device_id": str(actor.device_id) if actor and actor.device_id else None,
        "mutation_id": actor.mutation_id if actor else None,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "action": action,
        "service_id": service_id,
        "changes": plain_changes(entity_type, changes or {}),
    }
    if at is not None:
        row["at"] = at
    return row


def record_many(rows: list[dict]) -> None:
    """Write audit events (rows from ``event_row``) with one executemany, in order; a column
    a row leaves out (``at``) takes the model's default."""
    table = AuditEvent.__table__
    insert_rows(db.session, table, [complete(table, row) for row in rows])


def record(*args, **kwargs) -> None:
    """Write one audit event, given as to ``event_row``: ``record_many`` of one."""
    record_many([event_row(*args, **kwargs)])


def apply_changes(obj, fields: dict) -> dict:
    """Set attributes on ``obj`` and return {field: [old, new]} for those that changed."""
    changed = {}
    for name, new in fields.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changed[name] = [old, new]
    return changed


def history(entity_type: str, entity_id) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )
