"""The figures of the log: one definition each, as data, as SQL and as a test on one entry.

Every number a leader reads about the log (the oversight dashboard, the log's filters, My
day, reviews, the governance report, its CSV, the evidence pack) is one of these figures.
Each is a conjunction of plain conditions: the entry's status is one of ``statuses``; and,
where asked, it is past its due date, high risk, or has no interim controls written down.
Deleted entries never count. Dates are Europe/London calendar days: an entry is past due
from the day after its due date (DESIGN.md rule 8).

"Overdue" is the owner's lateness: open or in progress, past the due date. An entry marked
done and past its due date waits for a manager's check or a sign-off, not for its owner;
it is counted apart, as "past due, waiting for check or sign-off", so that both are seen
and neither is counted twice.

``FIGURES[name].clause(today)`` is the SQL condition (counts, the log's ``figure=``
filter); ``.holds(entry, today)`` the same test on one entry (its badges and flags).
``.log_filter`` is the query the log screen understands for it. docs/reports.md's table
"What each figure means" is checked against ``FIGURES`` by tests/test_figures_docs.py.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func

from server.common import dates
from server.common.vocab import OPEN_STATUSES
from server.log.models import LogEntry

# Statuses in which the owner still has the action to carry out.
OWNER_STATUSES = ("open", "in_progress")
# Marked done by the owner, waiting for a manager's check or a sign-off.
WAITING_STATUSES = ("awaiting_check", "awaiting_sign_off")
# Interim controls of nothing but these characters are none at all.
BLANK = " \t\r\n"


@dataclass(frozen=True)
class Figure:
    """One figure of the log: its name, a plain label, its meaning, and its conditions."""

    name: str
    label: str  # as a count reads: "3 overdue"
    meaning: str  # one or two sentences, the same in docs/reports.md
    statuses: tuple[str, ...]
    past_due: bool = False
    high_risk: bool = False
    no_interim_controls: bool = False

    def clause(self, today: date):
        """The condition on LogEntry true for the entries this figure counts on ``today``."""
        return and_(LogEntry.deleted_at.is_(None), self.clause_on(LogEntry, today))

    def clause_on(self, columns, today: date):
        """The same condition on other columns: ``columns`` has ``status``, ``due_date``,
        ``risk`` and ``interim_controls`` (a LogEntry alias, or a subquery of the log as it
        stood at a month's end, for a report). Deleted entries are the caller's to leave out.
        """
        parts = [columns.status.in_(self.statuses)]
        if self.past_due:
            # Never NULL (a due date not set is not past), so that not_() is the rest.
            parts += [columns.due_date.is_not(None), columns.due_date < today]
        if self.high_risk:
            parts.append(columns.risk == "high")
        if self.no_interim_controls:
            parts.append(func.trim(func.coalesce(columns.interim_controls, ""), BLANK) == "")
        return and_(*parts)

    def holds(self, entry, today: date) -> bool:
        """Tell whether ``entry`` counts in this figure on London day ``today``."""
        return (
            getattr(entry, "deleted_at", None) is None
            and entry.status in self.statuses
            and (not self.past_due or dates.is_overdue(entry.due_date, today))
            and (not self.high_risk or entry.risk == "high")
            and (not self.no_interim_controls or not (entry.interim_controls or "").strip(BLANK))
        )

    @property
    def log_filter(self) -> dict[str, str]:
        """The log's query for exactly these entries (``#/desk/log?figure=…``)."""
        return {"figure": self.name}


_ALL = (
    Figure(
        "open",
        "open",
        "Entries opened and not yet closed: open, in progress, waiting for a check or "
        "waiting for sign-off. Drafts are not actions yet.",
        OPEN_STATUSES,
    ),
    Figure(
        "overdue",
        "overdue",
        "The owner is past the due date: the entry is open or in progress and its due "
        "date was before today (overdue from the day after the due date).",
        OWNER_STATUSES,
        past_due=True,
    ),
    Figure(
        "past_due_waiting",
        "past due, waiting for check or sign-off",
        "Marked done by the owner, waiting for a manager's check or a sign-off, and the "
        "due date was before today. Not counted as overdue: the owner's part is done.",
        WAITING_STATUSES,
        past_due=True,
    ),
    Figure(
        "high_risk_open",
        "high-risk open",
        "High-risk entries opened and not yet closed (open, in progress, waiting for a "
        "check or waiting for sign-off).",
        OPEN_STATUSES,
        high_risk=True,
    ),
    Figure(
        "high_risk_overdue",
        "high-risk overdue",
        "High-risk entries that are overdue: open or in progress, due before today.",
        OWNER_STATUSES,
        past_due=True,
        high_risk=True,
    ),
    Figure(
        "awaiting_check",
        "waiting for a check",
        "Marked done by the owner and waiting for a manager to check the evidence.",
        ("awaiting_check",),
    ),
    Figure(
        "awaiting_sign_off",
        "waiting for sign-off",
        "Waiting for the nominated individual or provider quality lead to sign off: a "
        "high-risk entry the registered manager has checked and closed.",
        ("awaiting_sign_off",),
    ),
    Figure(
        "overdue_without_interim_controls",
        "overdue with no interim controls",
        "Overdue entries (open or in progress, due before today) with no interim controls "
        "written down.",
        OWNER_STATUSES,
        past_due=True,
        no_interim_controls=True,
    ),
    Figure(
        "high_risk_without_interim_controls",
        "high-risk open with no interim controls",
        "High-risk entries opened and not yet closed with no interim controls written down.",
        OPEN_STATUSES,
        high_risk=True,
        no_interim_controls=True,
    ),
)
FIGURES: dict[str, Figure] = {f.name: f for f in _ALL}
NAMES = tuple(FIGURES)

# Statuses in which an entry can be overdue (server.log.flags keeps this name).
OVERDUE_STATUSES = FIGURES["overdue"].statuses


def figure(name: str) -> Figure:
    """The figure called ``name`` (KeyError for an unknown one)."""
    return FIGURES[name]


def clause(name: str, today: date):
    """The SQL condition of the figure ``name`` on ``today``."""
    return FIGURES[name].clause(today)


def holds(name: str, entry, today: date) -> bool:
    """Whether ``entry`` counts in the figure ``name`` on ``today``."""
    return FIGURES[name].holds(entry, today)


def describe(names=NAMES) -> list[dict]:
    """The figures ``names`` as data: {"name", "label", "meaning", "log_filter"}."""
    return [
        {
            "name": f.name,
            "label": f.label,
            "meaning": f.meaning,
            "log_filter": f.log_filter,
        }
        for f in (FIGURES[n] for n in names)
    ]


def markdown_table() -> str:
    """The table of docs/reports.md ("The log's figures"), one row per figure, in order."""
    rows = [
        "| figure | log filter | what it counts |",
        "|---|---|---|",
        *(f"| **{f.label}** | `figure={f.name}` | {f.meaning} |" for f in FIGURES.values()),
    ]
    return "\n".join(rows) + "\n"


def counts(names, today: date) -> list:
    """One ``count(case(...))`` column per figure, to add to a grouped select of LogEntry."""
    return [func.count(case((FIGURES[n].clause(today), 1))) for n in names]
