"""The early-warning signals (DESIGN.md rule 5) and which log entries stand behind each.

SIGNALS names them in the order every answer lists them. server.oversight.warnings counts
them and names at most 50 records per warning; the log's ``signal`` filter must find them
all, so each condition below is the same test as its signal there, on the same scope and
conditions (server.log.signal_scope) and the provider's thresholds, without the ranking.
tests/test_log_api_entries.py holds the two equal for every entry-based signal.

Three signals point at findings or walkarounds, not at entries: repeat findings,
walkarounds with no follow-up and families chasing. The log cannot be filtered by them
(the Oversight screen lists them under each warning, from GET /early-warnings/records);
asking is refused with a field error that says so. High-risk with no escalation decision
covers entries: a high-risk entry with no decision past the escalation time, or an entry
without a decision whose linked high-risk finding has waited that long; findings still in
triage are not entries.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import and_, false, func, or_, select

from server.errors import Invalid
from server.findings.models import Finding
from server.log.figures import FIGURES
from server.log.models import CarryForward, LogEntry
from server.log.signal_scope import (
    UNCLOSED,
    Scope,
    live_entries,
    load_scope,
    undecided,
    weak_closures,
)
from server.providers.models import Provider

SIGNALS = (
    "carried_forward",
    "overdue_without_interim_controls",
    "repeat_findings",
    "walkaround_no_follow_up",
    "families_chasing",
    "high_risk_no_escalation",
    "no_owner",
    "weak_closure_evidence",
)
# The duty manager names an owner before shift end; a draft gets a day's grace. Not in the
# provider's threshold table (DESIGN.md rule 7 lists none for it), so a named constant.
OWNER_GRACE = timedelta(days=1)
NOT_ENTRIES = {
    "repeat_findings": "Repeat findings are findings, not log entries",
    "walkaround_no_follow_up": "Walkarounds with no follow-up are walkarounds and findings, "
    "not log entries",
    "families_chasing": "Families chasing is a signal about feedback findings, not log entries",
}


def entry_signal_clause(
    provider: Provider, signal: str, today: date | None = None, now: datetime | None = None
):
    """Return a condition on LogEntry true for the entries behind ``signal`` right now."""
    if signal in NOT_ENTRIES:
        raise Invalid(
            f"{NOT_ENTRIES[signal]}: the log cannot be filtered by it.",
            {
                "signal": f"{NOT_ENTRIES[signal]}. See them on the Oversight screen, under "
                "the warning: its records are listed there."
            },
        )
    if signal not in _CLAUSES:
        raise Invalid(
            f"Unknown early-warning signal: {signal!r}.",
            {"signal": f"Must be one of: {', '.join(SIGNALS)}."},
        )
    scope = load_scope(provider, None, today, now)
    if not scope.services:
        return false()
    return _CLAUSES[signal](scope)


def _carried_forward(scope: Scope):
    moved = (
        select(CarryForward.entry_id)
        .group_by(CarryForward.entry_id)
        .having(func.count(CarryForward.id) >= scope.limit("carry_forward_limit"))
    )
    return and_(live_entries(scope), LogEntry.status.in_(UNCLOSED), LogEntry.id.in_(moved))


def _overdue_without_interim_controls(scope: Scope):
    # The figure of the same name (server.log.figures): the dashboard's count is its count.
    return and_(
        live_entries(scope), FIGURES["overdue_without_interim_controls"].clause(scope.today)
    )


def _high_risk_no_escalation(scope: Scope):
    cutoff = scope.now - timedelta(hours=scope.limit("escalation_hours")["high"])
    waiting_findings = select(Finding.log_entry_id).where(
        Finding.log_entry_id.is_not(None),
        Finding.deleted_at.is_(None),
        Finding.risk == "high",
        Finding.received_at <= cutoff,
    )
    return and_(
        undecided(scope),
        or_(
            and_(LogEntry.risk == "high", LogEntry.created_at <= cutoff),
            LogEntry.id.in_(waiting_findings),
        ),
    )


def _no_owner(scope: Scope):
    return and_(
        live_entries(scope),
        LogEntry.status.in_(UNCLOSED),
        LogEntry.owner_id.is_(None),
        or_(LogEntry.status != "draft", LogEntry.created_at <= scope.now - OWNER_GRACE),
    )


def _weak_closure_evidence(scope: Scope):
    # "Dated before the London day the entry opened" needs that day, which SQL cannot
    # compute portably: the signal's own query lists the entries (the window included).
    weak = [entry_id for _, entry_id, _ in weak_closures(scope)]
    return LogEntry.id.in_(weak) if weak else false()


_CLAUSES = {
    "carried_forward": _carried_forward,
    "overdue_without_interim_controls": _overdue_without_interim_controls,
    "high_risk_no_escalation": _high_risk_no_escalation,
    "no_owner": _no_owner,
    "weak_closure_evidence": _weak_closure_evidence,
}
