"""Improvement measures' changes in plain words, for a service's set-up history."""

import uuid
from datetime import date

from server.common.rendering import words
from server.extensions import db
from server.measures.models import ImprovementMeasure

METRIC_LABELS = {
    "follow_ups_within_timescale": "follow-up actions completed within timescale",
    "positive_visibility_feedback": "positive feedback on leadership visibility",
    "high_risk_audit_escalation": "high-risk audit findings with an escalation decision",
}


def percent(value) -> str:
    """Say 90.0 as "90%" and 61.5 as "61.5%"."""
    return f"{float(value):g}%" if value is not None else "nothing"


def long_date(value) -> str:
    """Say 2026-03-16 as "16 March 2026"."""
    if value is None:
        return "no date"
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.day} {day:%B %Y}"


def measure_names(ids: list[str]) -> dict[str, str]:
    """Return each measure's current name by its id (as text)."""
    if not ids:
        return {}
    keys = [uuid.UUID(i) for i in ids]
    rows = db.session.execute(
        db.select(ImprovementMeasure.id, ImprovementMeasure.name).where(
            ImprovementMeasure.id.in_(keys)
        )
    )
    return {str(key): name for key, name in rows}


def describe_measure_event(action: str, changes: dict, name: str | None) -> tuple[str, list]:
    """Return (summary, changes in words) for one audit event of a measure."""
    if action == "create":
        called = changes.get("name") or name or "a measure"
        said = (
            f"{METRIC_LABELS.get(changes.get('metric'), changes.get('metric'))}: "
            f"baseline {percent(changes.get('baseline'))}, target "
            f"{percent(changes.get('target'))}, from {long_date(changes.get('start_date'))} "
            f"to {long_date(changes.get('deadline'))}."
        )
        item = change_item("measure", "New measure", changes)
        return f"Set the improvement measure “{called}”", [
            {**item, "words": [said[0].upper() + said[1:]]}
        ]
    called = name or (changes.get("name") or [None, None])[1] or "a measure"
    items = [change_item(field, words(field), pair) for field, pair in changes.items()]
    for item in items:
        item["words"] = [_edit_words(item["field"], item["before"], item["after"])]
    return f"Changed the improvement measure “{called}”", items


def change_item(field: str, label: str, pair) -> dict:
    """One field of an audit event's changes: [old, new], or the value a create set."""
    before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
    return {"field": field, "label": label, "before": before, "after": after, "words": []}


def _edit_words(field: str, before, after) -> str:
    if field in ("baseline", "target"):
        return f"{words(field)} changed from {percent(before)} to {percent(after)}."
    if field in ("deadline", "start_date"):
        return f"{words(field)} moved from {long_date(before)} to {long_date(after)}."
    if field == "name":
        return f"Renamed from “{before}” to “{after}”."
    return f"{words(field)} changed from {before} to {after}."
