"""Review cadence (DESIGN.md rule 6): when each service's log was last reviewed, what is due.

The registered manager reviews weekly (``rm_weekly``) and the provider monthly
(``provider_monthly``); the intervals are the provider's settings. Ad hoc reviews are
recorded but do not stand in for either. A service never reviewed is due one interval
after it was set up. A review is overdue from the day after it was due (rule 8).
"""

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from server.accounts.models import User
from server.common.dates import as_of, london_date
from server.extensions import db
from server.providers.models import Provider, Service
from server.providers.services import services_of
from server.reviews.models import Review

TRACKS = (
    ("rm", "rm_weekly", "rm_review_interval_days"),
    ("provider", "provider_monthly", "provider_review_interval_days"),
)


def review_cadence(
    provider: Provider, service_ids=None, today: date | None = None, now: datetime | None = None
) -> list[dict]:
    """Return, per service, the last RM and provider reviews and when the next are due."""
    today, _now = as_of(today, now)
    services = services_of(provider.id, service_ids)
    latest = _latest_reviews([s.id for s in services])
    out = []
    for service in services:
        row: dict = {"service_id": service.id, "service_name": service.name}
        for name, kind, setting in TRACKS:
            row[name] = _track(
                latest.get((service.id, kind)), kind, provider.threshold(setting), service, today
            )
        out.append(row)
    return out


def _latest_reviews(service_ids: list[uuid.UUID]) -> dict:
    """Return {(service_id, kind): (Review, reviewer name)} for the newest review of each."""
    if not service_ids:
        return {}
    kinds = [kind for _, kind, _ in TRACKS]
    newest = (
        select(Review.service_id, Review.kind, func.max(Review.reviewed_at).label("at"))
        .where(Review.service_id.in_(service_ids), Review.kind.in_(kinds))
        .group_by(Review.service_id, Review.kind)
        .subquery()
    )
    rows = db.session.execute(
        select(Review, User.display_name)
        .join(
            newest,
            and_(
                Review.service_id == newest.c.service_id,
                Review.kind == newest.c.kind,
                Review.reviewed_at == newest.c.at,
            ),
        )
        .join(User, User.id == Review.reviewer_id)
        .order_by(Review.id)
    )
    return {(review.service_id, review.kind): (review, name) for review, name in rows}


def _track(latest, kind: str, interval: int, service: Service, today: date) -> dict:
    if latest is None:
        last_on, review, reviewer = None, None, None
        next_due = london_date(service.created_at) + timedelta(days=interval)
    else:
        review, name = latest
        last_on = london_date(review.reviewed_at)
        reviewer = {"id": review.reviewer_id, "display_name": name}
        next_due = last_on + timedelta(days=interval)
    days_overdue = max((today - next_due).days, 0)
    return {
        "kind": kind,
        "interval_days": interval,
        "last_review_id": review.id if review else None,
        "last_reviewed_at": review.reviewed_at if review else None,
        "last_reviewed_on": last_on,
        "reviewed_by": reviewer,
        "outcome": review.outcome if review else None,
        "next_due": next_due,
        "overdue": days_overdue > 0,
        "days_overdue": days_overdue,
    }
