"""The CSV of a month's entries: one row per entry that was open at some moment of the
month (or given an escalation decision in it), with a yes/no column for each figure of the
governance report it counts in, and the report appendix's columns: the rows marked "In the
appendix" are the appendix's rows, with the same values."""

from collections import defaultdict

from sqlalchemy import func, select

from server.accounts.models import User
from server.common.dates import london_date
from server.common.rendering import csv_text
from server.extensions import db
from server.framework.models import QualityStatement
from server.log.models import CarryForward, LogEntry, entry_statement
from server.reports import appendix
from server.reports.entries import FIGURES, due_at_end, flag_columns, original_due
from server.reports.scope import ReportScope, month_of, report_scope

FLAG_COLUMNS = {
    "opened": "Opened in the month",
    "closed": "Closed in the month",
    "overdue": "Overdue at month end",
    "past_due_waiting": "Past due, waiting for check or sign-off at month end",
    "closed_within_timescale": "Completed within timescale",
    "high_risk_open": "High risk and open at month end",
}
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
    *(FLAG_COLUMNS[name] for name in FIGURES),
    "Quality statements",
    # The appendix's own columns (server.reports.appendix), then whether it lists the row.
    *(c for c in appendix.COLUMNS if c not in ("Service", "Concern", "Decision", "Opened on")),
    "In the appendix",
]
_ENTRY_COLUMNS = tuple(
    dict.fromkeys(
        (
            "source",
            "risk",
            "evidence_needed",
            "interim_controls",
            "completed_on",
            *appendix.ENTRY_COLUMNS,
        )
    )
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
    query = appendix.with_people(
        select(
            *(getattr(LogEntry, name) for name in _ENTRY_COLUMNS),
            User.display_name.label("owner"),
            original_due().label("original_due"),
            due_at_end(period).label("due_at_end"),
            moves.label("moves"),
            *(col.label(name) for name, col in flags.items()),
            appendix.group_column(period),
        )
        .outerjoin(User, User.id == LogEntry.owner_id)
        .where(appendix.in_month_scope(period, scope.ids))
        .order_by(LogEntry.opened_at, LogEntry.id)
    )
    rows = db.session.execute(query).all()
    codes = _statement_codes([row.id for row in rows])
    order = {sid: i for i, sid in enumerate(scope.ids)}
    rows.sort(key=lambda row: order[row.service_id])  # stable: by service, then opened
    return scope, csv_text(COLUMNS, (_row(scope, row, codes) for row in rows))


def _row(scope: ReportScope, row, codes: dict) -> list:
    shown = appendix.cells(scope, row)
    values = {
        **shown,
        "Entry id": row.id,
        "Source": row.source,
        "Risk": row.risk,
        "Status now": row.status,
        "Owner": row.owner or "",
        "Evidence needed": row.evidence_needed,
        "Interim controls": row.interim_controls,
        "Original due date": row.original_due,
        "Due date at month end": row.due_at_end,
        "Times carried forward": row.moves,
        "First marked done on": row.completed_on,
        "Closed on": london_date(row.closed_at) if row.closed_at else None,
        **{FLAG_COLUMNS[name]: bool(getattr(row, name)) for name in FIGURES},
        "Quality statements": "; ".join(sorted(codes.get(row.id, ()))),
        "In the appendix": row.appendix_group is not None,
    }
    return [values[column] for column in COLUMNS]


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
