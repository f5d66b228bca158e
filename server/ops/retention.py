"""Erase records whose retention period has passed; never an open entry or what it needs.

Periods are days, per record type, in the ``RETENTION`` setting (docs/data-protection.md).
An erased record goes with its notes, evidence, history (audit events, sync receipts and
conflicts about it), and one audit event says what was erased, by which rule, with no content.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from server.audit import services as audit
from server.audit.models import AuditEvent
from server.common.types import utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import CarryForward, EvidenceRef, LogEntry, Note, entry_statement
from server.reviews.models import Review, ReviewItem
from server.syncing.models import Receipt, SyncConflict

# Days each kind of record is kept; a provider overrides any of them in RETENTION.
DEFAULT_RETENTION = {
    "finding": 3 * 365,  # findings never linked to an entry, from receipt
    "dismissed_finding": 365,  # dismissed findings, from dismissal
    "closed_entry": 8 * 365 + 2,  # closed entries (with notes, evidence, linked findings)
    "walkaround": 3 * 365,  # walkarounds with no finding left, from the walk
    "review": 8 * 365 + 2,  # reviews of a service's log, from the review
}
LABELS = {
    "finding": "findings never linked to an entry",
    "dismissed_finding": "dismissed findings",
    "closed_entry": "closed entries",
    "walkaround": "walkarounds with no findings",
    "review": "reviews",
}


@dataclass
class Report:
    """What a retention run erased (or, dry, would erase), counted per record type."""

    applied: bool
    counts: dict = field(default_factory=lambda: {name: 0 for name in DEFAULT_RETENTION})
    linked_findings: int = 0
    notes: int = 0
    evidence: int = 0
    audit_events: int = 0

    def lines(self) -> list[str]:
        verb = "Erased" if self.applied else "Would erase"
        out = [f"{verb}:"]
        out += [f"  {LABELS[name]}: {n}" for name, n in self.counts.items()]
        out += [
            f"  with the closed entries: {self.linked_findings} linked findings, "
            f"{self.notes} notes, {self.evidence} evidence references"
        ]
        if self.applied:  # counted as they are deleted, so only known after --apply
            out.append(f"  audit events of erased records: {self.audit_events}")
        return out


def periods() -> dict[str, int]:
    """Return the retention period in days of every record type (settings over defaults)."""
    chosen = dict(DEFAULT_RETENTION)
    chosen.update(current_app.config.get("RETENTION") or {})
    return {name: int(days) for name, days in chosen.items() if name in DEFAULT_RETENTION}


def run(apply: bool = False) -> Report:
    """Find (and with ``apply`` erase) every expired record; flush, never commit."""
    days, now = periods(), utcnow()
    cutoff = {name: now - timedelta(days=n) for name, n in days.items()}
    report = Report(applied=apply)
    eraser = _Eraser(report, apply, days)
    eraser.findings(
        "finding",
        db.session.scalars(
            select(Finding).where(
                Finding.log_entry_id.is_(None),
                Finding.triage_state != "dismissed",
                Finding.received_at < cutoff["finding"],
            )
        ),
    )
    eraser.findings(
        "dismissed_finding",
        db.session.scalars(
            select(Finding).where(
                Finding.log_entry_id.is_(None),
                Finding.triage_state == "dismissed",
                func.coalesce(Finding.triaged_at, Finding.received_at)
                < cutoff["dismissed_finding"],
            )
        ),
    )
    for entry in db.session.scalars(
        select(LogEntry).where(
            LogEntry.status == "closed", LogEntry.closed_at < cutoff["closed_entry"]
        )
    ):
        eraser.entry(entry)
    db.session.flush()
    # A walkaround goes only once no finding refers to it (after the findings above).
    in_use = select(Finding.walkaround_id).where(Finding.walkaround_id.is_not(None))
    for walk in db.session.scalars(
        select(Walkaround).where(
            Walkaround.started_at < cutoff["walkaround"], Walkaround.id.not_in(in_use)
        )
    ):
        eraser.simple("walkaround", walk, walk.service_id)
    for review in db.session.scalars(select(Review).where(Review.reviewed_at < cutoff["review"])):
        eraser.simple("review", review, review.service_id)  # its items go with it
    db.session.flush()
    return report


class _Eraser:
    """Erase records one at a time, keeping the report, and leave an audit event for each."""

    def __init__(self, report: Report, apply: bool, days: dict):
        self.report, self.apply, self.days = report, apply, days

    def findings(self, rule: str, findings) -> None:
        for finding in list(findings):
            self.simple(rule, finding, finding.service_id, entity="finding")

    def simple(self, rule: str, record, service_id, entity: str | None = None) -> None:
        self.report.counts[rule] += 1
        if self.apply:
            self._forget(entity or rule, [record.id], rule, service_id)
            db.session.delete(record)

    def entry(self, entry: LogEntry) -> None:
        """Erase a closed entry with everything that hangs off it."""
        linked = list(db.session.scalars(select(Finding).where(Finding.log_entry_id == entry.id)))
        notes = list(db.session.scalars(select(Note).where(Note.entry_id == entry.id)))
        evidence = list(entry.evidence)
        self.report.counts["closed_entry"] += 1
        self.report.linked_findings += len(linked)
        self.report.notes += len(notes)
        self.report.evidence += len(evidence)
        if not self.apply:
            return
        for finding in linked:
            self._forget("finding", [finding.id], "closed_entry", finding.service_id)
            db.session.delete(finding)
        children = [n.id for n in notes] + [e.id for e in evidence]
        self._forget(
            "log_entry",
            [entry.id, *children],
            "closed_entry",
            entry.service_id,
            {"notes": len(notes), "evidence": len(evidence), "findings": len(linked)},
        )
        for model in (Note, EvidenceRef, CarryForward, ReviewItem):
            db.session.execute(delete(model).where(model.entry_id == entry.id))
        db.session.execute(delete(entry_statement).where(entry_statement.c.entry_id == entry.id))
        db.session.flush()
        db.session.expire(entry)
        db.session.delete(entry)

    def _forget(self, entity: str, ids: list, rule: str, service_id, extra=None) -> None:
        """Delete the history of records, then record their erasure without their content."""
        keys = [str(i) for i in ids]
        removed = db.session.execute(
            delete(AuditEvent).where(AuditEvent.entity_id.in_(keys), AuditEvent.action != "erased")
        )
        self.report.audit_events += removed.rowcount or 0
        db.session.execute(delete(Receipt).where(Receipt.entity_id.in_(keys)))
        db.session.execute(delete(SyncConflict).where(SyncConflict.entity_id.in_(keys)))
        audit.record(
            None,
            entity,
            ids[0],
            "erased",
            {"rule": rule, "retention_days": self.days[rule], **(extra or {})},
            service_id=service_id,
            channel="system",
        )
