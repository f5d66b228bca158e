"""Incremental pull: what changed after a cursor, in server change order, in the user's scope.

The scope of DESIGN.md: a floor tablet holds its user's own findings and walkarounds of the
last 28 days, the entries they own or whose findings they recorded, and their services'
entries changed in the last 14 days, with those entries' notes and evidence. Roles that see
every finding (finding.read_all) also hold their services' findings of the last 28 days and
every entry not yet closed. Conflicts travel to the roles that resolve them, and to their
author's devices while the author may still read the record. The response names the services in scope: a device drops what it holds of any
other service (a role removed, a user moved).
"""

import contextlib
import functools
import gc
import uuid
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import (
    Integer,
    String,
    Uuid,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy import table as table_of

from server.accounts.permissions import service_ids_for
from server.common.changes import committed_high_water
from server.common.transaction import write_lock
from server.common.types import UTCDateTime, utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log import allowed
from server.log.models import LogEntry, entry_statement
from server.providers.models import Service
from server.syncing import records, wire
from server.syncing.models import Device, SyncConflict
from server.syncing.store import conflict_of

TABLES = {name: model.__table__ for name, model in records.MODELS.items()} | {
    "conflict": SyncConflict.__table__
}
OWN_DAYS = 28
SERVICE_ENTRY_DAYS = 14
WINDOW = 5000
"""How far behind the high-water mark a cursor may be for a pull to find its changes by
change number first (see page_queries)."""
SEQ_AT = {name: list(table.c.keys()).index("change_seq") for name, table in TABLES.items()}
DENSE = 2
"""A pull further behind first reads the next DENSE x (limit + 1) rows of a table by change
number; when limit + 1 of them are in scope, they are the page (see page_queries)."""

# The scope's services per permission: a list, or every service of the user's provider.
ACTIONS = {
    "desk": "finding.read_all",
    "create": "finding.create",
    "entry": "entry.read",
    "conflict": "conflict.resolve",
    "read": "service.read",
}


def _param(name: str, type_):
    return bindparam(name, type_=type_)


USER, SINCE, ENTRY_SINCE = (
    _param("user_id", Uuid()),
    _param("since", UTCDateTime()),
    _param("entry_since", UTCDateTime()),
)


def _ids(name: str, wide: frozenset):
    """The services allowed ``name`` (see ACTIONS), as a parameter or a provider subquery."""
    if name in wide:
        return select(Service.id).where(Service.provider_id == _param("provider_id", Uuid()))
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


def _scope(entity_type: str, c, wide: frozenset):
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


class _Unindexed:
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


@functools.lru_cache(maxsize=512)
def _statement(entity_type: str, mode: str, wide: frozenset):
    """Return the select of one table's next page, with parameters (built once per shape).

    ``mode``: "full" reads the table through the scope alone (any index the planner likes);
    "window" reads its rows in (cursor, high] by change_seq and checks the scope on each;
    "first" does the same on just the first ``span`` of those rows.
    """
    table = TABLES[entity_type]
    seq = table.c.change_seq
    cursor, high = _param("cursor", Integer()), _param("high", Integer())
    if mode == "full":
        where = [_scope(entity_type, table.c, wide), seq > cursor, seq <= high]
    else:
        if mode == "first":
            first = (
                select(seq)
                .where(seq > cursor, seq <= high)
                .order_by(seq)
                .limit(_param("span", Integer()))
                .subquery()
            )
            high = select(func.max(first.c.change_seq)).scalar_subquery()
        where = [seq > cursor, seq <= high, _scope(entity_type, _Unindexed(table.c), wide)]
    columns = list(table.c) if entity_type == "conflict" else wire.raw_columns(table.c)
    return select(*columns).where(*where).order_by(seq).limit(_param("limit", Integer()))


@functools.lru_cache(maxsize=1)
def _probe():
    """Return the select of how many rows each table has in (cursor, high], up to span."""
    cursor, high = _param("cursor", Integer()), _param("high", Integer())
    span = _param("span", Integer())
    counts = []
    for entity_type, table in TABLES.items():
        window = (
            select(table.c.change_seq)
            .where(table.c.change_seq > cursor, table.c.change_seq <= high)
            .limit(span)
            .subquery()
        )
        counts.append(
            select(
                literal(entity_type).label("entity_type"), func.count().label("rows")
            ).select_from(window)
        )
    return union_all(*counts)


def _scope_params(user, now) -> tuple[frozenset, dict]:
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


def _plans(user, cursor: int, high: int, limit: int, now) -> tuple[list, dict, frozenset]:
    """Return [(entity_type, mode, statement)] of the tables to read, their parameters and
    the services' shape.

    Every change number belongs to exactly one row of one table, so a cursor at most WINDOW
    changes behind the high-water mark (every pull but a first sync) has at most WINDOW
    rows to look at in all tables together: those are found by change_seq alone, and the
    scope is checked on just them. Further behind, a table whose next rows are mostly in
    scope (a first sync of one's own records) is read the same way, DENSE x (limit + 1)
    rows at a time; pull() falls back to the scope alone when too few of them are.
    """
    wide, params = _scope_params(user, now)
    params.update(cursor=cursor, high=high, limit=limit + 1, span=DENSE * (limit + 1))
    narrow = high - cursor <= WINDOW
    plans = []
    for entity_type, rows in db.session.execute(_probe(), params).all():
        if rows:
            mode = "window" if narrow or rows < params["span"] else "first"
            plans.append((entity_type, mode, _statement(entity_type, mode, wide)))
    return plans, params, wide


def page_queries(user, cursor: int, high: int, limit: int, now) -> dict:
    """Return {entity_type: the select of its next page, parameters bound}; empty tables left out.

    For reading plans (bench.explain); pull() runs the same statements.
    """
    plans, params, _wide = _plans(user, cursor, high, limit, now)
    return {entity_type: statement.params(params) for entity_type, _mode, statement in plans}


def scope_service_ids(user, params: dict | None = None) -> list[str]:
    """Return the ids of the services in the user's scope (``params``: a page's, if read)."""
    ids = params.get("entry") if params is not None else service_ids_for(user, "entry.read")
    if ids is None:
        ids = db.session.scalars(
            select(Service.id).where(Service.provider_id == user.provider_id)
        ).all()
    return sorted(str(i) for i in ids)


def _conflict_change(row) -> dict:
    deleted = row["deleted_at"] is not None
    return {
        "entity_type": "conflict",
        "id": str(row["id"]),
        "change_seq": row["change_seq"],
        "version": row["version"],
        "deleted": deleted,
        "record": conflict_of(SimpleNamespace(**row)).to_dict(),
    }


def _statements(entry_ids: list[str]) -> dict:
    """Return {entry wire id: [statement ids]} for the log entries of a page."""
    out: dict = {}
    if entry_ids:
        links = db.session.execute(
            select(entry_statement.c.entry_id, entry_statement.c.statement_id).where(
                entry_statement.c.entry_id.in_([uuid.UUID(i) for i in entry_ids])
            )
        )
        for entry_id, statement_id in links:
            out.setdefault(str(entry_id), []).append(statement_id)
    return out


def _read(entity_type: str, mode: str, statement, params: dict, limit: int, wide) -> list:
    """Return the table's next page of rows (raw, but mappings for conflicts)."""
    if entity_type == "conflict":
        rows = db.session.execute(statement, params).mappings().all()
    else:
        # The columns have no result processors, so the driver's own tuples are the rows:
        # building a Row for each was a third of the read.
        result = db.session.connection().execute(statement, params)
        rows = result.cursor.fetchall()
        result.close()
    if mode == "first" and len(rows) <= limit:
        # Too few of the next rows are in scope: read the table through the scope alone.
        return _read(
            entity_type, "full", _statement(entity_type, "full", wide), params, limit, wide
        )
    return rows


def pull(user, cursor: int, limit: int, now=None, high: int | None = None) -> dict:
    """Return one page of changes after ``cursor`` that ``user`` may hold.

    ``high``: the committed high-water mark, when the caller has just read it.
    """
    now = now or utcnow()
    high = committed_high_water(db.session) if high is None else high
    plans, params, wide = _plans(user, cursor, high, limit, now)
    dialect = db.session.get_bind().dialect
    rows = []
    with _no_collection():
        for entity_type, mode, statement in plans:
            page = _read(entity_type, mode, statement, params, limit, wide)
            if entity_type == "conflict":
                rows.extend((r["change_seq"], entity_type, r) for r in page)
                continue
            at = SEQ_AT[entity_type]
            rows.extend((r[at], entity_type, r) for r in page)
        rows.sort(key=lambda row: row[0])
        taken = rows[:limit]
        changes = _changes(taken, dialect)
    # Every table gave up to limit+1 rows in order, so all changes up to the last one taken
    # are here; more remain if anything was left over.
    has_more = len(rows) > limit
    # With nothing left, everything in scope up to the high-water mark has been sent.
    next_cursor = taken[-1][0] if has_more else max(cursor, high)
    body = {
        "changes": changes,
        "next_cursor": next_cursor,
        "has_more": has_more,
        "high_water": high,
        "scope": {
            "service_ids": scope_service_ids(user, params),
            "own_days": OWN_DAYS,
            "service_entry_days": SERVICE_ENTRY_DAYS,
        },
    }
    allowed.for_pull(user, body)
    return body


@contextlib.contextmanager
def _no_collection():
    """Hold the cyclic collector off while a page is read and made.

    A page of 1,000 is some 30,000 new objects that all live until it is sent, so each
    collection they trigger scans them and finds no cycle (as in the push).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _changes(taken: list, dialect) -> list[dict]:
    makers = {t: wire.change_maker(t, TABLES[t], dialect) for t in records.MODELS}
    makers["conflict"] = _conflict_change
    changes = [makers[t](r) for _, t, r in taken]
    if not any(t == "log_entry" for _, t, _r in taken):
        return changes
    entries = [c for c in changes if c["entity_type"] == "log_entry" and c["record"]]
    statements = _statements([c["id"] for c in entries])
    for change in entries:
        change["record"]["statements"] = sorted(statements.get(change["id"], ()))
    return changes


_COUNTER = table_of("change_counter", column("id"), column("value"))


@functools.lru_cache(maxsize=1)
def _device_statement():
    devices = Device.__table__
    high = select(_COUNTER.c.value).where(_COUNTER.c.id == 1).scalar_subquery()
    return select(
        devices.c.id,
        devices.c.user_id,
        devices.c.revoked_at,
        devices.c.last_seen_at,
        devices.c.last_mutation_id,
        devices.c.last_mutation_seq,
        high.label("high_water"),
    ).where(devices.c.id == _param("device_id", Uuid()))


def pulling_device(user, device_id: uuid.UUID):
    """Return the user's live device binding (a row) with the committed high-water mark.

    One query for what services.bound_device and common.changes.committed_high_water read
    in two (and an ORM load); None when the device is not this user's or was revoked: the
    caller then asks bound_device, which refuses in its own words.
    """
    row = db.session.execute(_device_statement(), {"device_id": device_id}).first()
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return None
    return row


SEEN_EVERY = timedelta(seconds=60)
"""A pull this soon after the device's last recorded sync is not written down again: the
tablets screen shows sync times to the minute, and the write transaction was most of an
incremental pull's fixed cost (a push just before, in the same sync, has already recorded it)."""


def note_pull(device) -> None:
    """Record a pull as the device's last sync, in a write transaction of its own.

    One UPDATE, and none within SEEN_EVERY of the last one. On SQLite a read transaction
    that starts writing can fail at once when another tablet writes meanwhile; ending the
    read first and taking the write lock up front waits instead.
    """
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return
    device_id = device.id
    write_lock()
    table = Device.__table__
    db.session.execute(update(table).where(table.c.id == device_id).values(last_seen_at=now))
