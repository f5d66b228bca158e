"""Where grip is slipping: each service's score, made of parts a leader can read.

A service earns points for what shows its leadership losing hold of the log: actions
overdue, high-risk actions overdue, early warnings, reviews overdue and improvement
measures below target. Every part carries its points and one plain sentence, so the rank
is never a mystery. docs/early-warnings.md ("Ranking services on the dashboard") is the
table a manager reads; keep the two in step.
"""

from server.common.rendering import day

# Points for each flagged record of an early warning, counting at most WARNING_CAP
# records: a signal that fires at all matters, a pile of them matters more, but one
# signal must not drown out all the others.
SIGNAL_POINTS = {
    "high_risk_no_escalation": 4,
    "overdue_without_interim_controls": 4,
    "carried_forward": 3,
    "families_chasing": 3,
    "weak_closure_evidence": 3,
    "repeat_findings": 2,
    "no_owner": 2,
    "walkaround_no_follow_up": 2,
}
WARNING_CAP = 3
SIGNAL_LABELS = {
    "carried_forward": "Actions carried forward again and again",
    "overdue_without_interim_controls": "Overdue with no interim controls",
    "repeat_findings": "The same finding keeps coming back",
    "walkaround_no_follow_up": "Walkarounds with no follow-up",
    "families_chasing": "Families or people chasing",
    "high_risk_no_escalation": "High risk with no escalation decision",
    "no_owner": "Actions with no named owner",
    "weak_closure_evidence": "Closed on weak evidence",
}
# Overdue actions are the plainest sign of lost grip: points for each full 10% of open
# actions that are overdue (so a large service and a small one compare fairly).
OVERDUE_POINTS = 2
HIGH_RISK_OVERDUE_POINTS, HIGH_RISK_OVERDUE_CAP = 3, 5
REVIEW_POINTS, REVIEW_MAX = 3, 6
MEASURE_POINTS = {"below_target": 2, "missed": 3}
REVIEW_NAMES = {"rm": "registered manager's weekly review", "provider": "provider's monthly review"}
STEADY = (
    "No sign of grip slipping: nothing overdue, no early warnings, reviews up to date "
    "and every measure with data on target."
)

# The RAG rating read against the score: (rating, the lowest score it starts at, its
# meaning). Amber starts with the first point; red at 12, what three records of the
# weightiest signals score, or a few parts together (docs/early-warnings.md).
AMBER_TOP = 11
RATINGS = (
    ("green", 0, "Green: no sign of grip slipping."),
    (
        "amber",
        1,
        "Amber: grip is slipping in places. The registered manager should put it right this week.",
    ),
    (
        "red",
        AMBER_TOP + 1,
        "Red: grip is slipping badly. The provider should step in now, not wait for the "
        "monthly review.",
    ),
)


def _points_words(low: int, high: int | None) -> str:
    if high == low:
        return plural(low, "point")
    return f"{low} to {high} points" if high is not None else f"{low} points or more"


def grip_scale() -> list[dict]:
    """The scale a score is read against: [{"rating", "points" (in words), "meaning"}]."""
    tops = [low - 1 for _, low, _ in RATINGS[1:]] + [None]
    return [
        {"rating": name, "points": _points_words(low, top), "meaning": meaning}
        for (name, low, meaning), top in zip(RATINGS, tops, strict=True)
    ]


def rating(score: int) -> dict:
    """The RAG rating of ``score``: {"rating", "points", "meaning"} from grip_scale()."""
    for (_, low, _), row in zip(reversed(RATINGS), reversed(grip_scale()), strict=True):
        if score >= low:
            return row
    raise ValueError(score)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def grip(counts: dict, warnings: list, cadence: dict, measures: list[dict]) -> dict:
    """Return {"score", "rating", "reasons": [{"code", "label", "points", "reason"}],
    "summary"}; "rating" is the RAG rating of the score (``rating``).

    ``warnings`` are grouped by signal: {"signal", "count", "reasons": [str, ...]}.
    """
    parts = [
        _overdue(counts),
        _high_risk_overdue(counts),
        *(_warning(w) for w in warnings),
        *(_review(name, cadence[name]) for name in REVIEW_NAMES),
        *(_measure(m) for m in measures),
    ]
    reasons = sorted((p for p in parts if p and p["points"] > 0), key=lambda p: -p["points"])
    score = sum(p["points"] for p in reasons)
    summary = (
        STEADY
        if not score
        else (
            f"{plural(score, 'point')} from {plural(len(reasons), 'cause')}; the largest: "
            f"{reasons[0]['label']}."
        )
    )
    return {"score": score, "rating": rating(score), "reasons": reasons, "summary": summary}


def _overdue(counts: dict) -> dict | None:
    total, late = counts["open"], counts["overdue"]
    if not late:
        return None
    points = max(1, OVERDUE_POINTS * (10 * late // total))
    share = 100 * late // total
    return {
        "code": "overdue",
        "label": "Overdue actions",
        "points": points,
        "reason": f"{late} of {plural(total, 'open action')} "
        f"{'is' if late == 1 else 'are'} overdue ({share}%): "
        f"{plural(points, 'point')}, {OVERDUE_POINTS} for every full 10% (at least 1).",
    }


def _high_risk_overdue(counts: dict) -> dict | None:
    late = counts["high_risk_overdue"]
    if not late:
        return None
    points = HIGH_RISK_OVERDUE_POINTS * min(late, HIGH_RISK_OVERDUE_CAP)
    return {
        "code": "high_risk_overdue",
        "label": "High-risk actions overdue",
        "points": points,
        "reason": f"{plural(late, 'high-risk action')} {'is' if late == 1 else 'are'} "
        f"overdue: {plural(points, 'point')}, {HIGH_RISK_OVERDUE_POINTS} each "
        f"(counting at most {HIGH_RISK_OVERDUE_CAP}).",
    }


def _warning(group: dict) -> dict:
    each = SIGNAL_POINTS[group["signal"]]
    points = each * min(group["count"], WARNING_CAP)
    reasons = group["reasons"]
    found = (
        reasons[0]
        if len(reasons) == 1
        else (
            f"{plural(group['count'], 'record')} flagged in {len(reasons)} places; "
            f"for one: {reasons[0]}"
        )
    )
    return {
        "code": group["signal"],
        "label": f"Early warning: {SIGNAL_LABELS[group['signal']]}",
        "points": points,
        "reason": f"{found} {plural(points, 'point')}, {each} for each record flagged "
        f"(counting at most {WARNING_CAP}).",
    }


def _review(name: str, track: dict) -> dict | None:
    if not track["overdue"]:
        return None
    late = track["days_overdue"]
    points = min(REVIEW_POINTS + (late - 1) // 7, REVIEW_MAX)
    last = (
        f"last recorded on {day(track['last_reviewed_on'])}"
        if track["last_reviewed_on"]
        else "never recorded"
    )
    label = f"The {REVIEW_NAMES[name]} overdue"
    return {
        "code": f"{name}_review_overdue",
        "label": label[4].upper() + label[5:],
        "points": points,
        "reason": f"The {REVIEW_NAMES[name]} is {plural(late, 'day')} overdue "
        f"(due {day(track['next_due'])}, {last}): {plural(points, 'point')}, "
        f"{REVIEW_POINTS} plus 1 for each further week (at most {REVIEW_MAX}).",
    }


def _measure(measure: dict) -> dict | None:
    progress = measure["progress"]
    points = MEASURE_POINTS.get(progress["status"], 0)
    if not points:
        return None
    where = "missed its deadline" if progress["status"] == "missed" else "is below target"
    return {
        "code": f"measure_{progress['status']}",
        "points": points,
        "label": f"Measure {where.replace('is ', '')}: {measure['name']}",
        "reason": f"The measure “{measure['name']}” {where}: "
        f"{progress['latest_value']:g}% against a target of "
        f"{progress['target']:g}% by {day(progress['deadline'])}: "
        f"{plural(points, 'point')}.",
    }
