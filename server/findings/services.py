"""Record what floor staff see, and read it back to those who may see it.

Every function here is the one write path for findings and walkarounds: the desk's API and
the sync engine call the same functions. ``data`` is what FindingCreateSchema or
WalkaroundCreateSchema loaded (typed values), never a Flask request. Triage and the inbox
live in server.findings.triage and are re-exported here for callers.
"""

import uuid

from sqlalchemy import and_, case, false, func, or_, true

from server.accounts.permissions import can, require, service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.common import vocab
from server.common.access import as_uuid, get_in_service, get_service
from server.common.types import utcnow
from server.errors import Conflict, Forbidden, Invalid
from server.extensions import db
from server.findings.checks import check_finding, places, raise_if, refuse_unknown
from server.findings.models import Finding, Walkaround
from server.findings.schemas import FINDING_EDITABLE, FindingSchema
from server.findings.triage import (  # noqa: F401 - re-exported: callers import them from here
    InboxItem,
    dismiss,
    inbox,
    link,
    triage,
    triage_to_draft,
)
from server.providers.models import Service

FIELDS = (
    "walkaround_id",
    "kind",
    "area",
    "source",
    "description",
    "action_taken",
    "risk",
    "follow_up_needed",
    "people_involved",
    "respondent_type",
    "question_id",
    "answer",
    "sentiment",
    "recorded_at",
)
EDITABLE = FINDING_EDITABLE
DEFAULT_SOURCE = {
    "walkaround_issue": "walkaround",
    "feedback": "feedback",
    "positive_practice": "walkaround",
    "visibility_check": "visibility_check",
}
WALKAROUND_FIELDS = ("kind", "started_at", "ended_at", "areas", "notes", "findings")


def _existing(model, record_id, actor: Actor, service: Service, author_field: str):
    """Return the record a retried create already made, or None when the id is new."""
    if record_id is None:
        return None
    found = db.session.get(model, as_uuid(record_id))
    if found is None:
        return None
    if getattr(found, author_field) != actor.user_id or found.service_id != service.id:
        raise Invalid(
            "This id is already used by another record; create it with a new id.",
            {"id": "Already used by another record."},
        )
    return found


def record_finding(actor: Actor, service: Service, data: dict, id=None) -> Finding:
    """Record a finding; a repeat with the same id by the same user returns the first."""
    require(actor.user, "finding.create", service)
    existing = _existing(Finding, id, actor, service, "recorded_by")
    if existing is not None:
        return existing
    refuse_unknown(data, FIELDS)
    values = {
        "action_taken": "",
        "risk": "low",
        "follow_up_needed": False,
        "people_involved": "",
        **{k: v for k, v in data.items() if v is not None},
    }
    values.setdefault("source", DEFAULT_SOURCE.get(values.get("kind"), "other"))
    values.update(check_finding(service, values, set(FIELDS)))
    now = utcnow()
    values.setdefault("recorded_at", now)
    finding = Finding(
        id=as_uuid(id) if id else uuid.uuid4(),
        service_id=service.id,
        recorded_by=actor.user_id,
        received_at=now,
        triage_state="new",
        **values,
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
    values = checked_update(actor, finding, service, base_version, changes)
    changed = audit.apply_changes(finding, values)
    if changed:
        audit.record(actor, "finding", finding.id, "update", changed, service_id=service.id)
        db.session.flush()
    return finding


def checked_update(
    actor: Actor, finding: Finding, service: Service, base_version: int, changes: dict
) -> dict:
    """Check an update as update_finding does; return the values it sets (some may be equal).

    The sync engine's bulk path (server.findings.bulk.update_findings) writes them itself.
    """
    require_editable(actor, finding, service)
    if base_version != finding.version:
        raise Conflict(
            "This finding was changed since you loaded it. Here is the current copy.",
            current=_dump(finding),
        )
    refuse_unknown(changes, EDITABLE)
    values = {name: getattr(finding, name) for name in FIELDS} | changes
    return changes | check_finding(service, values, set(changes))


def require_editable(actor: Actor, finding: Finding, service: Service) -> None:
    """Raise Forbidden unless the actor may change this finding as it stands: its author
    while it is new, or a manager who triages."""
    user = actor.user
    if can(user, "finding.triage", service):
        return
    if finding.recorded_by != actor.user_id or not can(user, "finding.create", service):
        raise Forbidden(
            "Only the person who recorded this finding, or a manager who "
            "triages findings, may change it.",
            action="finding.triage",
        )
    if finding.triage_state != "new":
        raise Forbidden(
            "This finding has been triaged; ask a manager to change it.", action="finding.triage"
        )


def may_read(user, record, author: str, service: Service) -> bool:
    """Whether ``user`` may read a finding or walkaround of ``service``: their own, or any
    with finding.read_all (the desk's GET and the sync's checks both ask this)."""
    if not can(user, "service.read", service):
        return False
    return getattr(record, author) == user.id or can(user, "finding.read_all", service)


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
    if not may_read(user, record, author, service):
        raise Forbidden(
            f"You can see the {label}s you recorded; this one is someone else's.",
            action="finding.read_all",
        )
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
    for name in (
        "service_id",
        "triage_state",
        "risk",
        "source",
        "area",
        "kind",
        "recorded_by",
        "log_entry_id",
    ):
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
    refuse_unknown(data, WALKAROUND_FIELDS)
    now = utcnow()
    started_at, ended_at = data.get("started_at") or now, data.get("ended_at")
    errors = {
        f"areas.{i}": f"{area} is not one of this service's areas or routines."
        for i, area in enumerate(data.get("areas") or [])
        if area not in places(service)
    }
    kind = data.get("kind") or "walkaround"
    if kind not in vocab.WALKAROUND_KINDS:
        errors["kind"] = f"Must be one of: {', '.join(vocab.WALKAROUND_KINDS)}."
    if ended_at is not None and ended_at < started_at:
        errors["ended_at"] = "The walkaround cannot end before it started."
    raise_if(errors)
    walk = Walkaround(
        id=as_uuid(id) if id else uuid.uuid4(),
        service_id=service.id,
        kind=kind,
        conducted_by=actor.user_id,
        started_at=started_at,
        ended_at=ended_at,
        areas=list(data.get("areas") or []),
        notes=data.get("notes") or "",
        received_at=now,
    )
    db.session.add(walk)
    db.session.flush()
    audit.record(
        actor,
        "walkaround",
        walk.id,
        "create",
        {n: getattr(walk, n) for n in WALKAROUND_FIELDS[:-1]},
        service_id=service.id,
    )
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
    return list(
        db.session.scalars(
            db.select(Finding)
            .where(Finding.walkaround_id == walk.id, Finding.deleted_at.is_(None))
            .order_by(Finding.recorded_at, Finding.id)
        )
    )


def walkaround_summary(walk: Walkaround, with_findings: bool = False) -> dict:
    """The walkaround with how many findings it produced and how many need follow-up."""
    count, follow_ups = db.session.execute(
        db.select(
            func.count(Finding.id),
            func.coalesce(func.sum(case((Finding.follow_up_needed, 1), else_=0)), 0),
        ).where(Finding.walkaround_id == walk.id, Finding.deleted_at.is_(None))
    ).one()
    summary = {
        name: getattr(walk, name)
        for name in (
            "id",
            "service_id",
            "kind",
            "conducted_by",
            "started_at",
            "ended_at",
            "areas",
            "notes",
            "received_at",
            "version",
        )
    }
    summary.update(finding_count=count, follow_up_count=int(follow_ups))
    if with_findings:
        summary["findings"] = walkaround_findings(walk)
    return summary
