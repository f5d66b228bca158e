"""Log entries' creates and field changes, in batches: their one write path.

``create_drafts`` checks each new entry as the desk does, then writes those that pass with
one executemany per table (entries, their quality statements, audit events); the findings
they came from are linked to them. ``update_entries`` changes entries' fields, each in a
savepoint of its own. A desk call is a batch of one (server.log.services.create_draft,
update_entry); the sync store hands over a run of a push. Rows are built by
server.common.batch, so every column a check leaves out takes the model's default on either
path. A refused item is returned as its error and writes nothing; a version that moved on
(Conflict) stops the batch. Status changes stay one at a time (server.log.transitions).
"""

import uuid
from datetime import date
from functools import partial

from server.audit import services as audit
from server.common import changes as numbering
from server.common import vocab
from server.common.batch import complete, insert_rows
from server.common.types import utcnow
from server.errors import Invalid, RuleBroken
from server.extensions import db
from server.findings.models import Finding
from server.framework.models import QualityStatement
from server.log import edits, guards
from server.log.annotations import REFUSALS, write_batch
from server.log.models import ENTRY_FIELDS, CarryForward, LogEntry, entry_statement

DRAFT_FIELDS = (*ENTRY_FIELDS, "findings")
_TABLE = LogEntry.__table__


def create_drafts(items: list[tuple]) -> list:
    """Create draft entries: ``items`` are (actor, service, fields, id) with ``fields``
    those of create_draft and ``id`` new (or None). Return, in order, each entry's row as
    written, or the error that refused it."""
    linking: set = set()  # findings an earlier item of the batch links
    return write_batch(LogEntry, "log entry", items, partial(_draft, linking), _insert)


def _draft(linking: set, actor, service, fields: dict, id, now) -> tuple:
    unknown = sorted(set(fields) - set(DRAFT_FIELDS))
    if unknown:
        raise TypeError(f"Unknown entry fields: {', '.join(unknown)}")
    guards.require(actor.user, "entry.create", service)
    due_date = fields.get("due_date")
    row = {
        "id": id,
        "service_id": service.id,
        "concern": guards.not_blank(fields.get("concern"), "concern", "concern"),
        "source": guards.one_of(fields.get("source"), vocab.SOURCES, "source", "source"),
        "risk": guards.one_of(fields.get("risk", "medium"), vocab.RISKS, "risk", "risk level"),
        "decision": (fields.get("decision") or "").strip(),
        "owner_id": guards.owner_for(service, fields.get("owner_id")),
        "due_date": due_date,
        "original_due_date": due_date,
        "evidence_needed": (fields.get("evidence_needed") or "").strip(),
        "interim_controls": (fields.get("interim_controls") or "").strip(),
        "status": "draft",
        "created_by": actor.user_id,
        "created_at": now,
        "updated_at": now,
    }
    statements = statements_of(fields.get("statement_ids"))
    linked = _findings_to_link(actor, service, fields.get("findings") or (), linking)
    linking.update(f.id for f in linked)
    return complete(_TABLE, row), [s.id for s in statements], linked


def _insert(made: list[tuple], now) -> None:
    """Write the entries and their statements, link their findings, then audit it all."""
    db.session.flush()  # a finding changed just before: the links see it
    first = numbering.take(db.session(), len(made))
    for seq, (_, _, row, _, _) in enumerate(made, first):
        row["change_seq"] = seq
    insert_rows(db.session, _TABLE, [row for _, _, row, _, _ in made])
    insert_rows(
        db.session,
        entry_statement,
        [{"entry_id": r["id"], "statement_id": s} for _, _, r, ids, _ in made for s in ids],
    )
    events = []
    for actor, service, row, statement_ids, linked in made:
        for finding in linked:
            events.append(_link(actor, service, finding, row["id"], now))
        snapshot = {k: row[k] for k in _SNAPSHOT}
        snapshot.update(statement_ids=statement_ids, finding_ids=[f.id for f in linked])
        events.append(
            audit.event_row(actor, "log_entry", row["id"], "create", snapshot, service.id, at=now)
        )
    db.session.flush()  # the findings' links
    audit.record_many(events)


_SNAPSHOT = tuple(name for name in ENTRY_FIELDS if name != "statement_ids")


def _link(actor, service, finding: Finding, entry_id, now) -> dict:
    changes = audit.apply_changes(
        finding,
        {
            "triage_state": "linked",
            "log_entry_id": entry_id,
            "dismissed_reason": None,
            "triaged_by": actor.user_id,
            "triaged_at": now,
        },
    )
    return audit.event_row(actor, "finding", finding.id, "link", changes, service.id, at=now)


def statements_of(ids) -> list[QualityStatement]:
    """The quality statements of ``ids``, in order; Invalid if one is unknown."""
    wanted = list(dict.fromkeys(ids or ()))
    if not wanted:
        return []
    query = db.select(QualityStatement).where(QualityStatement.id.in_(wanted))
    found = {s.id: s for s in db.session.scalars(query)}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise Invalid(
            f"Unknown quality statement: {', '.join(unknown)}.",
            {"statement_ids": f"Unknown quality statement: {', '.join(unknown)}."},
        )
    return [found[i] for i in wanted]


def _findings_to_link(actor, service, findings, linking: set) -> list[Finding]:
    out = []
    for item in findings:
        finding = (
            item
            if isinstance(item, Finding)
            else db.session.get(
                Finding, item if isinstance(item, uuid.UUID) else uuid.UUID(str(item))
            )
        )
        if finding is None or finding.service_id != service.id or finding.deleted_at:
            raise Invalid(
                "A linked finding is not one of this service's findings.",
                {"finding_ids": "Choose findings recorded in this service."},
            )
        if finding.log_entry_id is not None or finding.id in linking:
            raise Invalid(
                "A finding is already linked to another entry.",
                {"finding_ids": "This finding is already linked to an entry."},
            )
        out.append(finding)
    if out:
        guards.require(actor.user, "finding.triage", service)
    return out


def update_entries(items: list[tuple]) -> list:
    """Change entries' fields: ``items`` are (actor, entry, base_version, changes,
    carry_forward_reason). Return each entry, or the error that refused it (its changes
    rolled back); a moved version (Conflict) stops the batch."""
    if len(items) == 1:  # the caller's transaction is the item's: it rolls back on a raise
        try:
            return [update_one(*items[0])]
        except REFUSALS as exc:
            return [exc]
    out = []
    for item in items:
        try:
            with db.session.begin_nested():
                out.append(update_one(*item))
        except REFUSALS as exc:
            out.append(exc)
    return out


def update_one(
    actor, entry: LogEntry, base_version, changes: dict, carry_forward_reason: str | None = None
) -> LogEntry:
    """Change one entry's fields; a moved due date is a carry-forward with a reason."""
    edits.require_edit(actor, entry, changes)
    guards.check_version(entry, base_version)
    changes = edits.clean_changes(entry, guards.service_of(entry), changes)
    override = changes.pop("vague_override_reason", None)
    if entry.status != "draft":
        changes.update(edits.check_open_entry_rules(actor, entry, changes, override))
    before = {"due_date": entry.due_date, "original_due_date": entry.original_due_date}
    if "due_date" in changes:
        _apply_due_date(actor, entry, changes.pop("due_date"), carry_forward_reason)
    changed = {k: [v, getattr(entry, k)] for k, v in before.items() if getattr(entry, k) != v}
    if "statement_ids" in changes:
        old = [s.id for s in entry.statements]
        entry.statements = statements_of(changes.pop("statement_ids"))
        if [s.id for s in entry.statements] != old:
            changed["statement_ids"] = [old, [s.id for s in entry.statements]]
    changed.update(audit.apply_changes(entry, changes))
    if changed:
        audit.record(actor, "log_entry", entry.id, "update", changed, entry.service_id)
        entry.updated_at = utcnow()
    db.session.flush()
    return entry


def _apply_due_date(actor, entry, new: date | None, reason: str | None) -> None:
    old = entry.due_date
    if new == old:
        return
    if old is not None:
        if new is None:
            raise RuleBroken(
                "due_date_cannot_be_removed",
                (
                    "A due date cannot be removed once set. Move it to a new date and give the "
                    "reason instead."
                ),
                {"due_date": "Choose a new date."},
            )
        reason = guards.reason_for(
            reason,
            "carry_forward_needs_reason",
            ("Moving a due date is a carry-forward: say why it is being moved."),
            field="carry_forward_reason",
        )
        entry.carry_forwards.append(
            CarryForward(
                entry_id=entry.id,
                from_date=old,
                to_date=new,
                reason=reason,
                author_id=actor.user_id,
                created_at=utcnow(),
            )
        )
        audit.record(
            actor,
            "log_entry",
            entry.id,
            "carry_forward",
            {"from": old, "to": new, "reason": reason},
            entry.service_id,
        )
    entry.due_date = new
    if entry.original_due_date is None:
        entry.original_due_date = new
