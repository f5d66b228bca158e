"""The provider oversight dashboard: every service's log at a glance, ranked by slipping grip.

One call gathers, for the services asked about: open, overdue and high-risk counts (one
grouped query over the log), the early warnings with their reasons (``warnings_report``
without the records behind them), the review cadence (``review_cadence``), the
improvement measures with their weekly figures (``measure_details``: a few grouped
queries for all of them), and the grip score of ``grip.py``. The ranking needs every
service, so all are scored; only the page asked for is returned.
The governance report calls ``dashboard(provider, None)`` for the whole provider.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import select

from server.common.rendering import day
from server.extensions import db
from server.log.figures import FIGURES, describe
from server.log.figures import counts as figure_counts
from server.log.models import LogEntry
from server.log.signals import SIGNALS
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_details
from server.oversight.cadence import review_cadence
from server.oversight.grip import SIGNAL_LABELS, SIGNAL_POINTS, WARNING_CAP, grip, grip_scale
from server.oversight.warnings import warnings_report
from server.providers.models import Provider

# The figures of server.log.figures each service's card counts, in the order it shows them.
COUNTS = (
    "open",
    "overdue",
    "past_due_waiting",
    "high_risk_open",
    "high_risk_overdue",
    "awaiting_check",
    "awaiting_sign_off",
    "overdue_without_interim_controls",
)
STATUS_WORDS = {
    "on_target": "on target",
    "below_target": "below target",
    "missed": "missed its deadline",
    "no_data": "no data yet",
}


def dashboard(
    provider: Provider,
    service_ids=None,
    today: date | None = None,
    now: datetime | None = None,
    *,
    page: int = 1,
    per_page: int | None = None,
    slipping_only: bool = False,
) -> dict:
    """Return the provider's totals and its services ranked worst first, one page of them.

    ``service_ids``: the services to look at (None: all of the provider's). ``per_page``
    None returns every service. ``slipping_only`` keeps services with a score above zero.
    """
    # The dashboard shows each warning's count and reason, never its records: refs=0.
    report = warnings_report(provider, service_ids, today, now, refs=0)
    today = report["as_of"]
    ids = [s["service_id"] for s in report["services"]]
    counts = entry_counts(ids, today)
    cadence = {row["service_id"]: row for row in review_cadence(provider, ids, today, now)}
    measures = _measures(ids, today)
    warnings = _signals(ids, report["warnings"])
    rows = [_service(s, counts, warnings, cadence, measures) for s in report["services"]]
    rows.sort(key=lambda r: (-r["grip"]["score"], -r["counts"]["overdue"], r["service_name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    listed = [r for r in rows if r["grip"]["score"] > 0] if slipping_only else rows
    size = per_page or max(len(listed), 1)
    start = (page - 1) * size
    return {
        "as_of": today,
        "provider_id": provider.id,
        "provider_name": provider.name,
        "totals": _totals(rows, report["counts"]),
        "thresholds": report["thresholds"],
        "figures": describe(COUNTS),
        "grip_scale": grip_scale(),
        "services": listed[start : start + size],
        "page": page,
        "per_page": size,
        "total": len(listed),
        "has_more": start + size < len(listed),
    }


def entry_counts(service_ids: list[uuid.UUID], today: date) -> dict[uuid.UUID, dict]:
    """Count each service's open, overdue, high-risk open and high-risk overdue entries.

    One query grouped by service; each count is the figure of that name in
    server.log.figures (docs/reports.md, "What each figure means").
    """
    out = {sid: dict.fromkeys(COUNTS, 0) for sid in service_ids}
    if not service_ids:
        return out
    # Every count is a figure of server.log.figures, each a subset of "open": one pass
    # over the services' open entries.
    query = (
        select(LogEntry.service_id, *figure_counts(COUNTS, today))
        .where(LogEntry.service_id.in_(service_ids), FIGURES["open"].clause(today))
        .group_by(LogEntry.service_id)
    )
    for sid, *numbers in db.session.execute(query):
        out[sid] = dict(zip(COUNTS, numbers, strict=True))
    return out


def measure_summary(detail: dict) -> str:
    """Say in one sentence where a measure stands: what a chart's text alternative reads."""
    progress = detail["progress"]
    latest = progress["latest_value"]
    now = (
        f"latest {latest:g}% (week of {day(progress['latest_week_start'])})"
        if latest is not None
        else "no data yet"
    )
    return (
        f"{detail['name']}: {now}, target {detail['target']:g}% by "
        f"{day(detail['deadline'])}; {STATUS_WORDS[progress['status']]}."
    )


def _measures(service_ids: list[uuid.UUID], today: date) -> dict[uuid.UUID, list[dict]]:
    if not service_ids:
        return {}
    query = (
        select(ImprovementMeasure)
        .where(ImprovementMeasure.service_id.in_(service_ids))
        .order_by(ImprovementMeasure.deadline, ImprovementMeasure.name, ImprovementMeasure.id)
    )
    out: dict[uuid.UUID, list[dict]] = {}
    for detail in measure_details(list(db.session.scalars(query)), today):
        detail["summary"] = measure_summary(detail)
        out.setdefault(detail["service_id"], []).append(detail)
    return out


def _signals(service_ids: list[uuid.UUID], found: list) -> dict[uuid.UUID, list[dict]]:
    """Group each service's warnings by signal: a signal may fire for several areas."""
    groups: dict[uuid.UUID, dict[str, dict]] = {sid: {} for sid in service_ids}
    for w in found:
        group = groups[w.service_id].setdefault(
            w.signal,
            {"signal": w.signal, "label": SIGNAL_LABELS[w.signal], "count": 0, "reasons": []},
        )
        group["count"] += w.count
        group["reasons"].append(w.reason)
    out = {}
    for sid, by_signal in groups.items():
        for group in by_signal.values():
            group["points"] = SIGNAL_POINTS[group["signal"]] * min(group["count"], WARNING_CAP)
        out[sid] = sorted(
            by_signal.values(), key=lambda g: (-g["points"], SIGNALS.index(g["signal"]))
        )
    return out


def _service(summary: dict, counts: dict, warnings: dict, cadences: dict, measures: dict) -> dict:
    """One service's row, from the dashboard's lookups by service."""
    sid = summary["service_id"]
    counts, warnings, cadence = counts[sid], warnings[sid], cadences[sid]
    measures = measures.get(sid, [])
    return {
        "service_id": summary["service_id"],
        "service_name": summary["service_name"],
        "counts": counts,
        "warning_counts": summary["counts"],
        "warnings": warnings,
        "cadence": {"rm": cadence["rm"], "provider": cadence["provider"]},
        "reviews_overdue": sum(cadence[k]["overdue"] for k in ("rm", "provider")),
        "measures": measures,
        "grip": grip(counts, warnings, cadence, measures),
    }


def _totals(rows: list[dict], flagged: dict) -> dict:
    totals = {name: sum(r["counts"][name] for r in rows) for name in COUNTS}
    statuses = [m["progress"]["status"] for r in rows for m in r["measures"]]
    totals.update(
        services=len(rows),
        services_slipping=sum(1 for r in rows if r["grip"]["score"] > 0),
        services_with_warnings=sum(1 for r in rows if r["warnings"]),
        warnings=sum(len(r["warnings"]) for r in rows),
        flagged=flagged,
        rm_reviews_overdue=sum(r["cadence"]["rm"]["overdue"] for r in rows),
        provider_reviews_overdue=sum(r["cadence"]["provider"]["overdue"] for r in rows),
        measures=len(statuses),
        measures_on_target=statuses.count("on_target"),
        measures_below_target=statuses.count("below_target") + statuses.count("missed"),
    )
    return totals
