"""The demo's acts, each one call (or a few) into the real service functions.

Every act runs inside the simulated clock (seed.sim.Sim.run), so it reads "now" and
"today" from the simulated moment. Ids come from the simulation's random source so that
two builds make identical records.
"""

from datetime import timedelta

from server.common import dates
from server.common.types import utcnow
from server.extensions import db
from server.findings import services as findings
from server.findings.models import Finding
from server.log import services as log
from server.log.models import LogEntry
from server.measures.services import create_measure
from server.reviews.services import record_review


def finding_item(
    sim,
    kind: str,
    area: str,
    description: str,
    *,
    action: str = "",
    risk: str = "low",
    follow_up: bool = False,
    people: str = "",
    source: str | None = None,
    minutes_ago: int = 10,
    **feedback,
) -> dict:
    """Return the data of one finding as a device would send it."""
    item = {
        "id": sim.new_id(),
        "kind": kind,
        "area": area,
        "description": description,
        "action_taken": action,
        "risk": risk,
        "follow_up_needed": follow_up,
        "people_involved": people,
        "recorded_at": utcnow() - timedelta(minutes=minutes_ago),
    }
    if source:
        item["source"] = source
    item.update(feedback)
    return item


def walk(
    sim,
    service_key: str,
    by: str,
    items: list[dict],
    *,
    kind: str = "walkaround",
    areas: list[str] | None = None,
    minutes: int = 40,
    notes: str = "",
):
    """Record a walkaround (or visibility round) that ended a few minutes ago, with findings."""
    now = utcnow()
    service = sim.services[service_key]
    sim.marks[("recorded", service_key)] = True
    areas = areas or sorted({item["area"] for item in items}) or [service.areas[0]]
    walkaround = findings.record_walkaround(
        sim.actor(by),
        service,
        {
            "kind": kind,
            "started_at": now - timedelta(minutes=minutes + 5),
            "ended_at": now - timedelta(minutes=5),
            "areas": areas,
            "notes": notes,
            "findings": items,
        },
        id=sim.new_id(),
    )
    return walkaround, [db.session.get(Finding, item["id"]) for item in items]


def record(sim, service_key: str, by: str, item: dict) -> Finding:
    """Record one finding made outside a walkaround (feedback, an audit, a desk check)."""
    item = dict(item)
    finding_id = item.pop("id")
    sim.marks[("recorded", service_key)] = True
    return findings.record_finding(sim.actor(by), sim.services[service_key], item, id=finding_id)


def draft(
    sim,
    service_key: str,
    by: str,
    found: list[Finding],
    *,
    concern: str,
    source: str,
    risk: str = "medium",
    **fields,
) -> LogEntry:
    """Create a draft entry from findings (triage), with whatever details are known."""
    return log.create_draft(
        sim.actor(by),
        sim.services[service_key],
        id=sim.new_id(),
        concern=concern,
        source=source,
        risk=risk,
        findings=tuple(found),
        **fields,
    )


def assign_and_open(sim, entry: LogEntry, by: str, owner: str) -> None:
    """The duty manager names the owner before shift end and opens the entry."""
    if entry.owner_id is None:
        log.update_entry(sim.actor(by), entry, entry.version, {"owner_id": sim.user_id(owner)})
    if entry.status == "draft":
        log.transition(sim.actor(by), entry, "open")


def change(sim, entry: LogEntry, by: str, reason: str | None = None, **changes) -> None:
    """Edit an entry; a new due date is a carry-forward with ``reason``."""
    log.update_entry(sim.actor(by), entry, entry.version, changes, carry_forward_reason=reason)


def move(sim, entry: LogEntry, by: str, action: str, reason: str | None = None) -> None:
    log.transition(sim.actor(by), entry, action, base_version=entry.version, reason=reason)


def note(sim, entry: LogEntry, by: str, body: str) -> None:
    log.add_note(sim.actor(by), entry, body, id=sim.new_id())


def evidence(
    sim,
    entry: LogEntry,
    by: str,
    type_: str,
    location: str,
    *,
    checked_by: str | None = None,
    days_ago: int = 0,
    description: str = "",
) -> None:
    log.add_evidence(
        sim.actor(by),
        entry,
        id=sim.new_id(),
        type=type_,
        location=location,
        evidence_date=dates.london_today() - timedelta(days=days_ago),
        checked_by=sim.user_id(checked_by or by),
        description=description,
    )
    # add_evidence does not refresh entry.evidence, which the closure rule reads; one
    # session holds the whole demo, so reload it (reported to the log's owner).
    db.session.expire(entry, ["evidence"])


def escalate(sim, entry: LogEntry, by: str, decision: str, reason: str) -> None:
    log.record_escalation(sim.actor(by), entry, decision, reason)


def review(sim, service_key: str, by: str, kind: str, outcome: str, comment: str, items=()) -> None:
    """Record a review; items are (entry, outcome, comment)."""
    record_review(
        sim.actor(by),
        sim.services[service_key],
        kind=kind,
        outcome=outcome,
        comment=comment,
        id=sim.new_id(),
        items=[{"entry_id": e.id, "outcome": o, "comment": c} for e, o, c in items],
    )


def measure(
    sim,
    service_key: str,
    by: str,
    name: str,
    metric: str,
    baseline: float,
    target: float,
    start_offset: int,
    weeks: int,
):
    start = sim.day(start_offset)
    return create_measure(
        sim.actor(by),
        sim.services[service_key],
        {
            "id": sim.new_id(),
            "name": name,
            "metric": metric,
            "baseline": baseline,
            "target": target,
            "start_date": start,
            "deadline": start + timedelta(weeks=weeks),
        },
    )


def new_findings(
    service, *, exclude=frozenset(), follow_up: bool | None = None, **where
) -> list[Finding]:
    """Return the service's untriaged findings received so far, oldest first."""
    query = (
        db.select(Finding)
        .where(
            Finding.service_id == service.id,
            Finding.triage_state == "new",
            Finding.received_at <= utcnow(),
            *(getattr(Finding, name) == value for name, value in where.items()),
        )
        .order_by(Finding.received_at, Finding.id)
    )
    if follow_up is not None:
        query = query.where(Finding.follow_up_needed.is_(follow_up))
    return [f for f in db.session.scalars(query) if f.id not in exclude]


def open_entries(service, limit: int) -> list[LogEntry]:
    """The service's open entries, soonest due first (what a weekly review looks at)."""
    return list(
        db.session.scalars(
            db.select(LogEntry)
            .where(
                LogEntry.service_id == service.id,
                LogEntry.status.in_(("open", "in_progress", "awaiting_check", "awaiting_sign_off")),
            )
            .order_by(LogEntry.due_date, LogEntry.id)
            .limit(limit)
        )
    )
