"""Record or change many findings at once: record_finding's and update_finding's checks,
written with one executemany each for the findings and their audit events.

The sync engine's bulk path calls these for a run of plain creates or updates
(server.syncing.store.SqlStore.create_many, update_many), with values bound for the
driver by server.syncing.rows. tests/test_sync_bulk.py and tests/test_sync_push_updates.py
hold the rows and audit events they write equal to the one-by-one path's for the same input.
"""

import operator
import uuid
from datetime import datetime

from sqlalchemy import Uuid
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from server.accounts.permissions import require
from server.audit.bulk import event_row, insert_rows, record_many, remembering
from server.audit.services import Actor
from server.common.access import as_uuid
from server.common.types import UTCDateTime
from server.findings.checks import check_finding, refuse_unknown
from server.findings.models import Finding
from server.findings.services import DEFAULT_SOURCE, FIELDS
from server.providers.models import Service
from server.syncing import rows as driver

_COLUMNS = tuple(column.key for column in Finding.__table__.columns)
_SNAPSHOT = FIELDS + ("question", "triage_state")
_ALL_FIELDS = set(FIELDS)
_DEFAULTS = {"action_taken": "", "risk": "low", "follow_up_needed": False, "people_involved": ""}
# Positions in _COLUMNS of the values that need converting for the driver.
_UUIDS = tuple(i for i, c in enumerate(Finding.__table__.columns) if isinstance(c.type, Uuid))
_TIMES = tuple(
    i for i, c in enumerate(Finding.__table__.columns) if isinstance(c.type, UTCDateTime)
)
_IN_ORDER = operator.itemgetter(*_COLUMNS)
_SERVICE, _AUTHOR = _COLUMNS.index("service_id"), _COLUMNS.index("recorded_by")


def may_create(actor: Actor, service: Service) -> None:
    """Raise what record_finding raises when the actor may not record in this service."""
    require(actor.user, "finding.create", service)


def finding_row(
    actor: Actor, service: Service, data: dict, id, now: datetime, permitted: bool = False
) -> dict:
    """Return the finding row record_finding would write, or raise what it would raise.

    The caller makes sure ``id`` is new (record_finding's retry-by-id lookup is not here);
    ``permitted`` says it has already called may_create for this actor and service.
    """
    if not permitted:
        may_create(actor, service)
    if not data.keys() <= _ALL_FIELDS:
        refuse_unknown(data, FIELDS)
    values = _DEFAULTS | {k: v for k, v in data.items() if v is not None}
    if "source" not in values:
        values["source"] = DEFAULT_SOURCE.get(values.get("kind"), "other")
    values.update(check_finding(service, values, _ALL_FIELDS))
    if "recorded_at" not in values:
        values["recorded_at"] = now
    return (
        dict.fromkeys(_COLUMNS)
        | values
        | {
            "id": as_uuid(id) if id else uuid.uuid4(),
            "service_id": service.id,
            "recorded_by": actor.user_id,
            "received_at": now,
            "triage_state": "new",
            "version": 1,
            "deleted_at": None,
        }
    )


def insert_findings(made: list[tuple[Actor, dict]], first_seq: int, now: datetime) -> None:
    """Insert rows from finding_row, numbered from ``first_seq``, with a create event each.

    The caller has taken the change sequence numbers (server.common.changes.take). Both
    tables' rows go straight to driver tuples: a batch shares its time, author and service,
    so each of those is converted about once.
    """
    if not made:
        return
    binds = driver.binds()
    as_uuid, as_time, as_json = binds.uuid, binds.time, binds.json
    # The batch's service and author, again and again: each converted about once.
    as_service, as_author = remembering(as_uuid), remembering(as_uuid)
    now_value = as_time(now)
    tuples, events = [], []
    for seq, (actor, row) in enumerate(made, first_seq):
        row["change_seq"] = seq
        values = list(_IN_ORDER(row))
        for index in _UUIDS:
            value = values[index]
            if value is not None:
                values[index] = (
                    as_service(value)
                    if index == _SERVICE
                    else as_author(value)
                    if index == _AUTHOR
                    else as_uuid(value)
                )
        for index in _TIMES:
            value = values[index]
            if value is not None:
                values[index] = now_value if value is now else as_time(value)
        tuples.append(tuple(values))
        # What audit.bulk.event_row and record_many write for the same create.
        events.append(
            (
                now_value,
                as_author(actor.user.id),
                actor.channel,
                str(actor.device_id) if actor.device_id else None,
                actor.mutation_id,
                "finding",
                str(row["id"]),
                "create",
                as_service(row["service_id"]),
                as_json(_snapshot(row)),
            )
        )
    driver.insert("finding", _COLUMNS, tuples)
    insert_rows(events)


def _snapshot(row: dict) -> dict:
    """Return the create event's changes; recorded_at already as audit.plain writes it."""
    snapshot = {name: row[name] for name in _SNAPSHOT}
    recorded_at = snapshot["recorded_at"]
    if type(recorded_at) is datetime:
        snapshot["recorded_at"] = recorded_at.isoformat()
    return snapshot


def changed_values(finding: Finding, values: dict) -> dict:
    """Return {field: [old, new]} of ``values`` that differ, as audit.apply_changes does."""
    changed = {}
    for name, new in values.items():
        old = getattr(finding, name)
        if old != new:
            changed[name] = [old, new]
    return changed


def update_findings(made: list[tuple[Actor, Finding, dict]], first_seq: int, now: datetime) -> None:
    """Write each ``changed`` (from changed_values) to its finding, numbered from
    ``first_seq``, with an update event each: what update_finding's flush writes.

    Each row is updated only at the version it was read at (the ORM's version check); if
    any is not, StaleDataError, as the ORM raises, and the caller's savepoint rolls back.
    The loaded findings then hold the new values as if read back from the database.
    """
    if not made:
        return
    binds = driver.binds()
    groups: dict[tuple, list] = {}  # the same columns changed: one executemany
    for offset, (_, finding, changed) in enumerate(made):
        names = tuple(changed)
        values = [_bound(binds, name, new) for name, (_, new) in changed.items()]
        values += [finding.version + 1, first_seq + offset, binds.uuid(finding.id), finding.version]
        groups.setdefault(names, []).append(tuple(values))
    for names, rows in groups.items():
        if driver.update("finding", names + ("version", "change_seq"), rows) != len(rows):
            raise StaleDataError(f"finding: {len(rows)} rows at their read version expected")
    for offset, (_, finding, changed) in enumerate(made):
        for name, (_, new) in changed.items():
            set_committed_value(finding, name, new)
        set_committed_value(finding, "version", finding.version + 1)
        set_committed_value(finding, "change_seq", first_seq + offset)
    record_many(
        [
            event_row(actor, "finding", finding.id, "update", changed, finding.service_id, now)
            for actor, finding, changed in made
        ]
    )


def _bound(binds, name: str, value):
    index = _COLUMNS.index(name)
    if index in _UUIDS:
        return binds.uuid(value)
    return binds.time(value) if index in _TIMES else value
