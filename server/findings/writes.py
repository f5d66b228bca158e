"""Record and change findings, in batches: the one write path of findings.

``record_findings`` and ``update_findings`` check each item as the desk does, then write
those that pass with one executemany per table (findings, then their audit events). A desk
call is a batch of one (``record_finding``, ``update_finding``); the sync engine hands over
a run of a push. Rows are built by server.common.batch, so every column a check leaves out
takes the model's default on either path. A refused item is returned as its error and
writes nothing; the rest are written.
"""

import uuid

from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from server.accounts.permissions import can, require
from server.audit import services as audit
from server.audit.services import Actor
from server.common import changes as numbering
from server.common import fast_sql
from server.common.access import as_uuid
from server.common.batch import complete, insert_rows
from server.common.types import utcnow
from server.errors import Conflict, Forbidden, Invalid, NotFound, RuleBroken
from server.extensions import db
from server.findings.checks import check_finding, refuse_unknown
from server.findings.models import Finding
from server.findings.schemas import FINDING_EDITABLE, FindingSchema
from server.providers.models import Service

# Every field a finding is written with: those set on create, then those an update may
# change (FINDING_EDITABLE), in one order for the rows and the audit snapshot.
FIELDS = ("walkaround_id", "kind", *FINDING_EDITABLE, "recorded_at")
EDITABLE = FINDING_EDITABLE
DEFAULT_SOURCE = {
    "walkaround_issue": "walkaround",
    "feedback": "feedback",
    "positive_practice": "walkaround",
    "visibility_check": "visibility_check",
}
REFUSALS = (RuleBroken, Invalid, Forbidden, NotFound)
"""The errors a batch returns for the item it refuses (a moved version stops the batch)."""

_ALL_FIELDS = frozenset(FIELDS)
_TABLE = Finding.__table__
_SNAPSHOT = FIELDS + ("question", "triage_state")
# The model's defaults of the fields a finding is recorded with (risk, action taken…).
_FIELD_DEFAULTS = tuple(
    (key, value) for key, value in complete(_TABLE, {}).items() if key in _ALL_FIELDS
)


def _existing(model, record_id, actor: Actor, service: Service, author_field: str):
    """Return the record a retried create already made, or None when the id is new."""
    if record_id is None:
        return None
    found = db.session.get(model, as_uuid(record_id))
    if found is None:
        return None
    if getattr(found, author_field) != actor.user_id or found.service_id != service.id:
        raise Invalid(
            "This id is already used by another record; create it with a new id.",
            {"id": "Already used by another record."},
        )
    return found


def record_finding(actor: Actor, service: Service, data: dict, id=None) -> Finding:
    """Record a finding; a repeat with the same id by the same user returns the first."""
    require(actor.user, "finding.create", service)
    existing = _existing(Finding, id, actor, service, "recorded_by")
    if existing is not None:
        return existing
    (row,) = record_findings([(actor, service, data, id)])
    if isinstance(row, Exception):
        raise row
    return db.session.get(Finding, row["id"])


def record_findings(items: list[tuple]) -> list:
    """Record new findings: ``items`` are (actor, service, data, id) with ``id`` new (or
    None). Return, in order, each finding's row as written, or the error that refused it.
    """
    now, out, made = utcnow(), [], []
    allowed: dict = {}  # (user, service) -> the refusal, or None: the same for each item
    for actor, service, data, id in items:
        key = (actor.user, service)  # the objects themselves: hashed without a UUID's hash
        if key not in allowed:
            allowed[key] = _refusal(require, actor.user, "finding.create", service)
        try:
            if allowed[key] is not None:
                raise allowed[key]
            row = _new_row(actor, service, data, id, now)
        except REFUSALS as exc:
            out.append(exc)
            continue
        made.append((actor, row))
        out.append(row)
    if made:
        _insert(made, now)
    return out


def _refusal(check, *args) -> Exception | None:
    try:
        check(*args)
    except REFUSALS as exc:
        return exc
    return None


def _new_row(actor: Actor, service: Service, data: dict, id, now) -> dict:
    if not data.keys() <= _ALL_FIELDS:
        refuse_unknown(data, FIELDS)
    values = {k: v for k, v in data.items() if v is not None}
    for key, default in _FIELD_DEFAULTS:  # what the checks see of a field left out
        if key not in values:
            values[key] = default
    if values.get("source") is None:
        values["source"] = DEFAULT_SOURCE.get(values.get("kind"), "other")
    values.update(check_finding(service, values, _ALL_FIELDS))
    if values.get("recorded_at") is None:
        values["recorded_at"] = now
    values.update(
        id=as_uuid(id) if id else uuid.uuid4(),
        service_id=service.id,
        recorded_by=actor.user_id,
        received_at=now,
        triage_state="new",
        version=1,
        deleted_at=None,
    )
    return complete(_TABLE, values)


def _insert(made: list[tuple[Actor, dict]], now) -> None:
    db.session.flush()  # a walkaround made just before: its findings refer to it
    first = numbering.take(db.session(), len(made))
    for seq, (_, row) in enumerate(made, first):
        row["change_seq"] = seq
    insert_rows(db.session, _TABLE, [row for _, row in made])
    audit.record_many(
        [
            audit.event_row(
                actor, "finding", row["id"], "create", snapshot(row), row["service_id"], at=now
            )
            for actor, row in made
        ]
    )


def snapshot(finding) -> dict:
    """The create event's changes: a finding's fields (a row or a Finding)."""
    if isinstance(finding, dict):
        return {name: finding.get(name) for name in _SNAPSHOT}
    return {name: getattr(finding, name) for name in _SNAPSHOT}


def _dump(finding: Finding) -> dict:
    return FindingSchema().dump(finding)


def update_finding(actor: Actor, finding: Finding, base_version: int, changes: dict) -> Finding:
    """Change a finding's details: its author while it is new, or a manager who triages."""
    (result,) = update_findings([(actor, finding, base_version, changes)])
    if isinstance(result, Exception):
        raise result
    return finding


def update_findings(items: list[tuple]) -> list:
    """Change findings: ``items`` are (actor, finding, base_version, changes). Return, in
    order, each Finding as changed, or the error that refused it (which writes nothing).

    A finding whose version moved on stops the batch (Conflict, or StaleDataError when the
    row moved on behind its loaded copy), as an ORM flush would: nothing is written.
    """
    out, made = [], []
    services: dict = {}
    roles: dict = {}  # (user, service) -> what the user may do there: the same for each item
    for actor, finding, base_version, change in items:
        if finding.service_id not in services:
            services[finding.service_id] = db.session.get(Service, finding.service_id)
        service = services[finding.service_id]
        key = (actor.user_id, finding.service_id)
        if key not in roles:
            roles[key] = _may_edit(actor, service)
        try:
            values = checked_update(actor, finding, service, base_version, change, roles[key])
        except REFUSALS as exc:
            out.append(exc)
            continue
        changed = {}
        for name, new in values.items():
            old = getattr(finding, name)
            if old != new:
                changed[name] = [old, new]
        if changed:
            made.append((actor, finding, changed))
        out.append(finding)
    if made:
        _update(made)
    return out


def _update(made: list[tuple]) -> None:
    """Write each finding's changed values at the version it was read at, numbered, with an
    update event each; the loaded findings then hold the new values."""
    first, now = numbering.take(db.session(), len(made)), utcnow()
    groups: dict[tuple, list] = {}  # the same columns changed: one executemany
    for seq, (_, finding, changed) in enumerate(made, first):
        values = [new for _, new in changed.values()]
        values += [finding.version + 1, seq, finding.id, finding.version]
        groups.setdefault(tuple(changed), []).append(values)
    for names, rows in groups.items():
        written = fast_sql.update_versioned(
            db.session, _TABLE, names + ("version", "change_seq"), rows
        )
        if written != len(rows):
            raise StaleDataError(f"finding: {len(rows)} rows at their read version expected")
    for seq, (_, finding, changed) in enumerate(made, first):
        for name, (_, new) in changed.items():
            set_committed_value(finding, name, new)
        set_committed_value(finding, "version", finding.version + 1)
        set_committed_value(finding, "change_seq", seq)
    audit.record_many(
        [
            audit.event_row(
                actor, "finding", finding.id, "update", changed, finding.service_id, at=now
            )
            for actor, finding, changed in made
        ]
    )


def checked_update(
    actor: Actor,
    finding: Finding,
    service: Service,
    base_version: int,
    changes: dict,
    may: tuple[bool, bool] | None = None,
) -> dict:
    """Check an update; return the values it sets (some may be equal to the finding's).
    ``may`` is _may_edit's answer for the actor and service, when the caller has it."""
    require_editable(actor, finding, service, may)
    if base_version != finding.version:
        raise Conflict(
            "This finding was changed since you loaded it. Here is the current copy.",
            current=_dump(finding),
        )
    refuse_unknown(changes, EDITABLE)
    values = {name: getattr(finding, name) for name in FIELDS} | changes
    return changes | check_finding(service, values, set(changes))


def _may_edit(actor: Actor, service: Service) -> tuple[bool, bool]:
    """Whether the actor may triage findings in the service, and record them there."""
    user = actor.user
    return can(user, "finding.triage", service), can(user, "finding.create", service)


def require_editable(
    actor: Actor, finding: Finding, service: Service, may: tuple[bool, bool] | None = None
) -> None:
    """Raise Forbidden unless the actor may change this finding as it stands: its author
    while it is new, or a manager who triages. ``may``: _may_edit's answer, if known."""
    triage, create = may or _may_edit(actor, service)
    if triage:
        return
    if finding.recorded_by != actor.user_id or not create:
        raise Forbidden(
            "Only the person who recorded this finding, or a manager who "
            "triages findings, may change it.",
            action="finding.triage",
        )
    if finding.triage_state == "withdrawn":
        raise Forbidden("This finding has been withdrawn.", action="finding.create")
    if finding.triage_state != "new":
        raise Forbidden(
            "This finding has been triaged; ask a manager to change it.", action="finding.triage"
        )
