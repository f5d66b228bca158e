"""My day's queues: the records that wait for the signed-in person's next step.

- findings waiting: every new finding in a service where the person may triage, from the
  moment it syncs, high risk first (then those past their escalation time, then oldest);
  a provider lead, who oversees but does not triage, gets the high-risk ones that have
  waited past the escalation time (theirs to chase);
- waiting for my check: entries marked done ("awaiting check") in a service where the
  person may decide the check (both close it and send it back);
- waiting for my sign-off: high-risk closures ("awaiting sign-off") where the person may
  sign off and did not record the closure or check its evidence (the same rule the
  sign-off itself enforces, server.log.guards);
- my entries waiting for sign-off: high-risk entries the person owns or closed that wait
  for someone else's sign-off (theirs to chase, and to know about);
- overdue in my services: entries of the services the person oversees that are overdue by
  the log's one definition, other than their own (those are in "Your overdue actions").
Each queue is one of the log's figures (server.log.figures), within the person's services.
"""

from datetime import date, datetime

from server.accounts.permissions import can
from server.audit.services import Actor
from server.common import vocab
from server.common.rendering import day as long_day
from server.extensions import db
from server.findings.triage import inbox
from server.log import guards
from server.log.figures import clause
from server.log.models import LogEntry
from server.oversight.grip import plural
from server.providers.models import Service

FINDING_KEYS = ("description", "area", "source", "risk", "received_at")
ENTRY_KEYS = ("concern", "due_date", "status", "risk", "service_id")


def entry_item(entry: LogEntry, services: dict, reason: str, **extra) -> dict:
    """An entry as My day lists it: enough to show it and link to it, and why it is listed."""
    return {
        "entry_id": entry.id,
        **{key: getattr(entry, key) for key in ENTRY_KEYS},
        "service_name": services[entry.service_id].name,
        "reason": reason,
        **extra,
    }


def _entries(service_ids, *conditions) -> list[LogEntry]:
    if not service_ids:
        return []
    return list(
        db.session.scalars(
            db.select(LogEntry)
            .where(
                LogEntry.service_id.in_(list(service_ids)),
                LogEntry.deleted_at.is_(None),
                *conditions,
            )
            .order_by(LogEntry.due_date, LogEntry.created_at, LogEntry.id)
        )
    )


def _where(user, services: dict, *actions) -> list:
    return [sid for sid, s in services.items() if all(can(user, a, s) for a in actions)]


# The queues of a step only some roles take: the permissions the step needs.
STEPS = {
    "waiting_check": ("entry.close", "entry.send_back"),
    "waiting_sign_off": ("entry.sign_off",),
    "sign_off_pending": ("entry.close",),
    "services_overdue": ("oversight.read",),
}


def sections_for(user, services: dict) -> dict:
    """Whether each step's queue applies to the person: they take that step somewhere."""
    return {name: bool(_where(user, services, *needs)) for name, needs in STEPS.items()}


def findings_waiting(user, services: dict, now: datetime) -> list[dict]:
    """New findings waiting for triage: every one where the person may triage, the late
    high-risk ones where they oversee; high risk first, then those past their escalation
    time, then the longest waiting."""
    found = []
    for service in sorted(services.values(), key=lambda s: (s.name, str(s.id))):
        if not can(user, "finding.read_all", service):
            continue
        triage = can(user, "finding.triage", service)
        if not (triage or can(user, "oversight.read", service)):
            continue
        report = inbox(user, service.id, now)
        hours = report["escalation_hours"]
        found += [
            (item, service, hours[item.finding.risk])
            for group in report["groups"]
            for item in group["findings"]
            if triage or (item.past_escalation_time and item.finding.risk == "high")
        ]
    found.sort(
        key=lambda f: (
            -vocab.RISKS.index(f[0].finding.risk),
            not f[0].past_escalation_time,
            f[0].finding.received_at,
        )
    )
    return [_finding_item(item, service, hours) for item, service, hours in found]


def _finding_item(item, service: Service, hours) -> dict:
    finding = item.finding
    waited = f"waiting {_hours(item.waiting_hours)} for triage"
    if item.past_escalation_time:
        reason = (
            f"{finding.risk.capitalize()}-risk finding in {service.name} {waited}; "
            f"it should be triaged within {hours:g} hours."
        )
    else:
        reason = (
            f"New {finding.risk}-risk finding in {service.name}, {waited}: "
            f"triage it within {hours:g} hours."
        )
    return {
        "finding_id": finding.id,
        **{key: getattr(finding, key) for key in FINDING_KEYS},
        "waiting_hours": item.waiting_hours,
        "past_escalation_time": item.past_escalation_time,
        "service_id": service.id,
        "service_name": service.name,
        "reason": reason,
    }


def _hours(hours: float) -> str:
    if hours < 1:
        return "under an hour"
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def waiting_check(user, services: dict) -> list[dict]:
    """Entries marked done, waiting for a check the person may decide (close or send back)."""
    where = _where(user, services, *STEPS["waiting_check"])
    out = []
    for entry in _entries(where, clause("awaiting_check", date.min)):
        since = f" since {long_day(entry.completed_on)}" if entry.completed_on else ""
        reason = f"Marked done{since}: check the evidence, then close it or send it back."
        out.append(entry_item(entry, services, reason))
    return out


def waiting_sign_off(user, services: dict) -> list[dict]:
    """High-risk closures the person may sign off: never one they closed or checked."""
    where = _where(user, services, *STEPS["waiting_sign_off"])
    actor = Actor(user)
    out = []
    for entry in _entries(where, clause("awaiting_sign_off", date.min)):
        if guards.is_independent_signer(actor.user_id, entry):
            reason = "A high-risk closure waiting for sign-off: sign it off or challenge it."
            out.append(entry_item(entry, services, reason))
    return out


def sign_off_pending(user, services: dict) -> list[dict]:
    """High-risk entries the person owns or closed, waiting for someone else's sign-off."""
    out = []
    for entry in _entries(list(services), clause("awaiting_sign_off", date.min)):
        if entry.owner_id == user.id:
            why = "You own this high-risk entry"
        elif guards.closer_of(entry) == user.id:
            why = "You closed this high-risk entry"
        else:
            continue
        reason = (
            f"{why}: it waits for the nominated individual or provider quality lead to sign it off."
        )
        out.append(entry_item(entry, services, reason))
    return out


def services_overdue(user, services: dict, today: date) -> list[dict]:
    """Overdue entries in the services the person oversees, other than their own."""
    where = _where(user, services, *STEPS["services_overdue"])
    out = []
    for entry in _entries(
        where, clause("overdue", today), LogEntry.owner_id.is_distinct_from(user.id)
    ):
        late = (today - entry.due_date).days
        reason = f"Overdue by {plural(late, 'day')}: it was due on {long_day(entry.due_date)}."
        out.append(entry_item(entry, services, reason, days_overdue=late))
    return out
