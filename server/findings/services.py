"""Record what floor staff see, and read it back to those who may see it.

Every function here is the one write path for findings and walkarounds: the desk's API and
the sync engine call the same functions. ``data`` is what FindingCreateSchema or
WalkaroundCreateSchema loaded (typed values), never a Flask request. Triage and the inbox
live in server.findings.triage and are re-exported here for callers.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, true

from server.accounts.permissions import can, require, service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.common import vocab
from server.common.access import as_uuid, get_in_service, get_service
from server.common.types import utcnow
from server.errors import Forbidden, Invalid
from server.extensions import db
from server.findings.checks import places, raise_if, refuse_unknown
from server.findings.models import Finding, Walkaround
from server.findings.triage import (  # noqa: F401 - re-exported: callers import them from here
    InboxItem,
    dismiss,
    inbox,
    link,
    triage,
    triage_to_draft,
)
from server.findings.writes import (  # noqa: F401 - re-exported: callers import them from here
    DEFAULT_SOURCE,
    EDITABLE,
    FIELDS,
    _existing,
    checked_update,
    record_finding,
    record_findings,
    require_editable,
    snapshot,
    update_finding,
    update_findings,
)
from server.providers.models import Service

WALKAROUND_FIELDS = ("kind", "started_at", "ended_at", "areas", "notes", "findings")


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


@dataclass
class WalkaroundSummary:
    """A walkaround with how many findings it produced and how many need follow-up."""

    walkaround: Walkaround
    finding_count: int
    follow_up_count: int
    findings: list[Finding] | None = None

    def __getattr__(self, name):
        return getattr(self.walkaround, name)


def walkaround_summary(walk: Walkaround, with_findings: bool = False) -> WalkaroundSummary:
    """The walkaround with how many findings it produced and how many need follow-up."""
    count, follow_ups = db.session.execute(
        db.select(
            func.count(Finding.id),
            func.coalesce(func.sum(case((Finding.follow_up_needed, 1), else_=0)), 0),
        ).where(Finding.walkaround_id == walk.id, Finding.deleted_at.is_(None))
    ).one()
    findings = walkaround_findings(walk) if with_findings else None
    return WalkaroundSummary(walk, count, int(follow_ups), findings)
