"""Early-warning signals (DESIGN.md rule 5), computed per service and explained in words.

Every signal is one or two aggregate queries over the services asked about, so the cost
follows the number of flagged records, not the size of the log: the large provider has a
million findings. Each warning names at most REF_LIMIT records (the worst first; fewer,
or none, when the caller asks) and carries the full count. Thresholds come from the
provider (DESIGN.md rule 7); docs/early-warnings.md explains each signal to a manager.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, literal, or_, select, union_all

from server.common.database import unindexed
from server.common.vocab import OPEN_STATUSES
from server.extensions import db
from server.findings.models import Finding
from server.log.models import CarryForward, LogEntry
from server.log.signal_scope import (
    UNCLOSED,
    Scope,
    live_entries,
    load_scope,
    undecided,
    weak_closures,
)
from server.log.signals import OWNER_GRACE, SIGNALS
from server.oversight.queries import (
    CHASERS,
    counted,
    finding_groups,
    kind_column,
    looked_at,
    ranked,
    recent,
    repeat_where,
    shared_window,
    undecided_high_risk,
)
from server.providers.models import Provider


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the product's word; callers import it from this module
    """One early warning: which signal, where, why in words, and the records behind it."""

    signal: str
    service_id: uuid.UUID
    reason: str
    refs: tuple[tuple[str, uuid.UUID | str], ...]  # str: see warnings_report's text_ids
    count: int


def early_warnings(
    provider: Provider,
    service_ids=None,
    today: date | None = None,
    now: datetime | None = None,
    *,
    refs: int | None = None,
) -> list[Warning]:
    """Return every early warning for the provider's services (or those of ``service_ids``).

    ``refs``: how many records each warning names (None: REF_LIMIT; 0: none, for counts
    and reasons only).
    """
    return scope_warnings(load_scope(provider, service_ids, today, now, refs))


def scope_warnings(scope: Scope) -> list[Warning]:
    """Return every early warning of ``scope``, by service (in scope order) and signal."""
    if not scope.services:
        return []
    found: list[Warning] = []
    for check in _CHECKS:
        found.extend(check(scope))
    position = {sid: i for i, sid in enumerate(scope.ids)}
    return sorted(found, key=lambda w: (position[w.service_id], SIGNALS.index(w.signal)))


def _summary(service_ids: list[uuid.UUID], warnings: list[Warning]) -> dict:
    services = {sid: dict.fromkeys(SIGNALS, 0) for sid in service_ids}
    totals = dict.fromkeys(SIGNALS, 0)
    for w in warnings:
        services[w.service_id][w.signal] += w.count
        totals[w.signal] += w.count
    return {"services": services, "provider": totals}


def warnings_report(
    provider: Provider,
    service_ids=None,
    today: date | None = None,
    now: datetime | None = None,
    *,
    refs: int | None = None,
    text_ids: bool = False,
) -> dict:
    """Return the warnings with their counts per service and for the provider.

    ``refs``: how many records each warning names (None: REF_LIMIT; 0: none); the counts
    and reasons are the same whatever it is. ``text_ids``: repeat findings may name their
    records by id text rather than uuid.UUID (the same JSON; for the API's answer).
    """
    scope = load_scope(provider, service_ids, today, now, refs, text_ids=text_ids)
    found = scope_warnings(scope)
    summary = _summary(scope.ids, found)
    return {
        "as_of": scope.today,
        "provider_id": provider.id,
        "counts": summary["provider"],
        "thresholds": provider.threshold_table(),
        "services": [
            {"service_id": sid, "service_name": service.name, "counts": summary["services"][sid]}
            for sid, service in scope.services.items()
        ],
        "warnings": found,
    }


# ---- helpers -------------------------------------------------------------------------


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _label(code: str) -> str:
    return code.replace("_", " ")


def _warning(scope, signal, service_id, reason, items, count) -> Warning:
    refs = tuple((kind, id_) for kind, id_, _ in items[: scope.refs])
    return Warning(signal, service_id, reason, refs, count)


def _flagged(scope: Scope, base, order_by, worst=None) -> dict:
    """Return {service_id: (count, worst detail, [(kind, id, detail), ...])} of ``base``.

    The worst detail is the first row in ``order_by`` order, which the aggregate ``worst``
    also gives (None without it). With no records to name (the dashboard), one grouped
    count answers, without ranking every row.
    """
    if not scope.refs:
        extra = (worst,) if worst else ()
        return {
            sid: (row[0], row[1] if worst else None, [])
            for sid, row in counted(base, *extra).items()
        }
    return {
        sid: (n, items[0][2], items)
        for sid, (n, items) in ranked(base, order_by, scope.refs).items()
    }


# ---- the eight signals -----------------------------------------------------------------


def _carried_forward(scope: Scope) -> list[Warning]:
    limit = scope.limit("carry_forward_limit")
    times = func.count(CarryForward.id)
    base = (
        select(
            LogEntry.service_id.label("service_id"),
            kind_column("log_entry"),
            LogEntry.id.label("id"),
            times.label("detail"),
        )
        .join(CarryForward, CarryForward.entry_id == LogEntry.id)
        .where(live_entries(scope), LogEntry.status.in_(UNCLOSED))
        .group_by(LogEntry.service_id, LogEntry.id)
        .having(times >= limit)
    )
    out = []
    flagged = _flagged(scope, base, lambda c: (c.detail.desc(), c.id), lambda c: func.max(c.detail))
    for sid, (n, most, items) in flagged.items():
        reason = (
            f"{_plural(n, 'entry', 'entries')} not yet closed "
            f"{'has' if n == 1 else 'have'} been carried forward {limit} or more times "
            f"(the limit is {limit}); the most is {most} times."
        )
        out.append(_warning(scope, "carried_forward", sid, reason, items, n))
    return out


def _overdue_without_interim_controls(scope: Scope) -> list[Warning]:
    controls = func.trim(func.coalesce(LogEntry.interim_controls, ""))
    base = select(
        LogEntry.service_id.label("service_id"),
        kind_column("log_entry"),
        LogEntry.id.label("id"),
        LogEntry.due_date.label("detail"),
    ).where(
        live_entries(scope),
        LogEntry.status.in_(OPEN_STATUSES),
        LogEntry.due_date < scope.today,
        controls == "",
    )
    out = []
    flagged = _flagged(scope, base, lambda c: (c.detail, c.id), lambda c: func.min(c.detail))
    for sid, (n, oldest, items) in flagged.items():
        late = (scope.today - oldest).days
        reason = (
            f"{_plural(n, 'overdue entry', 'overdue entries')} "
            f"{'has' if n == 1 else 'have'} no interim controls recorded; the oldest was "
            f"due on {_day(oldest)} ({_plural(late, 'day')} ago)."
        )
        out.append(_warning(scope, "overdue_without_interim_controls", sid, reason, items, n))
    return out


def _repeat_findings(scope: Scope) -> list[Warning]:
    count = scope.limit("repeat_finding_count")
    days = scope.limit("repeat_finding_window_days")
    keys = {"service_id": Finding.service_id, "area": Finding.area, "source": Finding.source}
    window = shared_window(scope)
    if window is None:
        found = finding_groups(scope, keys, repeat_where(scope, days), count, seek=True)
    else:
        found = _summed(((sid, area, source), n) for sid, area, source, _, _, n in window)
    out = []
    for (sid, area, source), n, ids in found:
        if n < count:
            continue
        reason = (
            f"{_plural(n, 'finding')} about {area} from {_label(source)} in the last "
            f"{days} days (the threshold is {count} in {days} days)."
        )
        out.append(Warning("repeat_findings", sid, reason, tuple(("finding", i) for i in ids), n))
    return out


def _summed(counts) -> list[tuple]:
    """Add up (key, n) pairs: [(key, total, [])] in the order finding_groups gives."""
    totals: dict = defaultdict(int)
    for key, n in counts:
        totals[key] += n
    return [
        (key, n, [])
        for key, n in sorted(totals.items(), key=lambda kv: tuple(str(p) for p in kv[0]))
    ]


def _walkaround_no_follow_up(scope: Scope) -> list[Warning]:
    days = scope.limit("walkaround_follow_up_window_days")
    named: dict = {}
    if scope.refs:
        named = ranked(
            union_all(*looked_at(scope, days, "lone")),
            lambda c: (c.detail.desc(), c.id),
            scope.refs,
        )
        if not named:
            return []
        # Everything looked at, counted without deciding again what was followed up.
        both = union_all(*looked_at(scope, days, "all")).subquery()
        flags = (func.count(), literal(0))
    else:
        # Counts only (the dashboard): one pass counts what was looked at and what
        # produced nothing.
        both = union_all(*looked_at(scope, days, "flag")).subquery()
        flags = (func.count(), func.sum(both.c.flag))
    totals = db.session.execute(select(both.c.service_id, *flags).group_by(both.c.service_id)).all()
    out = []
    for sid, seen, lone_count in totals:
        n = named[sid][0] if sid in named else int(lone_count or 0)
        if not n:
            continue
        looked = _plural(
            seen, "walkaround or visibility check", "walkarounds and visibility checks"
        )
        reason = (
            f"{n} of {looked} in the last {days} days produced no follow-up: "
            f"no finding needing follow-up and nothing linked to the log."
        )
        items = named[sid][1] if sid in named else []
        out.append(_warning(scope, "walkaround_no_follow_up", sid, reason, items, n))
    return out


def _families_chasing(scope: Scope) -> list[Warning]:
    count = scope.limit("chasing_count")
    days = scope.limit("chasing_window_days")
    window = shared_window(scope)
    if window is None:
        where = [
            recent(Finding, Finding.received_at, scope, days),
            Finding.kind == "feedback",
            Finding.sentiment == "negative",
            Finding.respondent_type.in_(CHASERS),
        ]
        keys = {
            "service_id": Finding.service_id,
            "about": case((Finding.question_id.is_not(None), "question"), else_="area"),
            "topic": func.coalesce(Finding.question_id, Finding.area),
        }
        found = finding_groups(scope, keys, where, count)
    else:
        found = _summed(
            (
                (
                    sid,
                    "question" if question is not None else "area",
                    area if question is None else question,
                ),
                n,
            )
            for sid, area, _, chasing, question, n in window
            if chasing
        )
    out = []
    for (sid, about, topic), n, ids in found:
        if n < count:
            continue
        if about == "question":
            topic = f"“{scope.services[sid].questions().get(topic, topic)}”"
        reason = (
            f"{_plural(n, 'negative feedback finding')} from relatives or people "
            f"supported in the last {days} days about {topic} "
            f"(the threshold is {count} in {days} days)."
        )
        out.append(Warning("families_chasing", sid, reason, tuple(("finding", i) for i in ids), n))
    return out


def _high_risk_no_escalation(scope: Scope) -> list[Warning]:
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
        entries = (
            exact.get(sid, 0)
            if sid in cut
            else sum(1 for kind, _, _ in items if kind == "log_entry")
        )
        out.append(_high_risk_warning(scope, sid, hours, n, entries, items))
    return out


def _high_risk_warning(scope, sid, hours, n, entries, items) -> Warning:
    reason = (
        f"{_high_risk_counts(n, entries)} no escalation decision recorded within "
        f"{hours} hours of being received or created."
    )
    return _warning(scope, "high_risk_no_escalation", sid, reason, items, n)


def _high_risk_counts(n: int, entries: int) -> str:
    parts = [
        _plural(n - entries, "high-risk finding") if n - entries else "",
        _plural(entries, "high-risk entry", "high-risk entries") if entries else "",
    ]
    return " and ".join(p for p in parts if p) + (" has" if n == 1 else " have")


def _no_owner(scope: Scope) -> list[Warning]:
    base = select(
        LogEntry.service_id.label("service_id"),
        kind_column("log_entry"),
        LogEntry.id.label("id"),
        LogEntry.created_at.label("detail"),
    ).where(
        live_entries(scope),
        LogEntry.status.in_(UNCLOSED),
        LogEntry.owner_id.is_(None),
        or_(LogEntry.status != "draft", LogEntry.created_at <= scope.now - OWNER_GRACE),
    )
    out = []
    for sid, (n, _, items) in _flagged(scope, base, lambda c: (c.detail, c.id)).items():
        reason = (
            f"{_plural(n, 'entry', 'entries')} not yet closed "
            f"{'has' if n == 1 else 'have'} no named owner (drafts count once they are "
            f"more than a day old)."
        )
        out.append(_warning(scope, "no_owner", sid, reason, items, n))
    return out


def _weak_closure_evidence(scope: Scope) -> list[Warning]:
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
            f"{_plural(len(ids), 'closed entry', 'closed entries')} "
            f"{'rests' if len(ids) == 1 else 'rest'} on weak evidence: "
            f"{' and '.join(parts)}."
        )
        refs = tuple(("log_entry", i) for i in ids[: scope.refs])
        out.append(Warning("weak_closure_evidence", sid, reason, refs, len(ids)))
    return out


_CHECKS = (
    _carried_forward,
    _overdue_without_interim_controls,
    _repeat_findings,
    _walkaround_no_follow_up,
    _families_chasing,
    _high_risk_no_escalation,
    _no_owner,
    _weak_closure_evidence,
)
