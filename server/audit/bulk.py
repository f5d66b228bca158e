"""Write many audit events with one INSERT: the rows audit.record would add, as dicts.

For the sync engine's bulk path (server.findings.bulk); every other change goes through
server.audit.services.record, one event at a time.
"""

import operator
from datetime import datetime

from server.audit.services import Actor
from server.syncing import rows as driver

COLUMNS = ("at", "actor_id", "channel", "device_id", "mutation_id", "entity_type", "entity_id",
           "action", "service_id", "changes")
_IN_ORDER = operator.itemgetter(*COLUMNS)


def event_row(
    actor: Actor | None,
    entity_type: str,
    entity_id,
    action: str,
    changes: dict | None,
    service_id,
    at: datetime,
) -> dict:
    """Return the audit_event row that ``audit.record`` would add for the same change
    (``changes`` as given: record_many stores them as audit.plain would make them)."""
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
        "changes": changes or {},  # made JSON-safe as audit.plain does, by record_many
    }


def record_many(rows: list[dict]) -> None:
    """Insert event rows made by ``event_row`` in one executemany."""
    if not rows:
        return
    binds = driver.binds()
    as_uuid, as_time, as_json = binds.uuid, binds.time, binds.json
    seen: dict = {}  # a batch's events share their time, actor and service: convert once
    tuples = []
    for row in rows:
        values = row.copy()
        for name, convert in (("at", as_time), ("actor_id", as_uuid), ("service_id", as_uuid)):
            value = values[name]
            key = (name, value)
            if key not in seen:
                seen[key] = convert(value)
            values[name] = seen[key]
        values["changes"] = as_json(values["changes"])
        tuples.append(_IN_ORDER(values))
    driver.insert("audit_event", COLUMNS, tuples, json_columns=("changes",))
