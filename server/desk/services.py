"""The desk's boards: follow-ups without an owner, and the daily completion checks.

Both write through server.log.services (one write path for the desk and the sync engine)
and check every item before changing any, so a pass is applied whole or not at all.
"""

import uuid
from datetime import date

from server.accounts.permissions import require
from server.audit import services as audit
from server.common import dates
from server.common.paging import paged
from server.errors import Conflict, Invalid
from server.extensions import db
from server.findings.models import Finding
from server.log import guards
from server.log import services as log
from server.log.flags import entry_flags
from server.log.models import LogEntry
from server.providers.models import Service

DONE_STATUSES = ("awaiting_check", "awaiting_sign_off", "closed")
OUTCOMES = ("done", "not_done")


def _uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _entries_by_id(service: Service, ids) -> dict:
    wanted = [i for i in (_uuid(v) for v in ids) if i is not None]
    if not wanted:
        return {}
    rows = db.session.scalars(
        db.select(LogEntry).where(
            LogEntry.id.in_(wanted),
            LogEntry.service_id == service.id,
            LogEntry.deleted_at.is_(None),
        )
    )
    return {row.id: row for row in rows}


def _duplicates(field: str, ids) -> None:
    seen: set = set()
    for index, value in enumerate(ids):
        key = _uuid(value) or value
        if key in seen:
            raise Invalid(
                f"Item {index + 1} repeats an entry listed earlier.",
                {f"{field}.{index}.entry_id": "Listed more than once."},
            )
        seen.add(key)


def ownership_board(
    user, service: Service, page: int = 1, per_page: int = 50, findings_page: int = 1
) -> dict:
    """Return a page of the service's entries with no named owner (oldest first) and a
    page of the findings that need a follow-up but have no entry yet."""
    require(user, "entry.assign", service)
    entries = (
        db.select(LogEntry)
        .where(
            LogEntry.service_id == service.id,
            LogEntry.deleted_at.is_(None),
            LogEntry.owner_id.is_(None),
            LogEntry.status != "closed",
        )
        .order_by(LogEntry.created_at, LogEntry.id)
    )
    findings = (
        db.select(Finding)
        .where(
            Finding.service_id == service.id,
            Finding.deleted_at.is_(None),
            Finding.follow_up_needed.is_(True),
            Finding.triage_state == "new",
        )
        .order_by(Finding.received_at, Finding.id)
    )
    return {
        "service_id": service.id,
        "entries": paged(entries, page, per_page),
        "findings": paged(findings, findings_page, per_page),
    }


def entry_conflicts(user, entry: LogEntry):
    """Return a select of the open sync conflicts on ``entry`` that ``user`` may decide."""
    from server.syncing.models import SyncConflict
    from server.syncing.services import conflicts_query

    return conflicts_query(user, entry.service_id, "open").where(
        SyncConflict.entity_type == "log_entry", SyncConflict.entity_id == str(entry.id)
    )


def _check_assignment(service: Service, index: int, item: dict, entry) -> None:
    prefix = f"assignments.{index}"
    if entry is None:
        raise Invalid(
            f"Assignment {index + 1} names an entry that is not in this service.",
            {f"{prefix}.entry_id": "Choose an entry of this service."},
        )
    if entry.status == "closed":
        raise Invalid(
            f"Assignment {index + 1} names a closed entry.",
            {f"{prefix}.entry_id": "This entry is closed."},
        )
    try:
        guards.check_version(entry, item["version"])
    except Conflict as exc:
        raise Conflict(
            f"Assignment {index + 1}: {exc.message}",
            {f"{prefix}.version": exc.fields["version"]},
            current=exc.extra.get("current"),
            index=index,
        ) from exc
    try:
        guards.owner_for(service, item["owner_id"])
    except Invalid as exc:
        raise Invalid(
            f"Assignment {index + 1}: {exc.message}", {f"{prefix}.owner_id": exc.fields["owner_id"]}
        ) from exc


def assign_owners(actor, service: Service, assignments: list[dict]) -> list[LogEntry]:
    """Give several entries a named owner in one step; any bad item refuses them all."""
    require(actor.user, "entry.assign", service)
    if not assignments:
        raise Invalid(
            "Choose at least one entry to assign.", {"assignments": "Give at least one assignment."}
        )
    _duplicates("assignments", [a["entry_id"] for a in assignments])
    found = _entries_by_id(service, [a["entry_id"] for a in assignments])
    entries = [found.get(_uuid(a["entry_id"])) for a in assignments]
    for index, (item, entry) in enumerate(zip(assignments, entries, strict=True)):
        _check_assignment(service, index, item, entry)
    for item, entry in zip(assignments, entries, strict=True):
        log.update_entry(actor, entry, item["version"], {"owner_id": item["owner_id"]})
    return entries


def check_window(day: date) -> tuple[date, date]:
    """Return the first and last due dates checked on ``day``: from the previous working
    day (a Friday's on Monday, over bank holidays) up to ``day`` itself."""
    return dates.previous_working_day(day), day


def is_done(entry: LogEntry) -> bool:
    return entry.status in DONE_STATUSES or entry.completed_on is not None


def unresolved(entry: LogEntry, today: date) -> list[str]:
    """Say in plain words what is still outstanding on an entry being checked."""
    out = []
    if not is_done(entry):
        out.append(f"Not marked done yet (the entry is {entry.status.replace('_', ' ')}).")
    elif entry.status == "awaiting_check":
        out.append("Marked done; waiting for the registered manager to close it on evidence.")
    elif entry.status == "awaiting_sign_off":
        out.append("Waiting for sign-off by the nominated individual or provider quality lead.")
    # The line above already says it waits for a check or sign-off; "past due, waiting"
    # would say it twice.
    out += [f["message"] for f in entry_flags(entry, today) if f["code"] != "past_due_waiting"]
    return out


def _due_for_check(service: Service, day: date) -> list[LogEntry]:
    first, last = check_window(day)
    return db.session.scalars(
        db.select(LogEntry)
        .where(
            LogEntry.service_id == service.id,
            LogEntry.deleted_at.is_(None),
            LogEntry.status != "draft",
            LogEntry.due_date >= first,
            LogEntry.due_date <= last,
        )
        .order_by(LogEntry.due_date, LogEntry.created_at, LogEntry.id)
    ).all()


def completion_checks(user, service: Service, day: date | None = None) -> dict:
    """Return the entries that fell due on the previous working day and on ``day``
    (default today in Europe/London), each done or not and what is unresolved."""
    require(user, "entry.check_completion", service)
    day = day or dates.london_today()
    today = dates.london_today()
    first, last = check_window(day)
    items = [
        {"entry": e, "done": is_done(e), "unresolved": unresolved(e, today)}
        for e in _due_for_check(service, day)
    ]
    return {
        "service_id": service.id,
        "day": day,
        "due_from": first,
        "due_to": last,
        "items": items,
        "done": sum(i["done"] for i in items),
        "not_done": sum(not i["done"] for i in items),
    }


def _check_results(service: Service, day: date, results: list[dict]) -> list[LogEntry]:
    if day > dates.london_today():
        raise Invalid(
            "Completion checks cannot be recorded for a future day.",
            {"day": "Choose today or an earlier day."},
        )
    if not results:
        raise Invalid("Record at least one result.", {"results": "Give at least one result."})
    _duplicates("results", [r["entry_id"] for r in results])
    due = {e.id: e for e in _due_for_check(service, day)}
    entries = []
    for index, item in enumerate(results):
        entry = due.get(_uuid(item["entry_id"]))
        if entry is None:
            raise Invalid(
                f"Result {index + 1} names an entry that is not due for a check "
                f"on {day:%-d %B %Y}.",
                {f"results.{index}.entry_id": "Not due for this check."},
            )
        if item["outcome"] == "not_done" and not (item.get("note") or "").strip():
            raise Invalid(
                f"Result {index + 1}: say what is not done.",
                {f"results.{index}.note": "Write what is still not done."},
            )
        entries.append(entry)
    return entries


def record_completion_checks(actor, service: Service, day: date, results: list[dict]) -> dict:
    """Record a completion-check pass: a note on each entry found not done, one audit
    event for the pass; statuses are left alone (closure stays the manager's)."""
    require(actor.user, "entry.check_completion", service)
    entries = _check_results(service, day, results)
    done = []
    for item, entry in zip(results, entries, strict=True):
        note = (item.get("note") or "").strip()
        if item["outcome"] == "not_done":
            log.add_note(actor, entry, f"Completion check {day.isoformat()}: not done — {note}")
        done.append({"entry_id": entry.id, "outcome": item["outcome"], "note": note})
    changes = {"day": day, "results": done}
    audit.record(actor, "service", service.id, "completion_check", changes, service.id)
    db.session.flush()
    return completion_checks(actor.user, service, day)
