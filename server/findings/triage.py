"""Triage findings into the leadership log (dismiss, link, start a draft) and the inbox.

These are the one write path for triage: the desk's API and the sync engine call them.
"""

from dataclasses import dataclass

from server.accounts.models import User
from server.accounts.permissions import require
from server.audit import services as audit
from server.audit.services import Actor
from server.common import vocab
from server.common.access import as_uuid, get_service
from server.common.types import utcnow
from server.errors import Invalid, NotFound
from server.extensions import db
from server.findings.checks import raise_if
from server.findings.models import Finding
from server.providers.models import Service


def _load_findings(user, finding_ids) -> list[Finding]:
    """Load findings by id in the user's provider; unknown ones are named by position."""
    findings, seen = [], set()
    for index, raw in enumerate(finding_ids):
        finding = db.session.get(Finding, as_uuid(raw, "finding"))
        service = finding and db.session.get(Service, finding.service_id)
        if finding is None or finding.deleted_at or service.provider_id != user.provider_id:
            raise NotFound(
                f"There is no finding {raw}.", {f"finding_ids.{index}": "No such finding."}
            )
        if finding.id not in seen:
            seen.add(finding.id)
            findings.append(finding)
    return findings


def _check_triage(actor: Actor, findings: list[Finding], states: tuple, verb: str) -> Service:
    """All findings from one service the actor triages, each in one of ``states``."""
    if not findings:
        raise Invalid("Choose at least one finding.", {"finding_ids": "Choose at least one."})
    services = {f.service_id for f in findings}
    if len(services) > 1:
        raise Invalid(
            "Triage findings of one service at a time.",
            {"finding_ids": "These findings belong to different services."},
        )
    service = db.session.get(Service, services.pop())
    require(actor.user, "finding.triage", service)
    for index, finding in enumerate(findings):
        if finding.triage_state not in states:
            raise Invalid(
                f"A finding that is {finding.triage_state} cannot be {verb}.",
                {f"finding_ids.{index}": f"Already {finding.triage_state}."},
            )
    return service


def _mark(actor: Actor, finding: Finding, action: str, fields: dict) -> None:
    fields = fields | {"triaged_by": actor.user_id, "triaged_at": utcnow()}
    changed = audit.apply_changes(finding, fields)
    audit.record(actor, "finding", finding.id, action, changed, service_id=finding.service_id)


def dismiss(actor: Actor, findings: list[Finding], reason: str | None) -> list[Finding]:
    """Dismiss new findings with a reason that stays on the record."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "Say why these findings are dismissed: the reason stays on the record.",
            {"reason": "Required when dismissing findings."},
        )
    _check_triage(actor, findings, ("new",), "dismissed")
    for finding in findings:
        _mark(actor, finding, "dismiss", {"triage_state": "dismissed", "dismissed_reason": reason})
    db.session.flush()
    return findings


def link(actor: Actor, findings: list[Finding], entry) -> list[Finding]:
    """Link new or dismissed findings to an entry of their service that is not closed."""
    service = _check_triage(actor, findings, ("new", "dismissed"), "linked")
    if entry.service_id != service.id:
        raise Invalid(
            "Findings can only be linked to an entry of their own service.",
            {"entry_id": "This entry belongs to another service."},
        )
    if entry.status == "closed" or entry.deleted_at is not None:
        raise Invalid(
            "This entry is closed: reopen it, or create a new entry.",
            {"entry_id": "This entry is closed."},
        )
    for finding in findings:
        _mark(
            actor,
            finding,
            "link",
            {
                "triage_state": "linked",
                "log_entry_id": entry.id,
                "dismissed_reason": None,
            },
        )
    audit.record(
        actor,
        "log_entry",
        entry.id,
        "link_findings",
        {"finding_ids": [f.id for f in findings]},
        service_id=service.id,
    )
    db.session.flush()
    return findings


def triage_to_draft(
    actor: Actor, findings: list[Finding], concern: str | None = None, statement_ids=None
):
    """Start a draft entry from findings: their descriptions, common source, highest risk,
    tagged with the quality statements the manager chose (the entry's one write path)."""
    from server.log.services import create_draft

    service = _check_triage(actor, findings, ("new", "dismissed"), "turned into an entry")
    sources = {f.source for f in findings}
    entry = create_draft(
        actor,
        service,
        concern=(concern or "").strip() or "\n".join(f.description for f in findings),
        source=sources.pop() if len(sources) == 1 else "other",
        risk=max((f.risk for f in findings), key=vocab.RISKS.index),
        findings=tuple(findings),
        **({"statement_ids": list(statement_ids)} if statement_ids else {}),
    )
    # create_draft may link the findings itself; link whatever it left.
    pending = [f for f in findings if f.log_entry_id != entry.id]
    if pending:
        link(actor, pending, entry)
    return entry


def triage(
    actor: Actor,
    finding_ids,
    action: str,
    entry_id=None,
    reason=None,
    concern=None,
    statement_ids=None,
):
    """Create an entry from, link, or dismiss findings; return (findings, entry or None)."""
    raise_if(
        {
            name: f"Not used when the action is {action}."
            for name, value, used_by in (
                ("entry_id", entry_id, "link"),
                ("reason", reason, "dismiss"),
                ("concern", concern, "create_entry"),
                ("statement_ids", statement_ids, "create_entry"),
            )
            if value and action != used_by
        }
    )
    findings = _load_findings(actor.user, finding_ids)
    if action == "dismiss":
        return dismiss(actor, findings, reason), None
    if action == "create_entry":
        return findings, triage_to_draft(actor, findings, concern, statement_ids)
    if action != "link":
        raise Invalid(f"Unknown triage action {action}.", {"action": "Unknown action."})
    entry = _load_entry(actor.user, entry_id)
    return link(actor, findings, entry), entry


def _load_entry(user, entry_id):
    from server.log.models import LogEntry

    if entry_id is None:
        raise Invalid(
            "Choose the entry to link these findings to.",
            {"entry_id": "Required when linking findings."},
        )
    entry = db.session.get(LogEntry, as_uuid(entry_id, "entry"))
    service = entry and db.session.get(Service, entry.service_id)
    if entry is None or entry.deleted_at or service.provider_id != user.provider_id:
        raise NotFound("There is no such entry.", {"entry_id": "No such entry."})
    return entry


# ---- the triage inbox --------------------------------------------------------------------


@dataclass
class InboxItem:
    """A new finding with how long it has waited against its risk's escalation time."""

    finding: Finding
    waiting_hours: float
    past_escalation_time: bool
    recorded_by_name: str | None = None

    def __getattr__(self, name):
        return getattr(self.finding, name)


def inbox(user, service_id, now=None) -> dict:
    """New findings grouped by area and source; findings past their escalation time
    come first (highest risk first), then by risk, then oldest first."""
    service = get_service(user, service_id, "finding.read_all")
    hours = service.provider.threshold("escalation_hours")
    now = now or utcnow()
    rows = db.session.scalars(
        db.select(Finding)
        .where(
            Finding.service_id == service.id,
            Finding.triage_state == "new",
            Finding.deleted_at.is_(None),
        )
        .order_by(Finding.received_at, Finding.id)
    )
    items = []
    for finding in rows:
        waited = (now - finding.received_at).total_seconds() / 3600
        items.append(InboxItem(finding, round(waited, 1), waited > hours[finding.risk]))
    items.sort(key=lambda i: (not i.past_escalation_time, -vocab.RISKS.index(i.finding.risk)))
    names = _names({i.finding.recorded_by for i in items})
    for item in items:
        item.recorded_by_name = names.get(item.finding.recorded_by)
    groups: dict[tuple[str, str], list[InboxItem]] = {}
    for item in items:  # sorted, so each group sits where its most urgent finding does
        groups.setdefault((item.finding.area, item.finding.source), []).append(item)
    return {
        "service_id": service.id,
        "total": len(items),
        "past_escalation_time": sum(i.past_escalation_time for i in items),
        "escalation_hours": hours,
        "groups": [
            {
                "area": area,
                "source": source,
                "count": len(members),
                "past_escalation_time": sum(i.past_escalation_time for i in members),
                "findings": members,
            }
            for (area, source), members in groups.items()
        ],
    }


def _names(user_ids: set) -> dict:
    """Return {user id: display name} of the people who recorded the inbox's findings."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        db.select(User.id, User.display_name).where(User.id.in_(sorted(user_ids)))
    )
    return {user_id: name for user_id, name in rows}
