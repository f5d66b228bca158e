"""The SQL behind the early warnings on findings and walkarounds: windowed, ranked queries.

Each query reads only the services in scope and, where it can, only a time window, so the
cost follows the number of flagged records rather than the size of the log.
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    String,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.types import NullType

from server.common.database import unindexed
from server.common.types import stored_uuid_text
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import LogEntry
from server.log.signal_scope import Scope, undecided

# Who families chasing listens to.
CHASERS = ("relative", "person_supported")


def ref_columns(model, kind: str, detail, service_id=None) -> tuple:
    """The columns of a flagged-record query: service_id, kind, id and detail.

    ``kind`` names the type of record a row refers to: inline SQL text, not a bind
    parameter, as PostgreSQL must know its type inside UNION ALL.
    """
    return (
        (model.service_id if service_id is None else service_id).label("service_id"),
        literal_column(f"'{kind}'").label("kind"),
        model.id.label("id"),
        detail.label("detail"),
    )


def live_findings(scope: Scope):
    """Findings of the services in scope that are not deleted."""
    return and_(Finding.service_id.in_(scope.ids), Finding.deleted_at.is_(None))


def recent(model, column, scope: Scope, days: int):
    """Live rows of the services received (or started) within the last ``days`` days."""
    # The time window is the selective condition. Findings: wrapping the service column
    # keeps a planner without statistics (SQLite) from reading each service's whole
    # history through one of the service indexes; the window is read through the time
    # index instead. Walkarounds have one index, (service, start): seek it per service.
    services = model.service_id if model is Walkaround else unindexed(model.service_id)
    return and_(
        services.in_(scope.ids),
        model.deleted_at.is_(None),
        column >= scope.window_start(days),
        column <= scope.now,
    )


def ranked(base, order_by, limit: int) -> dict[uuid.UUID, tuple[int, list]]:
    """Run ``base`` (columns service_id, kind, id, detail) keeping ``limit`` rows per service.

    Returns {service_id: (total rows, [(kind, id, detail), ...] in ``order_by`` order)}.
    """
    sub = base.subquery()
    rank = (
        func.row_number()
        .over(partition_by=sub.c.service_id, order_by=order_by(sub.c))
        .label("rank")
    )
    total = func.count().over(partition_by=sub.c.service_id).label("total")
    numbered = select(sub, rank, total).subquery()
    rows = db.session.execute(
        select(numbered)
        .where(numbered.c.rank <= limit)
        .order_by(numbered.c.service_id, numbered.c.rank)
    )
    out: dict[uuid.UUID, tuple[int, list]] = {}
    for row in rows:
        _total, items = out.setdefault(row.service_id, (row.total, []))
        items.append((row.kind, row.id, row.detail))
    return out


def counted(base, *aggregates) -> dict[uuid.UUID, tuple]:
    """Run ``base`` (columns service_id, kind, id, detail) as one count per service.

    Returns {service_id: (rows, *aggregates)}, each aggregate a function of the base's
    columns (``lambda c: func.min(c.detail)``): what ``ranked`` gives when no record is
    named, without its window functions and sorts.
    """
    sub = base.subquery()
    query = select(sub.c.service_id, func.count(), *(agg(sub.c) for agg in aggregates)).group_by(
        sub.c.service_id
    )
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def finding_groups(
    scope: Scope, keys: dict, where, minimum: int, *, seek: bool = False
) -> list[tuple]:
    """Group findings by ``keys`` (name -> expression); keep groups of ``minimum`` or more.

    Returns [(key values, count, [finding ids, newest first, at most ``scope.refs``])],
    ordered by key. The counts are a plain GROUP BY over the window (the covering index
    ix_finding_received_at answers it without reading a finding row). The ids, when asked
    for, come with it: each kept group seeks at most ``scope.refs`` of its newest findings
    (``seek``: the keys lead an index, ix_finding_service_area_source for repeat
    findings), never sorting the window. Without ``seek`` (few rows match, as for families
    chasing) one pass ranks them instead.
    """
    part = list(keys.values())
    n = func.count()
    groups = (
        select(*(expr.label(name) for name, expr in keys.items()), n.label("n"))
        .where(*where)
        .group_by(*part)
        .having(n >= minimum)
    )
    found: dict[tuple, tuple[int, list]] = {}
    if not scope.refs:
        for row in db.session.connection().execute(groups):
            found[tuple(row[:-1])] = (row[-1], [])
    elif not seek:
        return _ranked_groups(scope, keys, where, minimum)
    else:
        chosen = groups.cte("chosen")
        top = (
            select(Finding.id)
            .where(*where, *(expr == chosen.c[name] for name, expr in keys.items()))
            .order_by(Finding.received_at.desc(), Finding.id)
            .limit(scope.refs)
            .correlate(chosen)
            .scalar_subquery()
        )
        named = aliased(Finding, name="named")
        keyed = [type_coerce(chosen.c.service_id, String), *list(chosen.c)[1:]]
        connection = db.session.connection()
        as_text = scope.text_ids and connection.dialect.name == "sqlite"
        # On SQLite the stored 32 hex digits, read without building a uuid.UUID.
        ident = type_coerce(named.id, NullType()) if as_text else named.id
        query = (
            select(*keyed, ident)
            .join(named, named.id.in_(top))
            .order_by(named.received_at.desc(), named.id)
        )
        services: dict = {}  # one UUID per service, not one per row named
        for row in connection.execute(query):
            sid = services.get(row[0]) or services.setdefault(row[0], _uuid(row[0]))
            found.setdefault((sid, *row[1:-2]), (row[-2], []))[1].append(
                _uuid_text(row[-1]) if as_text else row[-1]
            )
    # In Python, not SQL: the same order (code point order) on every database.
    return [(key, count, ids) for key, (count, ids) in sorted(found.items(), key=key_order)]


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _uuid_text(value) -> str:
    """Return a stored UUID as the text str(uuid.UUID) gives, cheaply for 32 hex digits."""
    return stored_uuid_text(value) or str(_uuid(value))


def _ranked_groups(scope: Scope, keys: dict, where, minimum: int) -> list[tuple]:
    """finding_groups in one pass: each row carries its group's size and rank."""
    part = list(keys.values())
    inner = (
        select(
            *(expr.label(name) for name, expr in keys.items()),
            Finding.id.label("id"),
            func.count().over(partition_by=part).label("n"),
            func.row_number()
            .over(partition_by=part, order_by=(Finding.received_at.desc(), Finding.id))
            .label("rank"),
        )
        .where(*where)
        .subquery()
    )
    rows = db.session.execute(
        select(inner).where(inner.c.n >= minimum, inner.c.rank <= scope.refs).order_by(inner.c.rank)
    )
    groups: dict[tuple, tuple[int, list]] = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, name) for name in keys), (row.n, []))[1].append(row.id)
    return [(key, n, ids) for key, (n, ids) in sorted(groups.items(), key=key_order)]


def key_order(item) -> tuple:
    """Order (key, ...) items by their key's parts as text."""
    return tuple(str(part) for part in item[0])


def undecided_high_risk(scope: Scope, cutoff: datetime):
    """High-risk findings and entries past ``cutoff`` with no escalation decision yet.

    A finding is decided through the entry it is linked to, or by being dismissed with a
    reason at triage; so only findings still in triage, or linked to an entry that is not
    closed and has no decision, are read: never the whole history.
    """
    untriaged = select(*ref_columns(Finding, "finding", Finding.received_at)).where(
        live_findings(scope),
        Finding.triage_state == "new",
        Finding.risk == "high",
        Finding.received_at <= cutoff,
    )
    linked = (
        select(*ref_columns(Finding, "finding", Finding.received_at, LogEntry.service_id))
        .join(LogEntry, LogEntry.id == Finding.log_entry_id)
        .where(
            undecided(scope),
            Finding.deleted_at.is_(None),
            Finding.risk == "high",
            Finding.received_at <= cutoff,
        )
    )
    entries = select(*ref_columns(LogEntry, "log_entry", LogEntry.created_at)).where(
        undecided(scope), LogEntry.risk == "high", unindexed(LogEntry.created_at) <= cutoff
    )
    return union_all(untriaged, linked, entries)


def repeat_where(scope: Scope, days: int) -> list:
    """What repeat findings count: the window's findings but positive practice and praise."""
    return [
        recent(Finding, Finding.received_at, scope, days),
        Finding.kind != "positive_practice",
        or_(Finding.sentiment.is_(None), Finding.sentiment != "positive"),
    ]


def shared_window(scope: Scope) -> list[tuple] | None:
    """Counts only: repeat findings' window grouped once, families chasing's rows within it.

    Rows (service_id, area, source, chasing, question_id when chasing, count). None when
    records are to be named or the two windows differ: each signal then reads its own.
    Every finding families chasing counts (negative feedback) is one repeat findings reads.
    """
    days = scope.limit("repeat_finding_window_days")
    if scope.refs or days != scope.limit("chasing_window_days"):
        return None
    if "window" not in scope.shared:
        chasing = and_(
            Finding.kind == "feedback",
            Finding.sentiment == "negative",
            Finding.respondent_type.in_(CHASERS),
        )
        rows = (
            select(
                Finding.service_id.label("service_id"),
                Finding.area.label("area"),
                Finding.source.label("source"),
                case((chasing, 1), else_=0).label("chasing"),
                case((chasing, Finding.question_id)).label("question"),
            )
            .where(*repeat_where(scope, days))
            .subquery()
        )
        # Grouped outside: PostgreSQL matches GROUP BY to the select list by column.
        query = select(*rows.c, func.count()).group_by(*rows.c)
        scope.shared["window"] = db.session.execute(query).all()
    return scope.shared["window"]


def looked_at(scope: Scope, days: int, rows: str):
    """The window's walkarounds and lone visibility checks, as two selects.

    ``rows``: "lone", those that produced no follow-up (service_id, kind, id, detail);
    "all", every one (service_id); "flag", every one with ``flag`` 1 where none followed.
    """
    followed = exists().where(
        Finding.walkaround_id == Walkaround.id,
        Finding.deleted_at.is_(None),
        or_(Finding.follow_up_needed.is_(True), Finding.log_entry_id.is_not(None)),
    )
    # "No walkaround" and "not linked" match most findings: read the window by time.
    lone_check = and_(
        recent(Finding, Finding.received_at, scope, days),
        Finding.kind == "visibility_check",
        unindexed(Finding.walkaround_id).is_(None),
    )
    unfollowed = and_(
        Finding.follow_up_needed.is_(False), unindexed(Finding.log_entry_id).is_(None)
    )
    in_window = recent(Walkaround, Walkaround.started_at, scope, days)
    if rows == "all":
        return (
            select(Walkaround.service_id.label("service_id")).where(in_window),
            select(Finding.service_id.label("service_id")).where(lone_check),
        )
    rounds = select(*ref_columns(Walkaround, "walkaround", Walkaround.started_at))
    checks = select(*ref_columns(Finding, "finding", Finding.received_at))
    if rows == "lone":
        return rounds.where(in_window, ~followed), checks.where(lone_check, unfollowed)
    return (
        rounds.add_columns(case((followed, 0), else_=1).label("flag")).where(in_window),
        checks.add_columns(case((unfollowed, 1), else_=0).label("flag")).where(lone_check),
    )
