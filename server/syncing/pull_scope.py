"""The scope of a pull: which rows of each table a user's devices hold.

The scope of DESIGN.md: a floor tablet holds its user's own findings and walkarounds of the
last 28 days, the entries they own or whose findings they recorded, and their services'
entries changed in the last 14 days, with those entries' notes and evidence. Roles that see
every finding (finding.read_all) also hold their services' findings of the last 28 days and
every entry not yet closed. Conflicts travel to the roles that resolve them, and to their
author's devices while the author may still read the record. The response names the
services in scope: a device drops what it holds of any other service (a role removed, a
user moved).
"""

from datetime import timedelta

from sqlalchemy import String, Uuid, and_, bindparam, cast, func, or_, select

from server.accounts.permissions import service_ids_for
from server.common.types import UTCDateTime
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import LogEntry
from server.providers.models import Service

OWN_DAYS = 28
SERVICE_ENTRY_DAYS = 14

ACTIONS = {
    "desk": "finding.read_all",
    "create": "finding.create",
    "entry": "entry.read",
    "conflict": "conflict.resolve",
    "read": "service.read",
}


def param(name: str, type_):
    return bindparam(name, type_=type_)


USER, SINCE, ENTRY_SINCE = (
    param("user_id", Uuid()),
    param("since", UTCDateTime()),
    param("entry_since", UTCDateTime()),
)


def _ids(name: str, wide: frozenset):
    """The services allowed ``name`` (see ACTIONS), as a parameter or a provider subquery."""
    if name in wide:
        return select(Service.id).where(Service.provider_id == param("provider_id", Uuid()))
    return bindparam(name, expanding=True, type_=Uuid())


def _entry_scope(c, wide: frozenset):
    recorded = select(Finding.log_entry_id).where(
        Finding.recorded_by == USER, Finding.log_entry_id.is_not(None)
    )
    return and_(
        c.service_id.in_(_ids("entry", wide)),
        or_(
            c.owner_id == USER,
            c.id.in_(recorded),
            c.updated_at >= ENTRY_SINCE,
            and_(c.service_id.in_(_ids("desk", wide)), c.status != "closed"),
        ),
    )


def in_scope(entity_type: str, c, wide: frozenset):
    """Return the condition on the columns ``c`` (a table's or a window's) of rows in scope."""
    if entity_type == "finding":
        return and_(
            c.received_at >= SINCE,
            or_(c.recorded_by == USER, c.service_id.in_(_ids("desk", wide))),
            c.service_id.in_(_ids("create", wide)),
        )
    if entity_type == "walkaround":
        return and_(c.conducted_by == USER, c.received_at >= SINCE)
    if entity_type == "log_entry":
        return _entry_scope(c, wide)
    if entity_type in ("note", "evidence"):
        entries = select(LogEntry.id).where(_entry_scope(LogEntry.__table__.c, wide))
        return c.entry_id.in_(entries)
    return or_(
        c.service_id.in_(_ids("conflict", wide)),
        and_(c.other_author == USER, _record_readable(c, wide)),
    )


def _own_ids(model, author):
    """The ids of the user's own findings or walkarounds, as text without dashes: a
    conflict holds its record's id as text, which each database writes its own way."""
    return select(func.replace(cast(model.id, String), "-", "")).where(author == USER)


def _record_readable(c, wide: frozenset):
    """Whether the user may read a conflict's record now, as the desk decides: an entry (or
    its notes and evidence) of a service whose log they read; a finding or walkaround of
    their own, or of a service where they see every finding. A conflict whose record they
    may no longer read is not theirs to see either."""
    key = func.replace(c.entity_id, "-", "")
    everything = c.service_id.in_(_ids("desk", wide))

    def own(model, author):
        return or_(
            everything, and_(c.service_id.in_(_ids("read", wide)), key.in_(_own_ids(model, author)))
        )

    return or_(
        and_(
            c.entity_type.in_(("log_entry", "note", "evidence")),
            c.service_id.in_(_ids("entry", wide)),
        ),
        and_(c.entity_type == "finding", own(Finding, Finding.recorded_by)),
        and_(c.entity_type == "walkaround", own(Walkaround, Walkaround.conducted_by)),
    )


class Unindexed:
    """A table's columns, each as coalesce(c, c): the same values, but no index serves a test.

    A window's scope is checked this way, so the planner reads the window by change_seq
    (the one index left) instead of preferring a scope index and sorting a service's whole
    history (13.7 s a page at 1,000,000 findings, before).
    """

    def __init__(self, columns):
        self.columns = columns

    def __getattr__(self, name):
        column = getattr(self.columns, name)
        return func.coalesce(column, column)


def scope_params(user, now) -> tuple[frozenset, dict]:
    """Return the services' shape (provider-wide actions) and every parameter of a page."""
    wide, params = (
        set(),
        {
            "user_id": user.id,
            "provider_id": user.provider_id,
            "since": now - timedelta(days=OWN_DAYS),
            "entry_since": now - timedelta(days=SERVICE_ENTRY_DAYS),
        },
    )
    for name, action in ACTIONS.items():
        ids = service_ids_for(user, action)
        if ids is None:
            wide.add(name)
        else:
            params[name] = list(ids)
    return frozenset(wide), params


def scope_service_ids(user, params: dict | None = None) -> list[str]:
    """Return the ids of the services in the user's scope (``params``: a page's, if read)."""
    ids = params.get("entry") if params is not None else service_ids_for(user, "entry.read")
    if ids is None:
        ids = db.session.scalars(
            select(Service.id).where(Service.provider_id == user.provider_id)
        ).all()
    return sorted(str(i) for i in ids)
