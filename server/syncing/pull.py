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

from sqlalchemy import and_, or_, select

from server.accounts.permissions import service_ids_for
from server.common.changes import committed_high_water
from server.common.types import utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note
from server.providers.models import Service
from server.syncing import records
from server.syncing.models import SyncConflict

OWN_DAYS = 28
SERVICE_ENTRY_DAYS = 14


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
    since = now - timedelta(days=OWN_DAYS)
    desk = _services(user, "finding.read_all")
    entries = _entry_scope(user, now)
    in_scope_entries = select(LogEntry.id).where(entries)
    conflict_services = _services(user, "conflict.resolve")
    return {
        "finding": select(Finding).where(
            Finding.received_at >= since,
            or_(Finding.recorded_by == user.id, Finding.service_id.in_(desk)),
            Finding.service_id.in_(_services(user, "finding.create")),
        ),
        "walkaround": select(Walkaround).where(
            Walkaround.conducted_by == user.id, Walkaround.received_at >= since
        ),
        "log_entry": select(LogEntry).where(entries),
        "note": select(Note).where(Note.entry_id.in_(in_scope_entries)),
        "evidence": select(EvidenceRef).where(EvidenceRef.entry_id.in_(in_scope_entries)),
        "conflict": select(SyncConflict).where(
            or_(SyncConflict.other_author == user.id,
                SyncConflict.service_id.in_(conflict_services))
        ),
    }


def scope_service_ids(user) -> list[str]:
    ids = service_ids_for(user, "entry.read")
    if ids is None:
        ids = db.session.scalars(_services(user, "entry.read")).all()
    return sorted(str(i) for i in ids)


def _change(entity_type: str, record) -> dict:
    deleted = record.deleted_at is not None
    if entity_type == "conflict":
        from server.syncing.store import conflict_of

        body = conflict_of(record).to_dict()
    else:
        body = None if deleted else records.plain(entity_type, record)
    return {
        "entity_type": entity_type,
        "id": str(record.id),
        "change_seq": record.change_seq,
        "version": record.version,
        "deleted": deleted,
        "record": body,
    }


def pull(user, cursor: int, limit: int, now=None) -> dict:
    """Return one page of changes after ``cursor`` that ``user`` may hold."""
    now = now or utcnow()
    high = committed_high_water(db.session)
    rows = []
    for entity_type, query in _queries(user, now).items():
        model = query.column_descriptions[0]["entity"]
        page = db.session.scalars(
            query.where(model.change_seq > cursor, model.change_seq <= high)
            .order_by(model.change_seq)
            .limit(limit + 1)
        ).all()
        rows.extend((r.change_seq, entity_type, r) for r in page)
    rows.sort(key=lambda row: row[0])
    taken = rows[:limit]
    # Every table gave up to limit+1 rows in order, so all changes up to the last one taken
    # are here; more remain if anything was left over.
    has_more = len(rows) > limit
    # With nothing left, everything in scope up to the high-water mark has been sent.
    next_cursor = taken[-1][0] if has_more else max(cursor, high)
    return {
        "changes": [_change(t, r) for _, t, r in taken],
        "next_cursor": next_cursor,
        "has_more": has_more,
        "high_water": high,
        "scope": {"service_ids": scope_service_ids(user), "own_days": OWN_DAYS,
                  "service_entry_days": SERVICE_ENTRY_DAYS},
    }
