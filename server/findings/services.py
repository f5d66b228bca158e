"""Record what floor staff see, and triage it into the leadership log.

Every function here is the one write path for findings and walkarounds: the desk's API and
the sync engine call the same functions. ``data`` is what FindingCreateSchema or
WalkaroundCreateSchema loaded (typed values), never a Flask request.
"""

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, true

from server.accounts.permissions import can, require, service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.common import vocab
from server.common.access import as_uuid, get_in_service, get_service
from server.common.types import utcnow
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.findings.schemas import FindingSchema
from server.providers.models import Service

FIELDS = (
    "walkaround_id", "kind", "area", "source", "description", "action_taken", "risk",
    "follow_up_needed", "people_involved", "respondent_type", "question_id", "answer",
    "sentiment", "recorded_at",
)
EDITABLE = (
    "area", "source", "description", "action_taken", "risk", "follow_up_needed",
    "people_involved", "respondent_type", "question_id", "answer", "sentiment",
)
FEEDBACK_FIELDS = ("respondent_type", "question_id", "answer", "sentiment")
DEFAULT_SOURCE = {
    "walkaround_issue": "walkaround", "feedback": "feedback",
    "positive_practice": "walkaround", "visibility_check": "visibility_check",
}
_VOCAB = {
    "kind": vocab.FINDING_KINDS, "risk": vocab.RISKS, "source": vocab.SOURCES,
    "respondent_type": vocab.RESPONDENT_TYPES, "sentiment": vocab.SENTIMENTS,
}
WALKAROUND_FIELDS = ("kind", "started_at", "ended_at", "areas", "notes", "findings")
NO_FULL_NAMES = (
    "Use a record reference or initials (for example R-1042 or JS), not a full name."
)
_WORD = re.compile(r"[^\W_][\w'’-]*")


def looks_like_full_name(text: str) -> bool:
    """Two capitalised words of three or more letters in a row read as a person's name."""
    words = _WORD.findall(text or "")
    named = [
        len(w) >= 3 and w[0].isupper() and any(c.islower() for c in w[1:])
        and not any(c.isdigit() for c in w)
        for w in words
    ]
    return any(a and b for a, b in zip(named, named[1:], strict=False))


def _places(service: Service) -> list[str]:
    return list(service.areas or []) + list(service.routines or [])


def _raise_if(errors: dict) -> None:
    if errors:
        message = next(iter(errors.values())) if len(errors) == 1 else (
            "Please check these fields: " + ", ".join(sorted(errors)) + "."
        )
        raise Invalid(message, errors)


def _check_finding(service: Service, values: dict, changed: set) -> dict:
    """Check a finding's complete values (only ``changed`` ones against the service's
    current lists, so old findings stay editable); return derived values to store."""
    errors: dict = {}
    for name, choices in _VOCAB.items():
        if name in changed and values.get(name) is not None and values[name] not in choices:
            errors[name] = f"Must be one of: {', '.join(choices)}."
    if not values.get("kind"):
        errors["kind"] = "Choose the kind of finding."
    if not values.get("area"):
        errors["area"] = "Choose one of this service's areas or routines."
    elif "area" in changed and values["area"] not in _places(service):
        errors["area"] = f"{values['area']} is not one of this service's areas or routines."
    if not (values.get("description") or "").strip():
        errors["description"] = "Describe what you saw."
    if "people_involved" in changed and looks_like_full_name(values.get("people_involved")):
        errors["people_involved"] = NO_FULL_NAMES
    derived = {}
    if values.get("kind") == "feedback":
        for name in FEEDBACK_FIELDS:
            if values.get(name) in (None, ""):
                errors.setdefault(name, f"Feedback needs {name.replace('_', ' ')}.")
        question_id = values.get("question_id")
        if "question_id" in changed and question_id:
            question = service.questions().get(question_id)
            if question is None:
                errors["question_id"] = "Not a question of this service's question sets."
            derived["question"] = question
    else:
        for name in FEEDBACK_FIELDS:
            if values.get(name) not in (None, ""):
                errors[name] = "Only feedback findings have a respondent, question and answer."
    if "walkaround_id" in changed and values.get("walkaround_id") is not None:
        walk = db.session.get(Walkaround, values["walkaround_id"])
        if walk is None or walk.service_id != service.id or walk.deleted_at is not None:
            errors["walkaround_id"] = "No walkaround of this service has this id."
    _raise_if(errors)
    return derived


def _existing(model, record_id, actor: Actor, service: Service, author_field: str):
    """Return the record a retried create already made, or None when the id is new."""
    if record_id is None:
        return None
    found = db.session.get(model, as_uuid(record_id))
    if found is None:
        return None
    if getattr(found, author_field) != actor.user_id or found.service_id != service.id:
        raise Invalid("This id is already used by another record; create it with a new id.",
                      {"id": "Already used by another record."})
    return found


def _unknown(data: dict, allowed) -> None:
    extra = sorted(set(data) - set(allowed))
    _raise_if({name: "Unknown field." for name in extra})


def record_finding(actor: Actor, service: Service, data: dict, id=None) -> Finding:
    """Record a finding; a repeat with the same id by the same user returns the first."""
    require(actor.user, "finding.create", service)
    existing = _existing(Finding, id, actor, service, "recorded_by")
    if existing is not None:
        return existing
    _unknown(data, FIELDS)
    values = {
        "action_taken": "", "risk": "low", "follow_up_needed": False, "people_involved": "",
        **{k: v for k, v in data.items() if v is not None},
    }
    values.setdefault("source", DEFAULT_SOURCE.get(values.get("kind"), "other"))
    values.update(_check_finding(service, values, set(FIELDS)))
    now = utcnow()
    values.setdefault("recorded_at", now)
    finding = Finding(
        id=as_uuid(id) if id else uuid.uuid4(), service_id=service.id,
        recorded_by=actor.user_id, received_at=now, triage_state="new", **values,
    )
    db.session.add(finding)
    db.session.flush()
    audit.record(actor, "finding", finding.id, "create", snapshot(finding), service_id=service.id)
    return finding


def snapshot(finding: Finding) -> dict:
    return {name: getattr(finding, name) for name in FIELDS + ("question", "triage_state")}


def _dump(finding: Finding) -> dict:
    return FindingSchema().dump(finding)


def update_finding(actor: Actor, finding: Finding, base_version: int, changes: dict) -> Finding:
    """Change a finding's details: its author while it is new, or a manager who triages."""
    service = db.session.get(Service, finding.service_id)
    user = actor.user
    if not can(user, "finding.triage", service):
        if finding.recorded_by != actor.user_id or not can(user, "finding.create", service):
            raise Forbidden("Only the person who recorded this finding, or a manager who "
                            "triages findings, may change it.", action="finding.triage")
        if finding.triage_state != "new":
            raise Forbidden("This finding has been triaged; ask a manager to change it.",
                            action="finding.triage")
    if base_version != finding.version:
        raise Conflict("This finding was changed since you loaded it. Here is the current copy.",
                       current=_dump(finding))
    _unknown(changes, EDITABLE)
    values = {name: getattr(finding, name) for name in FIELDS} | changes
    derived = _check_finding(service, values, set(changes))
    changed = audit.apply_changes(finding, changes | derived)
    if changed:
        audit.record(actor, "finding", finding.id, "update", changed, service_id=service.id)
        db.session.flush()
    return finding


def _visible(user, model, author_column):
    """Where ``user`` may see every record (finding.read_all), or only their own."""
    every = service_ids_for(user, "finding.read_all")
    own = service_ids_for(user, "finding.create")
    if every is None:
        return true()
    conditions = [model.service_id.in_(every)] if every else []
    if own is None:
        conditions.append(author_column == user.id)
    elif own:
        conditions.append(and_(author_column == user.id, model.service_id.in_(own)))
    return or_(*conditions) if conditions else false()


def _readable(user, model, record_id, label: str, author: str):
    record = get_in_service(user, model, record_id, "service.read", label)
    service = db.session.get(Service, record.service_id)
    if getattr(record, author) != user.id and not can(user, "finding.read_all", service):
        raise Forbidden(f"You can see the {label}s you recorded; this one is someone else's.",
                        action="finding.read_all")
    return record


def get_finding(user, finding_id) -> Finding:
    """Return a finding the user may read: their own, or any with finding.read_all."""
    return _readable(user, Finding, finding_id, "finding", "recorded_by")


def list_findings(user, filters: dict):
    """Return a select of the findings the user may see, newest first, filtered."""
    query = (
        db.select(Finding)
        .join(Service, Service.id == Finding.service_id)
        .where(Service.provider_id == user.provider_id, Finding.deleted_at.is_(None))
        .where(_visible(user, Finding, Finding.recorded_by))
    )
    if filters.get("service_id") is not None:
        get_service(user, filters["service_id"], "service.read")
    for name in ("service_id", "triage_state", "risk", "source", "area", "kind", "recorded_by"):
        if filters.get(name) is not None:
            query = query.where(getattr(Finding, name) == filters[name])
    if filters.get("since") is not None:
        query = query.where(Finding.received_at >= filters["since"])
    return query.order_by(Finding.received_at.desc(), Finding.id)


# ---- walkarounds -------------------------------------------------------------------------


def record_walkaround(actor: Actor, service: Service, data: dict, id=None) -> Walkaround:
    """Record a walkaround and the findings made during it (possibly none)."""
    require(actor.user, "finding.create", service)
    existing = _existing(Walkaround, id, actor, service, "conducted_by")
    if existing is not None:
        return existing
    _unknown(data, WALKAROUND_FIELDS)
    now = utcnow()
    started_at, ended_at = data.get("started_at") or now, data.get("ended_at")
    errors = {
        f"areas.{i}": f"{area} is not one of this service's areas or routines."
        for i, area in enumerate(data.get("areas") or []) if area not in _places(service)
    }
    kind = data.get("kind") or "walkaround"
    if kind not in vocab.WALKAROUND_KINDS:
        errors["kind"] = f"Must be one of: {', '.join(vocab.WALKAROUND_KINDS)}."
    if ended_at is not None and ended_at < started_at:
        errors["ended_at"] = "The walkaround cannot end before it started."
    _raise_if(errors)
    walk = Walkaround(
        id=as_uuid(id) if id else uuid.uuid4(), service_id=service.id, kind=kind,
        conducted_by=actor.user_id, started_at=started_at, ended_at=ended_at,
        areas=list(data.get("areas") or []), notes=data.get("notes") or "", received_at=now,
    )
    db.session.add(walk)
    db.session.flush()
    audit.record(actor, "walkaround", walk.id, "create",
                 {n: getattr(walk, n) for n in WALKAROUND_FIELDS[:-1]}, service_id=service.id)
    for index, item in enumerate(data.get("findings") or []):
        item = dict(item)
        finding_id = item.pop("id", None)
        try:
            record_finding(actor, service, {**item, "walkaround_id": walk.id}, id=finding_id)
        except Invalid as exc:
            fields = {f"findings.{index}.{k}": v for k, v in exc.fields.items()}
            raise Invalid(f"Finding {index + 1}: {exc.message}", fields) from exc
    return walk


def get_walkaround(user, walkaround_id) -> Walkaround:
    return _readable(user, Walkaround, walkaround_id, "walkaround", "conducted_by")


def list_walkarounds(user, filters: dict):
    """Return a select of the walkarounds the user may see, newest first."""
    query = (
        db.select(Walkaround)
        .join(Service, Service.id == Walkaround.service_id)
        .where(Service.provider_id == user.provider_id, Walkaround.deleted_at.is_(None))
        .where(_visible(user, Walkaround, Walkaround.conducted_by))
    )
    if filters.get("service_id") is not None:
        get_service(user, filters["service_id"], "service.read")
    for name in ("service_id", "conducted_by", "kind"):
        if filters.get(name) is not None:
            query = query.where(getattr(Walkaround, name) == filters[name])
    if filters.get("since") is not None:
        query = query.where(Walkaround.started_at >= filters["since"])
    return query.order_by(Walkaround.started_at.desc(), Walkaround.id)


def walkaround_findings(walk: Walkaround) -> list[Finding]:
    return list(db.session.scalars(
        db.select(Finding)
        .where(Finding.walkaround_id == walk.id, Finding.deleted_at.is_(None))
        .order_by(Finding.recorded_at, Finding.id)
    ))


def walkaround_summary(walk: Walkaround, with_findings: bool = False) -> dict:
    """The walkaround with how many findings it produced and how many need follow-up."""
    count, follow_ups = db.session.execute(
        db.select(func.count(Finding.id),
                  func.coalesce(func.sum(case((Finding.follow_up_needed, 1), else_=0)), 0))
        .where(Finding.walkaround_id == walk.id, Finding.deleted_at.is_(None))
    ).one()
    summary = {name: getattr(walk, name) for name in (
        "id", "service_id", "kind", "conducted_by", "started_at", "ended_at", "areas", "notes",
        "received_at", "version")}
    summary.update(finding_count=count, follow_up_count=int(follow_ups))
    if with_findings:
        summary["findings"] = walkaround_findings(walk)
    return summary


# ---- triage ------------------------------------------------------------------------------


def _load_findings(user, finding_ids) -> list[Finding]:
    """Load findings by id in the user's provider; unknown ones are named by position."""
    findings, seen = [], set()
    for index, raw in enumerate(finding_ids):
        finding = db.session.get(Finding, as_uuid(raw, "finding"))
        service = finding and db.session.get(Service, finding.service_id)
        if finding is None or finding.deleted_at or service.provider_id != user.provider_id:
            raise NotFound(f"There is no finding {raw}.",
                           {f"finding_ids.{index}": "No such finding."})
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
        raise Invalid("Triage findings of one service at a time.",
                      {"finding_ids": "These findings belong to different services."})
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
        raise Invalid("Say why these findings are dismissed: the reason stays on the record.",
                      {"reason": "Required when dismissing findings."})
    _check_triage(actor, findings, ("new",), "dismissed")
    for finding in findings:
        _mark(actor, finding, "dismiss", {"triage_state": "dismissed", "dismissed_reason": reason})
    db.session.flush()
    return findings


def link(actor: Actor, findings: list[Finding], entry) -> list[Finding]:
    """Link new or dismissed findings to an entry of their service that is not closed."""
    service = _check_triage(actor, findings, ("new", "dismissed"), "linked")
    if entry.service_id != service.id:
        raise Invalid("Findings can only be linked to an entry of their own service.",
                      {"entry_id": "This entry belongs to another service."})
    if entry.status == "closed" or entry.deleted_at is not None:
        raise Invalid("This entry is closed: reopen it, or create a new entry.",
                      {"entry_id": "This entry is closed."})
    for finding in findings:
        _mark(actor, finding, "link", {
            "triage_state": "linked", "log_entry_id": entry.id, "dismissed_reason": None,
        })
    audit.record(actor, "log_entry", entry.id, "link_findings",
                 {"finding_ids": [f.id for f in findings]}, service_id=service.id)
    db.session.flush()
    return findings


def triage_to_draft(actor: Actor, findings: list[Finding], concern: str | None = None):
    """Start a draft entry from findings: their descriptions, common source, highest risk."""
    from server.log.services import create_draft

    service = _check_triage(actor, findings, ("new", "dismissed"), "turned into an entry")
    sources = {f.source for f in findings}
    entry = create_draft(
        actor, service,
        concern=(concern or "").strip() or "\n".join(f.description for f in findings),
        source=sources.pop() if len(sources) == 1 else "other",
        risk=max((f.risk for f in findings), key=vocab.RISKS.index),
        findings=tuple(findings),
    )
    # create_draft may link the findings itself; link whatever it left.
    pending = [f for f in findings if f.log_entry_id != entry.id]
    if pending:
        link(actor, pending, entry)
    return entry


def triage(actor: Actor, finding_ids, action: str, entry_id=None, reason=None, concern=None):
    """Create an entry from, link, or dismiss findings; return (findings, entry or None)."""
    _raise_if({name: f"Not used when the action is {action}." for name, value, used_by in (
        ("entry_id", entry_id, "link"), ("reason", reason, "dismiss"),
        ("concern", concern, "create_entry")) if value and action != used_by})
    findings = _load_findings(actor.user, finding_ids)
    if action == "dismiss":
        return dismiss(actor, findings, reason), None
    if action == "create_entry":
        return findings, triage_to_draft(actor, findings, concern)
    if action != "link":
        raise Invalid(f"Unknown triage action {action}.", {"action": "Unknown action."})
    entry = _load_entry(actor.user, entry_id)
    return link(actor, findings, entry), entry


def _load_entry(user, entry_id):
    from server.log.models import LogEntry

    if entry_id is None:
        raise Invalid("Choose the entry to link these findings to.",
                      {"entry_id": "Required when linking findings."})
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
        .where(Finding.service_id == service.id, Finding.triage_state == "new",
               Finding.deleted_at.is_(None))
        .order_by(Finding.received_at, Finding.id)
    )
    items = []
    for finding in rows:
        waited = (now - finding.received_at).total_seconds() / 3600
        items.append(InboxItem(finding, round(waited, 1), waited > hours[finding.risk]))
    items.sort(key=lambda i: (not i.past_escalation_time, -vocab.RISKS.index(i.finding.risk)))
    groups: dict[tuple[str, str], list[InboxItem]] = {}
    for item in items:  # sorted, so each group sits where its most urgent finding does
        groups.setdefault((item.finding.area, item.finding.source), []).append(item)
    return {
        "service_id": service.id,
        "total": len(items),
        "past_escalation_time": sum(i.past_escalation_time for i in items),
        "escalation_hours": hours,
        "groups": [
            {"area": area, "source": source, "count": len(members),
             "past_escalation_time": sum(i.past_escalation_time for i in members),
             "findings": members}
            for (area, source), members in groups.items()
        ],
    }
