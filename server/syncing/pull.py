"""Incremental pull: what changed after a cursor, in server change order, in the user's scope.

The scope of DESIGN.md: a floor tablet holds its user's own findings and walkarounds of the
last 28 days, the entries they own or whose findings they recorded, and their services'
entries changed in the last 14 days, with those entries' notes and evidence. Roles that see
every finding (finding.read_all) also hold their services' findings of the last 28 days and
every entry not yet closed. Conflicts travel to their author's devices and to the roles that
resolve them. The response names the services in scope: a device drops what it holds of any
other service (a role removed, a user moved).
"""

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.util import ClauseAdapter

from server.accounts.permissions import service_ids_for
from server.common.changes import committed_high_water
from server.common.types import utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note, entry_statement
from server.providers.models import Service
from server.syncing import records
from server.syncing.models import SyncConflict
from server.syncing.store import conflict_of

TABLES = {name: model.__table__ for name, model in records.MODELS.items()} | {
    "conflict": SyncConflict.__table__}
OWN_DAYS = 28
SERVICE_ENTRY_DAYS = 14
WINDOW = 5000
"""How far behind the high-water mark a cursor may be for a pull to find its changes by
change number first (see page_queries)."""


def _services(user, action: str):
    ids = service_ids_for(user, action)
    if ids is None:
        return select(Service.id).where(Service.provider_id == user.provider_id)
    return ids


def _entry_scope(user, now):
    readable = _services(user, "entry.read")
    desk = _services(user, "finding.read_all")
    recorded = select(Finding.log_entry_id).where(
        Finding.recorded_by == user.id, Finding.log_entry_id.is_not(None)
    )
    return and_(
        LogEntry.service_id.in_(readable),
        or_(
            LogEntry.owner_id == user.id,
            LogEntry.id.in_(recorded),
            LogEntry.updated_at >= now - timedelta(days=SERVICE_ENTRY_DAYS),
            and_(LogEntry.service_id.in_(desk), LogEntry.status != "closed"),
        ),
    )


def _queries(user, now):
    """Return {entity_type: select of the rows in scope}: table columns, not ORM objects."""
    since = now - timedelta(days=OWN_DAYS)
    desk = _services(user, "finding.read_all")
    entries = _entry_scope(user, now)
    in_scope_entries = select(LogEntry.id).where(entries)
    conflict_services = _services(user, "conflict.resolve")
    return {
        "finding": select(Finding.__table__).where(
            Finding.received_at >= since,
            or_(Finding.recorded_by == user.id, Finding.service_id.in_(desk)),
            Finding.service_id.in_(_services(user, "finding.create")),
        ),
        "walkaround": select(Walkaround.__table__).where(
            Walkaround.conducted_by == user.id, Walkaround.received_at >= since
        ),
        "log_entry": select(LogEntry.__table__).where(entries),
        "note": select(Note.__table__).where(Note.entry_id.in_(in_scope_entries)),
        "evidence": select(EvidenceRef.__table__).where(
            EvidenceRef.entry_id.in_(in_scope_entries)
        ),
        "conflict": select(SyncConflict.__table__).where(
            or_(SyncConflict.other_author == user.id,
                SyncConflict.service_id.in_(conflict_services))
        ),
    }


def scope_service_ids(user) -> list[str]:
    ids = service_ids_for(user, "entry.read")
    if ids is None:
        ids = db.session.scalars(_services(user, "entry.read")).all()
    return sorted(str(i) for i in ids)


def _change(entity_type: str, row, statements: dict) -> dict:
    deleted = row["deleted_at"] is not None
    if entity_type == "conflict":
        body = conflict_of(SimpleNamespace(**row)).to_dict()
    elif deleted:
        body = None
    else:
        body = records.plain_row(entity_type, row, statements.get(row["id"], ()))
    return {
        "entity_type": entity_type,
        "id": str(row["id"]),
        "change_seq": row["change_seq"],
        "version": row["version"],
        "deleted": deleted,
        "record": body,
    }


def _statements(rows) -> dict:
    """Return {entry id: [statement ids]} for the log entries among ``rows``."""
    ids = [row["id"] for entity_type, row in rows if entity_type == "log_entry"]
    out: dict = {}
    if ids:
        links = db.session.execute(
            select(entry_statement.c.entry_id, entry_statement.c.statement_id)
            .where(entry_statement.c.entry_id.in_(ids))
        )
        for entry_id, statement_id in links:
            out.setdefault(entry_id, []).append(statement_id)
    return out


def page_queries(user, cursor: int, high: int, limit: int, now) -> dict:
    """Return {entity_type: the select of its next page}; the tables with none are left out.

    Every change number belongs to exactly one row of one table, so a cursor at most WINDOW
    changes behind the high-water mark (every pull but a first sync) has at most WINDOW
    rows to look at in all tables together. Those are found by change_seq alone, and the
    scope is then checked on just those ids, so that no planner can prefer a scope index
    and sort a service's whole history (13.7 s a page at 1,000,000 findings, before).
    """
    out = {}
    narrow = high - cursor <= WINDOW
    for entity_type, query in _queries(user, now).items():
        table = TABLES[entity_type]
        window = (table.c.change_seq > cursor, table.c.change_seq <= high)
        if narrow:
            if db.session.scalar(select(table.c.id).where(*window).limit(1)) is None:
                continue
            # Materialised, the window's few rows are read by change_seq first; the scope
            # is then checked on them alone.
            rows = select(table).where(*window).cte(f"{table.name}_window")
            rows = rows.prefix_with("MATERIALIZED")
            query = select(rows).where(ClauseAdapter(rows).traverse(query.whereclause))
            table = rows
        else:
            query = query.where(*window)
        out[entity_type] = query.order_by(table.c.change_seq).limit(limit + 1)
    return out


def pull(user, cursor: int, limit: int, now=None) -> dict:
    """Return one page of changes after ``cursor`` that ``user`` may hold."""
    now = now or utcnow()
    high = committed_high_water(db.session)
    rows = []
    for entity_type, query in page_queries(user, cursor, high, limit, now).items():
        page = db.session.execute(query).mappings().all()
        rows.extend((r["change_seq"], entity_type, r) for r in page)
    rows.sort(key=lambda row: row[0])
    taken = rows[:limit]
    # Every table gave up to limit+1 rows in order, so all changes up to the last one taken
    # are here; more remain if anything was left over.
    has_more = len(rows) > limit
    # With nothing left, everything in scope up to the high-water mark has been sent.
    next_cursor = taken[-1][0] if has_more else max(cursor, high)
    statements = _statements([(t, r) for _, t, r in taken])
    return {
        "changes": [_change(t, r, statements) for _, t, r in taken],
        "next_cursor": next_cursor,
        "has_more": has_more,
        "high_water": high,
        "scope": {"service_ids": scope_service_ids(user), "own_days": OWN_DAYS,
                  "service_entry_days": SERVICE_ENTRY_DAYS},
    }
