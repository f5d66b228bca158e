"""One page of a select, with the paging the API puts in the body."""

from sqlalchemy import func

from server.extensions import db


def paged(select, page: int, per_page: int) -> dict:
    """Run ``select`` for one page: {"items", "page", "per_page", "total", "has_more"}."""
    total = db.session.scalar(db.select(func.count()).select_from(select.order_by(None).subquery()))
    items = db.session.scalars(select.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "has_more": page * per_page < total,
    }
