"""Helpers shared by the early-warning tests: a fixed clock and records made directly."""

from datetime import UTC, date, datetime, timedelta

from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import CarryForward, EvidenceRef, LogEntry
from server.log.signal_scope import load_scope
from server.oversight.warnings import scope_warnings

# Monday 16 March 2026, noon; London is on GMT until 29 March, so UTC days are London days.
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)


def early_warnings(provider, service_ids=None, today=None, now=None, *, refs=None) -> list:
    """Return every early warning of the provider's services (or of ``service_ids``)."""
    return scope_warnings(load_scope(provider, service_ids, today, now, refs))


def at(days_ago: float = 0, hours_ago: float = 0) -> datetime:
    return NOW - timedelta(days=days_ago, hours=hours_ago)


def _saved(record):
    """Add a record straight to the session (no service, no audit) and flush it."""
    db.session.add(record)
    db.session.flush()
    return record


def make_entry(world, service=None, **fields) -> LogEntry:
    values = {
        "service_id": (service or world.home).id,
        "concern": "Repositioning charts incomplete",
        "source": "audit",
        "decision": "Senior carer checks charts at 2pm daily",
        "owner_id": world.users["senior_carer"].id,
        "due_date": TODAY + timedelta(days=7),
        "evidence_needed": "Charts audit",
        "risk": "medium",
        "status": "open",
        "created_by": world.users["registered_manager"].id,
        "created_at": at(10),
        "opened_at": at(10),
    }
    values.update(fields)
    values.setdefault("original_due_date", values["due_date"])
    if values["status"] == "closed":  # closed yesterday: inside weak closure's window
        values.setdefault("closed_at", at(1))
    return _saved(LogEntry(**values))


def make_finding(world, service=None, **fields) -> Finding:
    values = {
        "service_id": (service or world.home).id,
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": "Call bell out of reach",
        "recorded_by": world.users["care_worker"].id,
        "recorded_at": at(1),
        "received_at": at(1),
    }
    values.update(fields)
    return _saved(Finding(**values))


def make_walkaround(world, service=None, **fields) -> Walkaround:
    values = {
        "service_id": (service or world.home).id,
        "kind": "walkaround",
        "conducted_by": world.users["deputy_manager"].id,
        "started_at": at(1),
        "areas": ["Lounge"],
    }
    values.update(fields)
    return _saved(Walkaround(**values))


def carry(world, entry, times: int) -> None:
    due = entry.due_date
    for _ in range(times):
        db.session.add(
            CarryForward(
                entry_id=entry.id,
                from_date=due,
                to_date=due + timedelta(days=7),
                reason="Staff off sick",
                author_id=world.users["registered_manager"].id,
            )
        )
        due += timedelta(days=7)
    db.session.flush()


def add_evidence(world, entry, type_: str, day: date) -> None:
    user = world.users["registered_manager"].id
    db.session.add(
        EvidenceRef(
            entry_id=entry.id,
            type=type_,
            location="Audit file",
            evidence_date=day,
            checked_by=user,
            added_by=user,
        )
    )
    db.session.flush()


def of(world, signal, **kwargs):
    kwargs.setdefault("now", NOW)
    return [w for w in early_warnings(world.provider, **kwargs) if w.signal == signal]


def refs(*records, kind="log_entry"):
    return tuple((kind, r.id) for r in records)


def set_threshold(world, **values):
    world.provider.thresholds = {**(world.provider.thresholds or {}), **values}
    db.session.flush()
