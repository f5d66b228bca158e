"""The leadership log's writes: drafts, edits, carry-forwards, notes, evidence, escalation.

Status changes live in server.log.transitions, what an edit may change in server.log.edits
and reading the log in server.log.listing; they are re-exported here, so that routes and
the sync engine call one module. Every function checks permissions itself, audits what it
changes and flushes; the caller commits.
"""

import uuid
from datetime import date

from server.audit import services as audit
from server.common import vocab
from server.common.types import utcnow
from server.errors import Invalid, RuleBroken
from server.extensions import db
from server.findings.models import Finding
from server.framework.models import QualityStatement
from server.log import annotations, edits, guards
from server.log.edits import require_edit  # noqa: F401  (the sync engine imports it here)
from server.log.listing import list_entries  # noqa: F401  (the routes list through here)
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note
from server.log.transitions import challenge, transition  # noqa: F401  (re-exported)
from server.providers.models import Service

MAX_TEXT = annotations.MAX_TEXT


def _new_id(model, id, label: str) -> uuid.UUID:
    """Return a fresh id, or the client's one if no record holds it yet."""
    if id is None:
        return uuid.uuid4()
    id = id if isinstance(id, uuid.UUID) else uuid.UUID(str(id))
    if db.session.get(model, id) is not None:
        raise Invalid(f"A {label} with this id already exists.", {"id": "Already used."})
    return id


def _statements(ids) -> list[QualityStatement]:
    wanted = list(dict.fromkeys(ids or ()))
    found = (
        {
            s.id: s
            for s in db.session.scalars(
                db.select(QualityStatement).where(QualityStatement.id.in_(wanted))
            )
        }
        if wanted
        else {}
    )
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise Invalid(
            f"Unknown quality statement: {', '.join(unknown)}.",
            {"statement_ids": f"Unknown quality statement: {', '.join(unknown)}."},
        )
    return [found[i] for i in wanted]


def _findings_to_link(actor, service: Service, findings) -> list[Finding]:
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
        if finding.log_entry_id is not None:
            raise Invalid(
                "A finding is already linked to another entry.",
                {"finding_ids": "This finding is already linked to an entry."},
            )
        out.append(finding)
    if out:
        guards.require(actor.user, "finding.triage", service)
    return out


def create_draft(
    actor,
    service: Service,
    *,
    concern: str,
    source: str,
    risk: str = "medium",
    id=None,
    decision: str = "",
    owner_id=None,
    due_date: date | None = None,
    evidence_needed: str = "",
    interim_controls: str = "",
    statement_ids=(),
    findings=(),
) -> LogEntry:
    """Create a draft entry, linking the findings it came from (DESIGN.md rule 1)."""
    guards.require(actor.user, "entry.create", service)
    entry = LogEntry(
        id=_new_id(LogEntry, id, "log entry"),
        service_id=service.id,
        concern=guards.not_blank(concern, "concern", "concern"),
        source=guards.one_of(source, vocab.SOURCES, "source", "source"),
        risk=guards.one_of(risk, vocab.RISKS, "risk", "risk level"),
        decision=(decision or "").strip(),
        owner_id=guards.owner_for(service, owner_id),
        due_date=due_date,
        original_due_date=due_date,
        evidence_needed=(evidence_needed or "").strip(),
        interim_controls=(interim_controls or "").strip(),
        status="draft",
        created_by=actor.user_id,
    )
    entry.statements = _statements(statement_ids)
    linked = _findings_to_link(actor, service, findings)
    db.session.add(entry)
    db.session.flush()
    now = utcnow()
    for finding in linked:
        changes = audit.apply_changes(
            finding,
            {
                "triage_state": "linked",
                "log_entry_id": entry.id,
                "dismissed_reason": None,
                "triaged_by": actor.user_id,
                "triaged_at": now,
            },
        )
        audit.record(actor, "finding", finding.id, "link", changes, service.id)
    audit.record(
        actor,
        "log_entry",
        entry.id,
        "create",
        {
            "concern": entry.concern,
            "source": entry.source,
            "risk": entry.risk,
            "decision": entry.decision,
            "owner_id": entry.owner_id,
            "due_date": entry.due_date,
            "evidence_needed": entry.evidence_needed,
            "interim_controls": entry.interim_controls,
            "statement_ids": [s.id for s in entry.statements],
            "finding_ids": [f.id for f in linked],
        },
        service.id,
    )
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


def update_entry(
    actor, entry: LogEntry, base_version, changes: dict, carry_forward_reason: str | None = None
) -> LogEntry:
    """Change an entry's fields; a moved due date is a carry-forward with a reason."""
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
        entry.statements = _statements(changes.pop("statement_ids"))
        if [s.id for s in entry.statements] != old:
            changed["statement_ids"] = [old, [s.id for s in entry.statements]]
    changed.update(audit.apply_changes(entry, changes))
    if changed:
        audit.record(actor, "log_entry", entry.id, "update", changed, entry.service_id)
        entry.updated_at = utcnow()
    db.session.flush()
    return entry


def hand_over(actor, entry: LogEntry, owner_id, reason: str) -> LogEntry:
    """Give an entry a new owner because its owner is leaving.

    The right comes from managing people (user.manage), not from running the log: the
    provider admin deactivating a leaver must be able to leave nothing without an owner.
    """
    service = guards.require_on_entry(actor, "user.manage", entry)
    changed = audit.apply_changes(entry, {"owner_id": guards.owner_for(service, owner_id)})
    if changed:
        changed["reason"] = [None, reason]
        audit.record(actor, "log_entry", entry.id, "hand_over", changed, entry.service_id)
        entry.updated_at = utcnow()
    db.session.flush()
    return entry


def add_note(actor, entry: LogEntry, body: str, id=None) -> Note:
    """Append a note to an entry: add_notes of one."""
    (row,) = annotations.add_notes([(actor, entry, body, id)])
    if isinstance(row, Exception):
        raise row
    return db.session.get(Note, row["id"])


def add_evidence(
    actor,
    entry: LogEntry,
    *,
    type: str,
    location: str,
    evidence_date: date,
    checked_by,
    description: str = "",
    id=None,
) -> EvidenceRef:
    """Record where evidence for an entry lives: add_evidence_refs of one."""
    fields = {
        "type": type,
        "location": location,
        "evidence_date": evidence_date,
        "checked_by": checked_by,
        "description": description,
    }
    (row,) = annotations.add_evidence_refs([(actor, entry, fields, id)])
    if isinstance(row, Exception):
        raise row
    return db.session.get(EvidenceRef, row["id"])


def record_escalation(
    actor, entry: LogEntry, decision: str, reason: str, base_version=None
) -> LogEntry:
    """Record whether an entry goes to provider level, by whom and why (rule b)."""
    guards.check_version(entry, base_version)
    guards.require_on_entry(actor, "entry.escalate", entry)
    guards.one_of(decision, vocab.ESCALATION_DECISIONS, "decision", "escalation decision")
    reason = guards.reason_for(
        reason,
        "escalation_needs_reason",
        "Say why the entry is, or is not, escalated to provider level.",
    )
    changed = audit.apply_changes(
        entry,
        {
            "escalated": decision == "escalated",
            "escalation_decision": decision,
            "escalation_reason": reason,
            "escalation_by": actor.user_id,
            "escalation_at": utcnow(),
        },
    )
    audit.record(actor, "log_entry", entry.id, "escalation", changed, entry.service_id)
    db.session.flush()
    return entry
