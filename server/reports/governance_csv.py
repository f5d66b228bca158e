"""The CSV of a month's entries: one row per entry that was open at some moment of the
month, with a yes/no column for each figure of the governance report it counts in."""

from collections import defaultdict

from sqlalchemy import func, select

from server.accounts.models import User
from server.common.dates import london_date
from server.common.rendering import csv_text
from server.extensions import db
from server.framework.models import QualityStatement
from server.log.models import CarryForward, LogEntry, entry_statement
from server.reports.entries import FIGURES, due_at_end, flag_columns, live_in, original_due
from server.reports.scope import ReportScope, month_of, report_scope

COLUMNS = [
    "Service",
    "Entry id",
    "Concern",
    "Source",
    "Risk",
    "Status now",
    "Owner",
    "Decision",
    "Evidence needed",
    "Interim controls",
    "Original due date",
    "Due date at month end",
    "Times carried forward",
    "Opened on",
    "First marked done on",
    "Closed on",
    "Opened in the month",
    "Closed in the month",
    "Overdue at month end",
    "Completed within timescale",
    "High risk and open at month end",
    "Quality statements",
]
_ENTRY_COLUMNS = (
    "id",
    "service_id",
    "concern",
    "source",
    "risk",
    "status",
    "decision",
    "evidence_needed",
    "interim_controls",
    "opened_at",
    "completed_on",
    "closed_at",
)


def governance_csv(user, month, service_id=None) -> tuple[ReportScope, str]:
    """Return the scope and the CSV text of the month's entries for the services in scope."""
    scope = report_scope(user, service_id)
    period = month_of(month)
    flags = flag_columns(period)
    moves = (
        select(func.count(CarryForward.id))
        .where(CarryForward.entry_id == LogEntry.id)
        .scalar_subquery()
    )
    # Plain columns, not LogEntry objects: an entity would load its statements, evidence
    # and carry-forwards (selectin) for every row of a 50,000-row month.
    query = (
        select(
            *(getattr(LogEntry, name) for name in _ENTRY_COLUMNS),
            User.display_name.label("owner"),
            original_due().label("original_due"),
            due_at_end(period).label("due_at_end"),
            moves.label("moves"),
            *(col.label(name) for name, col in flags.items()),
        )
        .outerjoin(User, User.id == LogEntry.owner_id)
        .where(live_in(period, scope.ids))
        .order_by(LogEntry.opened_at, LogEntry.id)
    )
    rows = db.session.execute(query).all()
    codes = _statement_codes([row.id for row in rows])
    order = {sid: i for i, sid in enumerate(scope.ids)}
    rows.sort(key=lambda row: order[row.service_id])  # stable: by service, then opened
    return scope, csv_text(COLUMNS, (_row(scope, row, codes) for row in rows))


def _row(scope: ReportScope, row, codes: dict) -> list:
    return [
        scope.name(row.service_id),
        row.id,
        row.concern,
        row.source,
        row.risk,
        row.status,
        row.owner or "",
        row.decision,
        row.evidence_needed,
        row.interim_controls,
        row.original_due,
        row.due_at_end,
        row.moves,
        london_date(row.opened_at) if row.opened_at else None,
        row.completed_on,
        london_date(row.closed_at) if row.closed_at else None,
        *(bool(getattr(row, name)) for name in FIGURES),
        "; ".join(sorted(codes.get(row.id, ()))),
    ]


def _statement_codes(ids, chunk: int = 500) -> dict:
    """Entry id -> the codes of its quality statements ("S1", "WL2", ...)."""
    out: dict = defaultdict(list)
    for start in range(0, len(ids), chunk):
        query = (
            select(entry_statement.c.entry_id, QualityStatement.code)
            .join(QualityStatement, QualityStatement.id == entry_statement.c.statement_id)
            .where(entry_statement.c.entry_id.in_(ids[start : start + chunk]))
        )
        for entry_id, code in db.session.execute(query):
            out[entry_id].append(code)
    return out
