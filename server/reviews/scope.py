"""What a review looks at: the service's entries under review, in groups, a page at a time.

An entry is under review when it has been opened and is not closed, or when it closed
since the last review of the same kind (for a first review: within one review interval,
the provider's setting). Groups: open, in progress, done (marked done, awaiting sign-off
or closed in the period) and overdue (rule 8: the owner is past the due date).
"""

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from server.accounts.permissions import require
from server.common import dates
from server.common.types import utcnow
from server.extensions import db
from server.log.figures import FIGURES
from server.log.models import LogEntry
from server.providers.models import Provider, Service
from server.reviews.models import Review, ReviewItem

SHOWS = ("all", "open", "in_progress", "done", "overdue")
DONE = ("awaiting_check", "awaiting_sign_off", "closed")
INTERVALS = {
    "rm_weekly": "rm_review_interval_days",
    "provider_monthly": "provider_review_interval_days",
    "ad_hoc": "rm_review_interval_days",
}


def period_start(service: Service, kind: str, now: datetime) -> tuple[datetime, Review | None]:
    """Return when the period under review began, and the last review of ``kind`` (ad hoc:
    of any kind) that began it, if there was one."""
    query = db.select(Review).where(Review.service_id == service.id)
    if kind != "ad_hoc":
        query = query.where(Review.kind == kind)
    last = db.session.scalars(query.order_by(Review.reviewed_at.desc(), Review.id).limit(1)).first()
    if last is not None:
        return last.reviewed_at, last
    provider = db.session.get(Provider, service.provider_id)
    return now - timedelta(days=provider.threshold(INTERVALS[kind])), None


def _groups(today: date) -> dict:
    return {
        "all": None,
        "open": LogEntry.status == "open",
        "in_progress": LogEntry.status == "in_progress",
        "done": LogEntry.status.in_(DONE),
        "overdue": FIGURES["overdue"].clause(today),
    }


def _under_review(service: Service, since: datetime):
    return and_(
        LogEntry.service_id == service.id,
        LogEntry.deleted_at.is_(None),
        LogEntry.status != "draft",
        or_(LogEntry.status != "closed", LogEntry.closed_at >= since),
    )


def review_scope(
    user,
    service: Service,
    kind: str,
    show: str = "all",
    page: int = 1,
    per_page: int = 50,
    now: datetime | None = None,
) -> dict:
    """Return the period under review, counts per group and one page of ``show``'s entries,
    each with whether it is overdue and the latest review outcome recorded on it."""
    require(user, "review.read", service)
    now = now or utcnow()
    today = dates.london_date(now)
    since, last = period_start(service, kind, now)
    groups = _groups(today)
    where = _under_review(service, since)
    columns = [
        func.count() if c is None else func.sum(case((c, 1), else_=0)) for c in groups.values()
    ]
    counts = dict(zip(groups, db.session.execute(select(*columns).where(where)).one(), strict=True))
    query = select(LogEntry).where(where)
    if groups[show] is not None:
        query = query.where(groups[show])
    query = query.order_by(
        case({"high": 0, "medium": 1, "low": 2}, value=LogEntry.risk),
        LogEntry.due_date.is_(None),
        LogEntry.due_date,
        LogEntry.id,
    )
    entries = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    latest = latest_items([e.id for e in entries])
    total = counts[show] or 0
    return {
        "service_id": service.id,
        "kind": kind,
        "show": show,
        "since": since,
        "last_review": last,
        "counts": {name: n or 0 for name, n in counts.items()},
        "items": [
            {
                "entry": e,
                "overdue": FIGURES["overdue"].holds(e, today),
                "latest_review": latest.get(e.id),
            }
            for e in entries
        ],
        "page": page,
        "per_page": per_page,
        "total": total,
        "has_more": page * per_page < total,
    }


def latest_items(entry_ids: list[uuid.UUID]) -> dict:
    """Return {entry id: its newest ReviewItem} for the entries given."""
    if not entry_ids:
        return {}
    rows = db.session.scalars(
        select(ReviewItem)
        .join(Review, Review.id == ReviewItem.review_id)
        .where(ReviewItem.entry_id.in_(entry_ids))
        .order_by(Review.reviewed_at.desc(), ReviewItem.id.desc())
    )
    out: dict = {}
    for item in rows:
        out.setdefault(item.entry_id, item)
    return out
