"""The five early-warning signals about log entries, each as a check over a scope.

Each returns the warnings of the services in scope; server.oversight.warnings runs them
with the three about findings (server.oversight.finding_warnings).
"""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import case, func, or_, select

from server.common.database import unindexed
from server.common.rendering import day
from server.extensions import db
from server.log.figures import FIGURES
from server.log.models import CarryForward, LogEntry
from server.log.signal_scope import UNCLOSED, Scope, live_entries, undecided, weak_closures
from server.log.signals import OWNER_GRACE
from server.oversight.flagging import Warning, by_service, make_warning
from server.oversight.grip import plural
from server.oversight.queries import counted, ranked, ref_columns, undecided_high_risk


def carried_forward(scope: Scope) -> list[Warning]:
    limit = scope.limit("carry_forward_limit")
    times = func.count(CarryForward.id)
    base = (
        select(*ref_columns(LogEntry, "log_entry", times))
        .join(CarryForward, CarryForward.entry_id == LogEntry.id)
        .where(live_entries(scope), LogEntry.status.in_(UNCLOSED))
        .group_by(LogEntry.service_id, LogEntry.id)
        .having(times >= limit)
    )
    out = []
    flagged = by_service(
        scope, base, lambda c: (c.detail.desc(), c.id), lambda c: func.max(c.detail)
    )
    for sid, (n, most, items) in flagged.items():
        reason = (
            f"{plural(n, 'entry', 'entries')} not yet closed "
            f"{'has' if n == 1 else 'have'} been carried forward {limit} or more times "
            f"(the limit is {limit}); the most is {most} times."
        )
        out.append(make_warning(scope, "carried_forward", sid, reason, items, n))
    return out


def overdue_without_interim_controls(scope: Scope) -> list[Warning]:
    base = select(*ref_columns(LogEntry, "log_entry", LogEntry.due_date)).where(
        live_entries(scope), FIGURES["overdue_without_interim_controls"].clause(scope.today)
    )
    out = []
    flagged = by_service(scope, base, lambda c: (c.detail, c.id), lambda c: func.min(c.detail))
    for sid, (n, oldest, items) in flagged.items():
        late = (scope.today - oldest).days
        reason = (
            f"{plural(n, 'overdue entry', 'overdue entries')} "
            f"{'has' if n == 1 else 'have'} no interim controls recorded; the oldest was "
            f"due on {day(oldest)} ({plural(late, 'day')} ago)."
        )
        out.append(make_warning(scope, "overdue_without_interim_controls", sid, reason, items, n))
    return out


def high_risk_no_escalation(scope: Scope) -> list[Warning]:
    hours = scope.limit("escalation_hours")["high"]
    cutoff = scope.now - timedelta(hours=hours)
    base = undecided_high_risk(scope, cutoff)
    if not scope.refs:
        # Counts only (the dashboard): one grouped count, the entries among them included.
        grouped = counted(base, lambda c: func.count(case((c.kind == "log_entry", 1))))
        return [
            _high_risk_warning(scope, sid, hours, n, entries, [])
            for sid, (n, entries) in grouped.items()
        ]
    flagged = ranked(base, lambda c: (c.detail, c.kind, c.id), scope.refs)
    # Where more were flagged than read, count the entries exactly: one query for all.
    cut = [sid for sid, (n, items) in flagged.items() if n > len(items)]
    exact = (
        dict(
            db.session.execute(
                select(LogEntry.service_id, func.count(LogEntry.id))
                .where(
                    undecided(scope),
                    LogEntry.service_id.in_(cut),
                    LogEntry.risk == "high",
                    unindexed(LogEntry.created_at) <= cutoff,
                )
                .group_by(LogEntry.service_id)
            ).all()
        )
        if cut
        else {}
    )
    out = []
    for sid, (n, items) in flagged.items():
        entries = exact.get(sid, 0) if sid in cut else sum(k == "log_entry" for k, _, _ in items)
        out.append(_high_risk_warning(scope, sid, hours, n, entries, items))
    return out


def _high_risk_warning(scope, sid, hours, n, entries, items) -> Warning:
    reason = (
        f"{_high_risk_counts(n, entries)} no escalation decision recorded within "
        f"{hours} hours of being received or created."
    )
    return make_warning(scope, "high_risk_no_escalation", sid, reason, items, n)


def _high_risk_counts(n: int, entries: int) -> str:
    parts = [
        plural(n - entries, "high-risk finding") if n - entries else "",
        plural(entries, "high-risk entry", "high-risk entries") if entries else "",
    ]
    return " and ".join(p for p in parts if p) + (" has" if n == 1 else " have")


def no_owner(scope: Scope) -> list[Warning]:
    base = select(*ref_columns(LogEntry, "log_entry", LogEntry.created_at)).where(
        live_entries(scope),
        LogEntry.status.in_(UNCLOSED),
        LogEntry.owner_id.is_(None),
        or_(LogEntry.status != "draft", LogEntry.created_at <= scope.now - OWNER_GRACE),
    )
    out = []
    for sid, (n, _, items) in by_service(scope, base, lambda c: (c.detail, c.id)).items():
        reason = (
            f"{plural(n, 'entry', 'entries')} not yet closed "
            f"{'has' if n == 1 else 'have'} no named owner (drafts count once they are "
            f"more than a day old)."
        )
        out.append(make_warning(scope, "no_owner", sid, reason, items, n))
    return out


def weak_closure_evidence(scope: Scope) -> list[Warning]:
    flagged: dict = defaultdict(lambda: {"none": [], "early": []})
    for sid, entry_id, kind in weak_closures(scope):
        flagged[sid][kind].append(entry_id)
    out = []
    for sid, kinds in flagged.items():
        ids = kinds["none"] + kinds["early"]
        if not ids:
            continue
        parts = []
        if kinds["none"]:
            parts.append(f"{len(kinds['none'])} with only verbal reassurance or no evidence")
        if kinds["early"]:
            parts.append(
                f"{len(kinds['early'])} with a single evidence reference dated "
                f"before the entry opened"
            )
        reason = (
            f"{plural(len(ids), 'closed entry', 'closed entries')} "
            f"{'rests' if len(ids) == 1 else 'rest'} on weak evidence: "
            f"{' and '.join(parts)}."
        )
        refs = tuple(("log_entry", i) for i in ids[: scope.refs])
        out.append(Warning("weak_closure_evidence", sid, reason, refs, len(ids)))
    return out
