"""The monthly governance report: one service's or the whole provider's month, as data.

Each figure is defined here and in docs/reports.md; all are counted from the log as it
stands when the report is made, at the month's ``as_of`` day (its last day, or today while
the month is still running), in Europe/London days.

- **Opened**: entries whose opening (draft -> open) happened during the month.
- **Closed**: entries closed during the month and still closed; a high-risk entry counts
  when it is signed off, not when the registered manager closed it.
- **Overdue**: entries opened by the end of ``as_of`` and not closed then, whose due date
  at that moment was before ``as_of`` (overdue from the day after the due date, rule 8). A
  due date moved after the month is put back to what it was then.
- **Closed within timescale**: of the entries closed in the month, those first marked done
  on or before their ORIGINAL due date: a carried-forward entry counts as late.
  **Share completed within timescale** = closed within timescale / closed, in per cent to
  one decimal place, or none when nothing closed.
- **High-risk open**: high-risk entries opened by the end of ``as_of`` and not closed then.
- **Improvement measures**: every measure of the services running during the month (it
  started by ``as_of`` and its deadline is not before the month's first day), computed
  week by week up to ``as_of``.
- **Early warnings**: the eight signals as at the end of ``as_of``, the log as it was then
  (server.reports.month_warnings).
- **Reviews**, **decisions**, **challenges** and **themes**: see server.reports.minutes.
- **Appendix**: every entry with a decision or a sign-off in the month, sign-offs first
  (server.reports.appendix); the CSV carries its columns and marks its rows.
"""

from datetime import date

from sqlalchemy import select

from server.common.rendering import words
from server.common.types import utcnow
from server.extensions import db
from server.log.signals import SIGNALS
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_details
from server.reports import minutes
from server.reports.appendix import appendix
from server.reports.entries import (
    FIGURES,
    LIMIT,
    LISTED,
    entry_list,
    figures_by_service,
    month_counts,
    share,
)
from server.reports.month_warnings import month_end_warnings
from server.reports.scope import Month, ReportScope, month_of, report_scope

SIGNAL_LABELS = {
    "carried_forward": "Carried forward repeatedly",
    "overdue_without_interim_controls": "Overdue without interim controls",
    "repeat_findings": "Repeat findings",
    "walkaround_no_follow_up": "Walkarounds with no follow-up",
    "families_chasing": "Families or people chasing",
    "high_risk_no_escalation": "High risk with no escalation decision",
    "no_owner": "No named owner",
    "weak_closure_evidence": "Closed on weak evidence",
}
SOURCE_LABELS = {"family_communication": "Family contact"}
MEASURE_STATUS = {
    "on_target": "On target",
    "below_target": "Below target",
    "missed": "Target missed",
    "no_data": "No data yet",
}


def governance_report(user, month: date, service_id=None, *, charts: bool = False) -> dict:
    """Return the month's governance report for one service or every service ``user`` may
    report on; ``charts`` adds each measure's SVG chart (for HTML and PDF)."""
    scope = report_scope(user, service_id)
    period = month_of(month)
    ids = scope.ids
    counts = month_counts(period, ids)
    per_service = figures_by_service(counts, ids)
    challenges = _named(scope, {"items": minutes.challenges_raised(period, ids)})["items"]
    totals = {name: sum(f[name] for f in per_service.values()) for name in FIGURES}
    return {
        "month": period.code,
        "month_label": period.label,
        "first_day": period.first,
        "last_day": period.last,
        "as_of": period.as_of,
        "generated_at": utcnow(),
        "provider": {"id": scope.provider.id, "name": scope.provider.name},
        "whole_provider": scope.whole_provider,
        "title": scope.title,
        "services": [{"id": s.id, "name": s.name} for s in scope.services.values()],
        "list_limit": LIMIT,
        "figures": _figures(totals),
        "by_service": [
            {"service_id": sid, "service_name": scope.name(sid), **_figures(per_service[sid])}
            for sid in ids
        ],
        "measures": _measures(period, scope, charts),
        "warnings": _warnings(period, scope),
        **{name: _named(scope, entry_list(period, ids, name, totals[name])) for name in LISTED},
        "reviews": _reviews(period, scope, challenges),
        "themes": {
            "by_source": _sources(counts),
            "by_statement": minutes.statement_themes(period, ids),
        },
        "appendix": appendix(period, scope),
        "minutes": {
            "decisions": _named(scope, minutes.decisions_made(period, ids)),
            "challenges": {"total": len(challenges), "items": challenges[:LIMIT]},
        },
    }


def _figures(counts: dict) -> dict:
    return {
        **{name: counts[name] for name in FIGURES},
        "within_timescale_percent": share(counts["closed_within_timescale"], counts["closed"]),
    }


def _named(scope: ReportScope, block: dict) -> dict:
    """Add the service's name to every listed item."""
    for item in block["items"]:
        item["service_name"] = scope.name(item["service_id"])
    return block


def _measures(period: Month, scope: ReportScope, charts: bool) -> list[dict]:
    from server.charts import measure_chart

    query = (
        select(ImprovementMeasure)
        .where(
            ImprovementMeasure.service_id.in_(scope.ids),
            ImprovementMeasure.start_date <= period.as_of,
            ImprovementMeasure.deadline >= period.first,
        )
        .order_by(ImprovementMeasure.deadline, ImprovementMeasure.name, ImprovementMeasure.id)
    )
    # All at once: measures of a metric with the same weeks are counted in one query.
    details = measure_details(list(db.session.scalars(query)), today=period.as_of)
    out = []
    for index, detail in enumerate(details):
        progress = detail["progress"]
        item = {
            **detail,
            **progress,
            "service_name": scope.name(detail["service_id"]),
            "status_label": MEASURE_STATUS[progress["status"]],
        }
        if charts and index < LIMIT:
            item["chart"] = measure_chart(detail)
        out.append(item)
    return out


def _warnings(period: Month, scope: ReportScope) -> dict:
    # As at the end of the month, not today (server.reports.month_warnings): counts and
    # reasons only, the report names no flagged record.
    found = month_end_warnings(scope.provider, period, scope.ids)
    items = [
        {
            "service_id": sid,
            "service_name": scope.name(sid),
            "signal": signal,
            "label": SIGNAL_LABELS.get(signal, signal),
            "reason": reason,
            "count": n,
        }
        for sid, signal, reason, n in found["items"]
    ]
    counts = [
        {"signal": s, "label": SIGNAL_LABELS[s], "count": found["counts"][s]} for s in SIGNALS
    ]
    return {"as_of": found["as_of"], "counts": counts, "total": len(items), "items": items[:LIMIT]}


def _sources(counts: dict) -> list[dict]:
    """Entries opened in the month by source, most first."""
    opened: dict[str, int] = {}
    for (_sid, source), values in counts.items():
        opened[source] = opened.get(source, 0) + values["opened"]
    return [
        {"source": s, "label": SOURCE_LABELS.get(s, words(s)), "count": n}
        for s, n in sorted(opened.items(), key=lambda i: (-i[1], i[0]))
        if n
    ]


def _reviews(period: Month, scope: ReportScope, challenges: list[dict]) -> dict:
    """Reviews done, with the texts of the challenges they raised."""
    block = _named(scope, minutes.reviews_done(period, scope.ids))
    raised = [c for c in challenges if c["kind"] in minutes.REVIEW_CHALLENGES]
    block["challenges"] = {"total": len(raised), "items": raised[:LIMIT]}
    return block
