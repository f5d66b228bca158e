"""Reading the log: the entries a person may see, filtered and sorted."""

from datetime import date

from sqlalchemy import case, not_

from server.accounts.permissions import service_ids_for
from server.common import dates
from server.common.access import get_service
from server.extensions import db
from server.log.figures import FIGURES
from server.log.models import LogEntry, entry_statement
from server.log.search import search
from server.log.signals import entry_signal_clause
from server.providers.models import Provider, Service

_SORTS = {
    "due_date": (LogEntry.due_date.is_(None), LogEntry.due_date),
    "-due_date": (LogEntry.due_date.is_(None), LogEntry.due_date.desc()),
    "updated_at": (LogEntry.updated_at,),
    "-updated_at": (LogEntry.updated_at.desc(),),
    "created_at": (LogEntry.created_at,),
    "-created_at": (LogEntry.created_at.desc(),),
    "risk": (
        case({"high": 0, "medium": 1, "low": 2}, value=LogEntry.risk),
        LogEntry.due_date.is_(None),
        LogEntry.due_date,
    ),
}
SORTS = tuple(_SORTS)


def _overdue_clause(today: date, overdue: bool):
    """``overdue=true``: the figure "overdue"; false: every other entry (deleted ones are
    never listed)."""
    clause = FIGURES["overdue"].clause(today)
    return clause if overdue else not_(clause)


def list_entries(user, filters: dict):
    """Return a select of the entries ``user`` may read, filtered and sorted."""
    stmt = db.select(LogEntry).where(LogEntry.deleted_at.is_(None))
    if filters.get("service_id"):
        service = get_service(user, filters["service_id"], "entry.read")
        stmt = stmt.where(LogEntry.service_id == service.id)
    readable = service_ids_for(user, "entry.read")
    if readable is None:
        stmt = stmt.join(Service, Service.id == LogEntry.service_id).where(
            Service.provider_id == user.provider_id
        )
    else:
        stmt = stmt.where(LogEntry.service_id.in_(readable))
    for name in ("status", "risk", "source", "owner_id"):
        value = filters.get(name)
        if value:
            column = getattr(LogEntry, name)
            stmt = stmt.where(
                column.in_(value) if isinstance(value, (list, tuple)) else column == value
            )
    if filters.get("overdue") is not None:
        stmt = stmt.where(_overdue_clause(dates.london_today(), filters["overdue"]))
    if filters.get("figure"):
        stmt = stmt.where(FIGURES[filters["figure"]].clause(dates.london_today()))
    if filters.get("statement_id"):
        stmt = stmt.where(
            LogEntry.id.in_(
                db.select(entry_statement.c.entry_id).where(
                    entry_statement.c.statement_id == filters["statement_id"]
                )
            )
        )
    if filters.get("signal"):
        provider = db.session.get(Provider, user.provider_id)
        stmt = stmt.where(entry_signal_clause(provider, filters["signal"]))
    if filters.get("q"):
        stmt = search(stmt, filters["q"])
    return stmt.order_by(*_SORTS[filters.get("sort") or "-updated_at"], LogEntry.id)
