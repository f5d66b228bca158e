"""Record many findings at once: record_finding's checks, written with one INSERT each for
the findings and their audit events.

The sync engine's bulk path calls these for a run of plain creates
(server.syncing.store.SqlStore.create_many). tests/test_sync_bulk.py holds the rows and
audit events they write equal to record_finding's for the same input.
"""

import uuid
from datetime import datetime

from sqlalchemy import insert

from server.accounts.permissions import require
from server.audit.bulk import event_row, record_many
from server.audit.services import Actor
from server.common.access import as_uuid
from server.extensions import db
from server.findings.checks import check_finding, refuse_unknown
from server.findings.models import Finding
from server.findings.services import DEFAULT_SOURCE, FIELDS
from server.providers.models import Service

_COLUMNS = tuple(column.key for column in Finding.__table__.columns)
_SNAPSHOT = FIELDS + ("question", "triage_state")


def finding_row(actor: Actor, service: Service, data: dict, id, now: datetime) -> dict:
    """Return the finding row record_finding would write, or raise what it would raise.

    The caller makes sure ``id`` is new (record_finding's retry-by-id lookup is not here).
    """
    require(actor.user, "finding.create", service)
    refuse_unknown(data, FIELDS)
    values = {
        "action_taken": "", "risk": "low", "follow_up_needed": False, "people_involved": "",
        **{k: v for k, v in data.items() if v is not None},
    }
    values.setdefault("source", DEFAULT_SOURCE.get(values.get("kind"), "other"))
    values.update(check_finding(service, values, set(FIELDS)))
    values.setdefault("recorded_at", now)
    return dict.fromkeys(_COLUMNS) | values | {
        "id": as_uuid(id) if id else uuid.uuid4(), "service_id": service.id,
        "recorded_by": actor.user_id, "received_at": now, "triage_state": "new",
        "version": 1, "deleted_at": None,
    }


def insert_findings(made: list[tuple[Actor, dict]], first_seq: int, now: datetime) -> None:
    """Insert rows from finding_row, numbered from ``first_seq``, with a create event each.

    The caller has taken the change sequence numbers (server.common.changes.allocate).
    """
    if not made:
        return
    for offset, (_, row) in enumerate(made):
        row["change_seq"] = first_seq + offset
    db.session.execute(insert(Finding.__table__), [row for _, row in made])
    record_many([
        event_row(actor, "finding", row["id"], "create",
                  {name: row[name] for name in _SNAPSHOT}, row["service_id"], now)
        for actor, row in made
    ])
