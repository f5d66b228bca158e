"""Write many audit events with one INSERT: the rows audit.record would add, as dicts.

For the sync engine's bulk path (server.findings.bulk); every other change goes through
server.audit.services.record, one event at a time.
"""

from datetime import datetime

from sqlalchemy import insert

from server.audit.models import AuditEvent
from server.audit.services import Actor, plain
from server.extensions import db


def event_row(
    actor: Actor | None,
    entity_type: str,
    entity_id,
    action: str,
    changes: dict | None,
    service_id,
    at: datetime,
) -> dict:
    """Return the audit_event row that ``audit.record`` would add for the same change."""
    return {
        "at": at,
        "actor_id": actor.user_id if actor else None,
        "channel": actor.channel if actor else "system",
        "device_id": str(actor.device_id) if actor and actor.device_id else None,
        "mutation_id": actor.mutation_id if actor else None,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "action": action,
        "service_id": service_id,
        "changes": plain(changes or {}),
    }


def record_many(rows: list[dict]) -> None:
    """Insert event rows made by ``event_row`` in one executemany."""
    if rows:
        db.session.execute(insert(AuditEvent.__table__), rows)
