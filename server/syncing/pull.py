"""Incremental pull: what changed after a cursor, in server change order, in the user's scope.

Which rows a user's devices hold is server.syncing.pull_scope; how each row becomes the
change a device receives is server.syncing.pull_changes (through the record serializers);
the device binding a pull reads and records is server.syncing.pull_device. This module
finds a page: which tables to read, how, and where the next page starts.
"""

import contextlib
import functools
import gc

from sqlalchemy import Integer, func, literal, select, union_all

from server.common.changes import committed_high_water
from server.common.types import utcnow
from server.extensions import db
from server.log import allowed
from server.syncing import records, wire
from server.syncing.models import SyncConflict
from server.syncing.pull_changes import changes as made_changes
from server.syncing.pull_scope import (
    OWN_DAYS,
    SERVICE_ENTRY_DAYS,
    Unindexed,
    in_scope,
    param,
    scope_params,
    scope_service_ids,
)
from server.syncing.pull_stories import stories

TABLES = {name: model.__table__ for name, model in records.MODELS.items()} | {
    "conflict": SyncConflict.__table__
}
WINDOW = 5000
"""How far behind the high-water mark a cursor may be for a pull to find its changes by
change number first (see page_queries)."""
SEQ_AT = {name: list(table.c.keys()).index("change_seq") for name, table in TABLES.items()}
DENSE = 2
"""A pull further behind first reads the next DENSE x (limit + 1) rows of a table by change
number; when limit + 1 of them are in scope, they are the page (see page_queries)."""


@functools.lru_cache(maxsize=512)
def _statement(entity_type: str, mode: str, wide: frozenset):
    """Return the select of one table's next page, with parameters (built once per shape).

    ``mode``: "full" reads the table through the scope alone (any index the planner likes);
    "window" reads its rows in (cursor, high] by change_seq and checks the scope on each;
    "first" does the same on just the first ``span`` of those rows.
    """
    table = TABLES[entity_type]
    seq = table.c.change_seq
    cursor, high = param("cursor", Integer()), param("high", Integer())
    if mode == "full":
        where = [in_scope(entity_type, table.c, wide), seq > cursor, seq <= high]
    else:
        if mode == "first":
            first = (
                select(seq)
                .where(seq > cursor, seq <= high)
                .order_by(seq)
                .limit(param("span", Integer()))
                .subquery()
            )
            high = select(func.max(first.c.change_seq)).scalar_subquery()
        where = [seq > cursor, seq <= high, in_scope(entity_type, Unindexed(table.c), wide)]
    columns = list(table.c) if entity_type == "conflict" else wire.raw_columns(table.c)
    return select(*columns).where(*where).order_by(seq).limit(param("limit", Integer()))


@functools.lru_cache(maxsize=1)
def _probe():
    """Return the select of how many rows each table has in (cursor, high], up to span."""
    cursor, high = param("cursor", Integer()), param("high", Integer())
    span = param("span", Integer())
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
    wide, params = scope_params(user, now)
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
        changes = made_changes(taken, dialect)
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
        # The user's own findings' entries, as much as the story needs (pull_stories).
        "stories": stories(params, wide, cursor, next_cursor, changes),
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
