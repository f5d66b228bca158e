"""The early-warning signals of a monthly report, worked out as at the end of its as-at day.

The oversight dashboard (server.oversight.warnings) reads the log as it stands now: an
entry closed, given interim controls, an owner or an escalation decision after the month,
or whose due date was moved after it, would drop out of last month's signals. So the four
signals about entries are worked out here from the log as it was at the month's end, on
the same conditions the report's figures use (server.reports.entries): "overdue without
interim controls" is the report's own "overdue at month end" with no interim controls, so
the signal's count and the overdue list's "None recorded" rows are one computation. The
signals about findings and walkarounds read windows that end at the month's end, and weak
closure evidence the closures of the 90 days up to it: those come from the dashboard's
own checks, asked as at that moment.
"""

from datetime import timedelta

from sqlalchemy import and_, func, or_, select, union_all

from server.common.rendering import day
from server.extensions import db
from server.findings.models import Finding
from server.log.models import CarryForward, LogEntry
from server.log.signal_scope import load_scope
from server.log.signals import OWNER_GRACE, SIGNALS
from server.oversight import entry_warnings, finding_warnings
from server.oversight.grip import plural
from server.reports.entries import at_month_end, due_at_end, existed_unclosed_at_end
from server.reports.scope import Month

# Read by the dashboard's own checks, asked as at the end of the month.
AS_DASHBOARD = (
    finding_warnings.repeat_findings,
    finding_warnings.walkaround_no_follow_up,
    finding_warnings.families_chasing,
    entry_warnings.weak_closure_evidence,
)
AT_MONTH_END = (
    "carried_forward",
    "overdue_without_interim_controls",
    "high_risk_no_escalation",
    "no_owner",
)


def month_end_warnings(provider, month: Month, ids) -> dict:
    """Return {"as_of", "counts": {signal: n}, "items": [(service_id, signal, reason, n)]}
    as at the end of ``month.as_of``, in service order, then signal order."""
    found = {}
    # Counts and reasons only (refs=0): the report names no flagged record.
    scope = load_scope(provider, ids, month.as_of, None, refs=0)
    for check in AS_DASHBOARD:
        for w in check(scope):
            found[(w.service_id, w.signal)] = (w.reason, w.count)
    for signal, check in _CHECKS.items():
        for sid, (n, reason) in check(provider, month, ids).items():
            found[(sid, signal)] = (reason, n)
    position = {sid: i for i, sid in enumerate(ids)}
    keys = sorted(found, key=lambda k: (position[k[0]], SIGNALS.index(k[1])))
    counts = dict.fromkeys(SIGNALS, 0)
    for key in keys:
        counts[key[1]] += found[key][1]
    return {
        "as_of": month.as_of,
        "counts": counts,
        "items": [(sid, signal, *found[(sid, signal)]) for sid, signal in keys],
    }


def _grouped(query) -> dict:
    """{service_id: (count, extra...)} of a query grouped by service."""
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def _live(ids):
    return and_(LogEntry.service_id.in_(ids), LogEntry.deleted_at.is_(None))


def _carried_forward(provider, month: Month, ids) -> dict:
    limit = provider.threshold("carry_forward_limit")
    times = (
        select(func.count(CarryForward.id))
        .where(CarryForward.entry_id == LogEntry.id, CarryForward.created_at < month.end)
        .scalar_subquery()
    )
    rows = _grouped(
        select(LogEntry.service_id, func.count(), func.max(times))
        .where(_live(ids), existed_unclosed_at_end(month), times >= limit)
        .group_by(LogEntry.service_id)
    )
    return {
        sid: (
            n,
            f"{plural(n, 'entry', 'entries')} not closed at the end of {day(month.as_of)} "
            f"had been carried forward {limit} or more times "
            f"(the limit is {limit}); the most was {most} times.",
        )
        for sid, (n, most) in rows.items()
    }


def _overdue_without_interim_controls(provider, month: Month, ids) -> dict:
    rows = _grouped(
        select(LogEntry.service_id, func.count(), func.min(due_at_end(month)))
        .where(overdue_without_controls(month, ids))
        .group_by(LogEntry.service_id)
    )
    return {
        sid: (
            n,
            f"{plural(n, 'entry', 'entries')} overdue at the end of {day(month.as_of)} "
            f"had no interim controls recorded; the oldest was due on {day(oldest)} "
            f"({plural((month.as_of - oldest).days, 'day')} before).",
        )
        for sid, (n, oldest) in rows.items()
    }


def overdue_without_controls(month: Month, ids):
    """server.log.figures' "overdue without interim controls" as at the month's end: the
    report's overdue entries whose "Interim controls" it prints as "None recorded"."""
    return and_(_live(ids), at_month_end("overdue_without_interim_controls", month))


def _high_risk_no_escalation(provider, month: Month, ids) -> dict:
    hours = provider.threshold("escalation_hours")["high"]
    cutoff = month.end - timedelta(hours=hours)
    undecided = and_(
        _live(ids),
        existed_unclosed_at_end(month),
        or_(LogEntry.escalation_decision.is_(None), LogEntry.escalation_at >= month.end),
    )
    found = and_(
        Finding.service_id.in_(ids),
        Finding.deleted_at.is_(None),
        Finding.risk == "high",
        Finding.received_at <= cutoff,
    )
    in_triage = select(Finding.service_id, Finding.id).where(
        found,
        or_(
            Finding.triage_state == "new",
            Finding.triaged_at >= month.end,
        ),
    )
    linked = (
        select(LogEntry.service_id, Finding.id)
        .join(LogEntry, LogEntry.id == Finding.log_entry_id)
        .where(found, or_(Finding.triaged_at.is_(None), Finding.triaged_at < month.end), undecided)
    )
    entries = select(LogEntry.service_id, LogEntry.id).where(
        undecided, LogEntry.risk == "high", LogEntry.created_at <= cutoff
    )
    sub = union_all(in_triage, linked, entries).subquery()
    counts = _grouped(select(sub.c[0], func.count()).group_by(sub.c[0]))
    just_entries = _grouped(
        select(LogEntry.service_id, func.count())
        .where(undecided, LogEntry.risk == "high", LogEntry.created_at <= cutoff)
        .group_by(LogEntry.service_id)
    )
    out = {}
    for sid, (n,) in counts.items():
        k = just_entries.get(sid, (0,))[0]
        parts = [
            plural(n - k, "high-risk finding") if n - k else "",
            plural(k, "high-risk entry", "high-risk entries") if k else "",
        ]
        out[sid] = (
            n,
            f"{' and '.join(p for p in parts if p)} had no escalation "
            f"decision recorded within {hours} hours of being received or created, at the "
            f"end of {day(month.as_of)}.",
        )
    return out


def _no_owner(provider, month: Month, ids) -> dict:
    rows = _grouped(
        select(LogEntry.service_id, func.count())
        .where(
            _live(ids),
            existed_unclosed_at_end(month),
            LogEntry.owner_id.is_(None),
            or_(LogEntry.opened_at < month.end, LogEntry.created_at <= month.end - OWNER_GRACE),
        )
        .group_by(LogEntry.service_id)
    )
    return {
        sid: (
            n,
            f"{plural(n, 'entry', 'entries')} not closed at the end of {day(month.as_of)} "
            f"had no named owner (drafts count once they are more than a day old).",
        )
        for sid, (n,) in rows.items()
    }


_CHECKS = {
    "carried_forward": _carried_forward,
    "overdue_without_interim_controls": _overdue_without_interim_controls,
    "high_risk_no_escalation": _high_risk_no_escalation,
    "no_owner": _no_owner,
}
