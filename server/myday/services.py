"""My day: what is waiting for the signed-in person, so nobody has to go looking for it.

Everyone sees their own overdue and due-today actions, challenges on the entries they own
(and, for a service's managers, on the service's entries) and entries newly handed to
them. By what their roles allow, people also see new findings to triage, entries waiting
for their check or their sign-off (server.myday.queues), overdue entries in the services
they oversee, and reviews due. Days are Europe/London calendar days; an action is overdue
from the day after it was due (server.log.flags, the log's one definition).
"""

import uuid
from datetime import date, datetime, timedelta

from server.accounts.permissions import can
from server.audit.models import AuditEvent
from server.common.dates import london_date
from server.common.rendering import day as long_day
from server.common.types import utcnow
from server.extensions import db
from server.log.flags import OVERDUE_STATUSES, is_entry_overdue
from server.log.guards import is_challenge_answered
from server.log.models import LogEntry
from server.myday import queues
from server.myday.queues import entry_item as _entry_item
from server.oversight.cadence import review_cadence
from server.oversight.grip import plural
from server.providers.models import Provider, Service
from server.providers.services import names_of, visible_services
from server.reviews.models import Review, ReviewItem

CHALLENGE_DAYS = 14
ASSIGNMENT_DAYS = 3
REVIEW_SOON_DAYS = 2
MANAGER_ACTIONS = ("finding.triage", "oversight.read")
# Whoever runs a service's weekly review answers challenges on any of its entries.
MANAGES = "review.rm"
# What an item copies from the review track (oversight.cadence).
REVIEW_KEYS = ("kind", "next_due", "overdue", "days_overdue", "last_review_id")
REVIEW_TRACKS = {
    "rm": ("review.rm", "weekly review"),
    "provider": ("review.provider", "provider's monthly review"),
}


def _my_entries(user, services: dict) -> list[LogEntry]:
    if not services:
        return []
    return list(
        db.session.scalars(
            db.select(LogEntry)
            .where(
                LogEntry.owner_id == user.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.service_id.in_(list(services)),
            )
            .order_by(LogEntry.due_date, LogEntry.created_at, LogEntry.id)
        )
    )


def due_actions(entries: list[LogEntry], services: dict, today: date) -> tuple[list, list]:
    """Split the owner's open work into (overdue, due today)."""
    overdue, due_today = [], []
    for entry in entries:
        if is_entry_overdue(entry, today):
            late = (today - entry.due_date).days
            reason = (
                f"You own this action and it is overdue by {plural(late, 'day')}: it was due on "
                f"{long_day(entry.due_date)}."
            )
            overdue.append(_entry_item(entry, services, reason, days_overdue=late))
        elif entry.status in OVERDUE_STATUSES and entry.due_date == today:
            reason = "You own this action and it is due today."
            due_today.append(_entry_item(entry, services, reason))
    return overdue, due_today


def _events(entries: list[LogEntry], since: datetime) -> list[AuditEvent]:
    if not entries:
        return []
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.entity_type == "log_entry",
                AuditEvent.entity_id.in_([str(e.id) for e in entries]),
                AuditEvent.at >= since,
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


def challenges(user, entries: list[LogEntry], services: dict, now: datetime) -> list[dict]:
    """Challenges of the last 14 days not answered yet (log.guards: a later note from anyone
    but the challenger, or the entry marked done again), sign-off challenges and review
    challenges from the audit trail and review items with no challenge event behind them, on
    the user's own entries and on every entry of a service they manage; never the user's own
    challenges."""
    since = now - timedelta(days=CHALLENGE_DAYS)
    mine = [e.id for e in entries]
    managed = [sid for sid, s in services.items() if can(user, MANAGES, s)]
    found = []  # (entry id, at, by, comment, review_id)
    for event in _challenge_events(mine, managed, since):
        changes = event.changes or {}
        reason, review_id = str(changes.get("reason") or ""), _uuid(changes.get("review_id"))
        found.append((uuid.UUID(event.entity_id), event.at, event.actor_id, reason, review_id))
    seen = {(e, review_id) for e, _, _, _, review_id in found if review_id}
    found += [
        (item.entry_id, review.reviewed_at, review.reviewer_id, item.comment, review.id)
        for item, review in _review_challenges(mine, managed, since)
        if (item.entry_id, review.id) not in seen
    ]
    found = [f for f in found if f[2] != user.id and not is_challenge_answered(f[0], f[2], f[1])]
    by_id = _entries_by_id({f[0] for f in found}, services)
    names = names_of(f[2] for f in found)
    found.sort(key=lambda f: f[1], reverse=True)
    out = []
    for entry_id, at, by, comment, review_id in found:
        entry = by_id.get(entry_id)
        if entry is None:
            continue
        who = names.get(by, "Someone")
        where = "in a review" if review_id else "at sign-off"
        whose = "this entry of yours" if entry.owner_id == user.id else "this entry"
        reason = f"{who} challenged {whose} {where} on {long_day(at)}: {comment}"
        extra = dict(challenged_at=at, challenged_by=who, comment=comment, review_id=review_id)
        out.append(_entry_item(entry, services, reason, **extra))
    return out


def _challenge_events(mine: list, managed: list, since: datetime) -> list[AuditEvent]:
    if not (mine or managed):
        return []
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.entity_type == "log_entry",
                AuditEvent.action == "challenge",
                AuditEvent.at >= since,
                db.or_(
                    AuditEvent.entity_id.in_([str(i) for i in mine]),
                    AuditEvent.service_id.in_(managed),
                ),
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


def _entries_by_id(ids: set, services: dict) -> dict:
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(LogEntry).where(
            LogEntry.id.in_(list(ids)),
            LogEntry.deleted_at.is_(None),
            LogEntry.service_id.in_(list(services)),
        )
    )
    return {e.id: e for e in rows}


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _review_challenges(mine: list, managed: list, since: datetime) -> list:
    if not (mine or managed):
        return []
    return list(
        db.session.execute(
            db.select(ReviewItem, Review)
            .join(Review, Review.id == ReviewItem.review_id)
            .where(
                db.or_(ReviewItem.entry_id.in_(mine), Review.service_id.in_(managed)),
                ReviewItem.outcome == "challenge",
                Review.reviewed_at >= since,
            )
        ).all()
    )


def _new_owner(event: AuditEvent):
    """The owner an audit event gave the entry, if it set one: creates store the value,
    updates and hand-overs store [old, new]."""
    value = (event.changes or {}).get("owner_id")
    if isinstance(value, list):
        return value[1] if len(value) == 2 else None
    return value if event.action == "create" else None


def new_assignments(user, entries: list[LogEntry], services: dict, now: datetime) -> list:
    """Entries that became the user's in the last 3 days and are still theirs and not
    closed; a person does not need telling about an entry they took on themselves."""
    since = now - timedelta(days=ASSIGNMENT_DAYS)
    live = [e for e in entries if e.status != "closed"]
    by_id = {str(e.id): e for e in live}
    latest: dict[str, AuditEvent] = {}
    for event in _events(live, since):  # newest first: keep the latest hand-over only
        if _new_owner(event) == str(user.id) and event.entity_id not in latest:
            latest[event.entity_id] = event
    names = names_of(e.actor_id for e in latest.values())
    out = []
    for entity_id, event in latest.items():
        if event.actor_id == user.id:
            continue
        who = names.get(event.actor_id, "The system")
        reason = f"{who} made you the owner of this entry on {long_day(event.at)}."
        item = _entry_item(
            by_id[entity_id], services, reason, assigned_at=event.at, assigned_by=who
        )
        out.append(item)
    return out


def reviews_due(user, provider: Provider, services: list[Service], today: date) -> list:
    """Reviews the user may record that are overdue or due within two days."""
    oversee = [s for s in services if can(user, "oversight.read", s)]
    if not oversee:
        return []
    by_id = {s.id: s for s in oversee}
    out = []
    for row in review_cadence(provider, list(by_id), today):
        service = by_id[row["service_id"]]
        for track, (action, label) in REVIEW_TRACKS.items():
            due = row[track]
            soon = due["next_due"] <= today + timedelta(days=REVIEW_SOON_DAYS)
            if can(user, action, service) and (due["overdue"] or soon):
                out.append(_review_item(service, due, label, today))
    out.sort(key=lambda r: (r["next_due"], r["service_name"]))
    return out


def _review_item(service: Service, due: dict, label: str, today: date) -> dict:
    if due["overdue"]:
        when = (
            f"was due on {long_day(due['next_due'])}: {plural(due['days_overdue'], 'day')} overdue"
        )
    elif due["next_due"] == today:
        when = "is due today"
    else:
        when = f"is due on {long_day(due['next_due'])}"
    return {
        "service_id": service.id,
        "service_name": service.name,
        **{key: due[key] for key in REVIEW_KEYS},
        "reason": f"The {label} of {service.name}'s log {when}.",
    }


def my_day(user, now: datetime | None = None) -> dict:
    """Return what is waiting for ``user`` today, from the services they may see."""
    now = now or utcnow()
    today = london_date(now)
    services = {s.id: s for s in visible_services(user, "entry.read")}
    entries = _my_entries(user, services)
    overdue, due_today = due_actions(entries, services, today)
    day = {
        "as_of": today,
        "overdue": overdue,
        "due_today": due_today,
        "challenges": challenges(user, entries, services, now),
        "new_assignments": new_assignments(user, entries, services, now),
        "waiting_check": queues.waiting_check(user, services),
        "waiting_sign_off": queues.waiting_sign_off(user, services),
        "sign_off_pending": queues.sign_off_pending(user, services),
        "services_overdue": queues.services_overdue(user, services, today),
        "manager": None,
    }
    managed = {s.id: s for a in MANAGER_ACTIONS for s in visible_services(user, a)}
    if managed:
        ordered = sorted(managed.values(), key=lambda s: (s.name, str(s.id)))
        provider = db.session.get(Provider, user.provider_id)
        day["manager"] = {
            "findings_waiting": queues.findings_waiting(user, managed, now),
            "reviews_due": reviews_due(user, provider, ordered, today),
        }
    day["counts"] = counts(day, queues.sections_for(user, services))
    return day


# Every section My day shows, in the order of its tiles (manager sections last).
SECTIONS = (
    "findings_waiting",
    "waiting_check",
    "waiting_sign_off",
    "sign_off_pending",
    "challenges",
    "overdue",
    "due_today",
    "services_overdue",
    "new_assignments",
    "reviews_due",
)


def counts(day: dict, applies: dict) -> dict:
    """How many records each section lists, for the sections that apply to the person (a
    queue of a step their roles do not allow is left out unless it holds something), and
    the total the menu's badge shows."""
    lists = {**day, **(day["manager"] or {})}
    out = {
        name: len(lists[name])
        for name in SECTIONS
        if name in lists and (applies.get(name, True) or lists[name])
    }
    return {"sections": out, "total": sum(out.values())}
