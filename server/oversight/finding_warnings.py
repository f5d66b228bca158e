"""The three early-warning signals about findings and walkarounds, each over a scope.

Repeat findings, walkarounds with no follow-up and families chasing point at findings and
walkarounds, not at log entries; server.oversight.warnings runs them with the five about
entries (server.oversight.entry_warnings).
"""

from collections import defaultdict

from sqlalchemy import case, func, literal, select, union_all

from server.extensions import db
from server.findings.models import Finding
from server.log.signal_scope import Scope
from server.oversight.flagging import Warning, label, make_warning
from server.oversight.grip import plural
from server.oversight.queries import (
    CHASERS,
    finding_groups,
    key_order,
    looked_at,
    ranked,
    recent,
    repeat_where,
    shared_window,
)


def repeat_findings(scope: Scope) -> list[Warning]:
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
            f"{plural(n, 'finding')} about {area} from {label(source)} in the last "
            f"{days} days (the threshold is {count} in {days} days)."
        )
        out.append(Warning("repeat_findings", sid, reason, tuple(("finding", i) for i in ids), n))
    return out


def _summed(counts) -> list[tuple]:
    """Add up (key, n) pairs: [(key, total, [])] in the order finding_groups gives."""
    totals: dict = defaultdict(int)
    for key, n in counts:
        totals[key] += n
    return [(key, n, []) for key, n in sorted(totals.items(), key=key_order)]


def walkaround_no_follow_up(scope: Scope) -> list[Warning]:
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
        looked = plural(seen, "walkaround or visibility check", "walkarounds and visibility checks")
        reason = (
            f"{n} of {looked} in the last {days} days produced no follow-up: "
            f"no finding needing follow-up and nothing linked to the log."
        )
        items = named[sid][1] if sid in named else []
        out.append(make_warning(scope, "walkaround_no_follow_up", sid, reason, items, n))
    return out


def families_chasing(scope: Scope) -> list[Warning]:
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
            f"{plural(n, 'negative feedback finding')} from relatives or people "
            f"supported in the last {days} days about {topic} "
            f"(the threshold is {count} in {days} days)."
        )
        out.append(Warning("families_chasing", sid, reason, tuple(("finding", i) for i in ids), n))
    return out
