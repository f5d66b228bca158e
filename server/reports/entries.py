"""The month's entries in SQL: what "opened", "closed", "overdue" and "within timescale"
mean, as column expressions that the figures (one grouped query) and the CSV both use.

The figures about open entries (overdue, past due waiting for check or sign-off, high-risk
open, overdue without interim controls) are server.log.figures' definitions, each read as
at the end of the month (``at_month_end``): the statuses, due date and interim controls
they test are those the entry had then, as far as the log can tell.

Every figure reads the log as it stands when the report is made, at the month's ``as_of``
day (its last day, or today while it runs); see docs/reports.md for each definition.
"""

from types import SimpleNamespace

from sqlalchemy import and_, case, func, not_, or_, select, union_all

from server.accounts.models import User
from server.common.vocab import ENTRY_STATUSES
from server.extensions import db
from server.log.figures import BLANK, OWNER_STATUSES, WAITING_STATUSES
from server.log.figures import FIGURES as LOG_FIGURES
from server.log.models import CarryForward, LogEntry
from server.reports.scope import Month

LIMIT = 25  # rows a printed list shows before "and N more — see the CSV"
FIGURES = (
    "opened",
    "closed",
    "overdue",
    "past_due_waiting",
    "closed_within_timescale",
    "high_risk_open",
)
UNCLOSED = tuple(status for status in ENTRY_STATUSES if status != "closed")


def month_entries(month: Month, ids):
    """Live entries of the services not closed before the month began: a superset of the
    entries open at some moment of it, and of those opened or closed during it.

    Their ids come from three seeks of ix_entry_service_status_closed (status, then
    closing instant): the entries not closed now (a few per cent of the log), and the
    closed ones closed from the month's first instant on (or never stamped); the years
    of closures before the month are never read. As one OR, SQLite would walk each
    service's whole history through an index instead.
    """

    def part(*where):
        return select(LogEntry.id).where(LogEntry.service_id.in_(ids), *where)

    closed = LogEntry.status == "closed"
    ids_of = union_all(
        part(LogEntry.status.in_(UNCLOSED)),
        part(closed, LogEntry.closed_at >= month.start),
        part(closed, LogEntry.closed_at.is_(None)),
    )
    return and_(LogEntry.id.in_(ids_of), LogEntry.deleted_at.is_(None))


def opened_in(month: Month):
    """Opened (draft -> open) during the month."""
    return and_(LogEntry.opened_at >= month.start, LogEntry.opened_at < month.end)


def closed_in(month: Month):
    """Closed during the month and still closed (a high-risk one: signed off)."""
    return and_(
        LogEntry.status == "closed",
        LogEntry.closed_at >= month.start,
        LogEntry.closed_at < month.end,
    )


def open_at_end(month: Month):
    """Opened by the end of ``as_of`` and not closed then (closed later, or not at all).
    Never NULL, so that not_() of it is exactly the rest."""
    return and_(
        LogEntry.opened_at.is_not(None),
        LogEntry.opened_at < month.end,
        or_(LogEntry.closed_at.is_(None), LogEntry.closed_at >= month.end),
    )


def existed_unclosed_at_end(month: Month):
    """Made by the end of ``as_of`` (a draft too) and not closed then."""
    return and_(
        LogEntry.created_at < month.end,
        or_(LogEntry.closed_at.is_(None), LogEntry.closed_at >= month.end),
    )


def no_interim_controls():
    """No interim controls written down (server.log.figures): "None recorded" in the report."""
    return func.trim(func.coalesce(LogEntry.interim_controls, ""), BLANK) == ""


def marked_done_by_end(month: Month):
    """Marked done by the owner by the end of ``as_of`` and not in the owner's hands now:
    waiting for a check or sign-off at month end. "By then" is the day it was first
    marked done (``completed_on``) or the moment it last was (``done_at``); an entry
    waiting now with neither recorded counts as waiting then too. An entry handed back to
    its owner after the month counts as with its owner then: the log keeps no date of
    that hand-back outside the audit trail."""
    unknown = and_(
        LogEntry.completed_on.is_(None),
        LogEntry.done_at.is_(None),
        LogEntry.status.in_(WAITING_STATUSES),
    )
    return and_(
        LogEntry.status.not_in(OWNER_STATUSES),
        # Never NULL, so that not_() of it is exactly the rest.
        or_(
            and_(LogEntry.completed_on.is_not(None), LogEntry.completed_on <= month.as_of),
            and_(LogEntry.done_at.is_not(None), LogEntry.done_at < month.end),
            unknown,
        ),
    )


def status_at_end(month: Month):
    """The status the entry had at the end of ``as_of``, as far as the log can tell:
    closed or a draft when it was not open then; with its owner ("in_progress") until it
    was marked done by then; then waiting for sign-off once checked by then (or waiting
    for sign-off now, with no check recorded), else waiting for a check."""
    checked = and_(LogEntry.checked_at.is_not(None), LogEntry.checked_at < month.end)
    closed = and_(LogEntry.closed_at.is_not(None), LogEntry.closed_at < month.end)
    return case(
        (closed, "closed"),
        (not_(open_at_end(month)), "draft"),
        (not_(marked_done_by_end(month)), "in_progress"),
        (or_(checked, LogEntry.status == "awaiting_sign_off"), "awaiting_sign_off"),
        else_="awaiting_check",
    )


def at_month_end(name: str, month: Month):
    """The figure ``name`` of server.log.figures, as at the end of ``as_of``: its own
    condition (Figure.clause_on) read on the status, due date, risk and interim controls
    the entry had then."""
    then = SimpleNamespace(
        status=status_at_end(month),
        due_date=due_at_end(month),
        risk=LogEntry.risk,
        interim_controls=LogEntry.interim_controls,
    )
    return and_(LogEntry.deleted_at.is_(None), LOG_FIGURES[name].clause_on(then, month.as_of))


def first_move(*where):
    """The due date an entry's first carry-forward (of those ``where``) moved it from."""
    return (
        select(CarryForward.from_date)
        .where(CarryForward.entry_id == LogEntry.id, *where)
        .order_by(CarryForward.id)
        .limit(1)
        .scalar_subquery()
    )


def due_at_end(month: Month):
    """The due date the entry had at the end of ``as_of``: a date moved later is undone."""
    return func.coalesce(first_move(CarryForward.created_at >= month.end), LogEntry.due_date)


def overdue_at_end(month: Month):
    """Overdue (server.log.figures) at the end of ``as_of``: with the owner, past due."""
    return at_month_end("overdue", month)


def past_due_waiting_at_end(month: Month):
    """Past its due date and waiting for a check or sign-off at the end of ``as_of``."""
    return at_month_end("past_due_waiting", month)


def original_due():
    """The first due date: a carried-forward entry is judged by it (DESIGN.md)."""
    return func.coalesce(LogEntry.original_due_date, first_move(), LogEntry.due_date)


def within_timescale(month: Month):
    """Closed in the month, and first marked done on or before its original due date."""
    return and_(
        closed_in(month),
        LogEntry.completed_on.is_not(None),
        LogEntry.completed_on <= original_due(),
    )


def high_risk_open(month: Month):
    return at_month_end("high_risk_open", month)


def was_live(month: Month):
    """Open at some moment of the month: opened by its end, not closed before its start."""
    return and_(
        LogEntry.opened_at < month.end,
        or_(LogEntry.closed_at.is_(None), LogEntry.closed_at >= month.start),
    )


def live_in(month: Month, ids):
    """Entries of the services that were open at some moment of the month."""
    return and_(month_entries(month, ids), was_live(month))


def escalated_in(month: Month):
    """An escalation decision (escalate or not) was recorded during the month."""
    return and_(LogEntry.escalation_at >= month.start, LogEntry.escalation_at < month.end)


def signed_off_in(month: Month):
    """A high-risk closure signed off during the month (and still closed)."""
    return and_(closed_in(month), LogEntry.signed_off_by.is_not(None))


def flag_columns(month: Month) -> dict:
    """Name -> 0/1 column for each figure, for grouping sums or per-row CSV flags."""

    def flag(condition):
        return case((condition, 1), else_=0)

    return {
        "opened": flag(opened_in(month)),
        "closed": flag(closed_in(month)),
        "overdue": flag(overdue_at_end(month)),
        "past_due_waiting": flag(past_due_waiting_at_end(month)),
        "closed_within_timescale": flag(within_timescale(month)),
        "high_risk_open": flag(high_risk_open(month)),
        "escalation": flag(escalated_in(month)),
        "signed_off": flag(signed_off_in(month)),
    }


def month_counts(month: Month, ids) -> dict:
    """Return {(service_id, source): {figure: count}} in one grouped pass over the entries
    that were open at some moment of the month (every figure implies that)."""
    flags = flag_columns(month)
    # Grouped by a wrapped column: on the plain one SQLite walks a (service_id, ...) index
    # in order, a random read of the table per entry, to save sorting a few thousand rows.
    service = func.coalesce(LogEntry.service_id, LogEntry.service_id)
    query = (
        select(
            service.label("service_id"),
            LogEntry.source,
            *(func.sum(flags[name]).label(name) for name in FIGURES),
        )
        .where(live_in(month, ids))
        .group_by(service, LogEntry.source)
    )
    return {
        (row.service_id, row.source): {name: int(getattr(row, name) or 0) for name in FIGURES}
        for row in db.session.execute(query)
    }


def figures_by_service(counts: dict, ids) -> dict:
    """Sum month_counts over sources: {service_id: {figure: count}}."""
    out = {sid: dict.fromkeys(FIGURES, 0) for sid in ids}
    for (sid, _source), values in counts.items():
        for name, n in values.items():
            out[sid][name] += n
    return out


# The figures whose entries the report lists: which entries, in what order.
LISTED = {
    "high_risk_open": (high_risk_open, True),
    "overdue": (overdue_at_end, False),
    "past_due_waiting": (past_due_waiting_at_end, False),
}


def share(part: int, whole: int) -> float | None:
    """A percentage to one decimal place, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def entry_list(month: Month, ids, figure: str, total: int, limit: int = LIMIT) -> dict:
    """Return {"total", "items"}: the first ``limit`` entries a LISTED figure counts
    (``total`` is their count, already known from month_counts), by due date then."""
    condition, undated_first = LISTED[figure]
    due = due_at_end(month)
    order = (due.is_(None), due) if undated_first else (due,)
    rows = db.session.execute(
        select(
            LogEntry,
            User.display_name.label("owner_name"),
            due.label("due_at_end"),
            case((no_interim_controls(), True), else_=False).label("no_controls"),
            case((overdue_at_end(month), True), else_=False).label("overdue"),
        )
        .outerjoin(User, User.id == LogEntry.owner_id)
        .where(live_in(month, ids), condition(month))
        .order_by(*order, LogEntry.id)
        .limit(limit)
    ).all()
    return {"total": total, "items": [_listed(month, *row) for row in rows]}


def _listed(month: Month, e: LogEntry, owner, due, blank: bool, overdue: bool) -> dict:
    late = (month.as_of - due).days if due and due < month.as_of else 0
    return {
        **{key: getattr(e, key) for key in ("id", "service_id", "concern", "risk", "status")},
        "owner_name": owner,
        "due_date": due,
        "decision": e.decision,
        # Blank exactly when "overdue without interim controls" counts the entry: the same
        # SQL condition decides both.
        "interim_controls": "" if blank else (e.interim_controls or "").strip(BLANK),
        "days_overdue": late if overdue else 0,
        "days_past_due": late,
    }
