"""Write many audit events with one INSERT: the rows audit.record would add, as dicts.

For the sync engine's bulk path (server.findings.bulk); every other change goes through
server.audit.services.record, one event at a time.
"""

from datetime import datetime

from server.audit.services import Actor
from server.syncing import rows as driver

COLUMNS = (
    "at",
    "actor_id",
    "channel",
    "device_id",
    "mutation_id",
    "entity_type",
    "entity_id",
    "action",
    "service_id",
    "changes",
)


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


def insert_rows(rows: list[tuple]) -> None:
    """Insert event rows already in the driver's form, in COLUMNS order (``changes`` as
    JSON text from ``Binds.json``), in one executemany."""
    driver.insert("audit_event", COLUMNS, rows, json_columns=("changes",))


def record_many(rows: list[dict]) -> None:
    """Insert event rows made by ``event_row`` in one executemany."""
    if not rows:
        return
    binds = driver.binds()
    as_time, as_actor = remembering(binds.time), remembering(binds.uuid)
    as_service = remembering(binds.uuid)
    as_json = binds.json
    insert_rows(
        [
            (
                as_time(row["at"]),
                as_actor(row["actor_id"]),
                row["channel"],
                row["device_id"],
                row["mutation_id"],
                row["entity_type"],
                row["entity_id"],
                row["action"],
                as_service(row["service_id"]),
                as_json(row["changes"]),
            )
            for row in rows
        ]
    )


def remembering(convert):
    """Return ``convert`` remembering its last value: a batch's events share their time,
    actor and service (the same objects), so each is converted about once."""
    last = [object(), None]

    def converted(value):
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted
