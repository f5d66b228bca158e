"""The fast paths of the desk at scale give the same answers as the full ones.

The dashboard reads early warnings without their records (``refs=0``) and every measure
in a few grouped queries (``measure_details``); both must say exactly what the early
warnings and ``measure_detail`` of one measure say.
"""

from datetime import date, timedelta

import pytest

from server.extensions import db
from server.measures.models import ImprovementMeasure
from server.measures.services import measure_detail, measure_details
from server.oversight.warnings import warnings_report
from tests.support.early_warnings import (
    NOW,
    TODAY,
    add_evidence,
    at,
    carry,
    early_warnings,
    make_entry,
    make_finding,
    make_walkaround,
)

pytestmark = pytest.mark.db


def varied_log(world) -> None:
    """Records behind every signal, in both services, some of them several times."""
    for service in (world.home, world.other):
        for n in range(3):
            carry(world, make_entry(world, service), 2 + n)
            make_entry(world, service, due_date=TODAY - timedelta(days=3 + n), interim_controls="")
            make_entry(world, service, status="draft", owner_id=None, created_at=at(2 + n))
            make_entry(world, service, risk="high", created_at=at(2 + n))
            make_finding(world, service, risk="high", received_at=at(2 + n))
            closed = make_entry(world, service, status="closed", opened_at=at(5))
            add_evidence(world, closed, "verbal_reassurance", TODAY)
            early = make_entry(world, service, status="closed", opened_at=at(5))
            add_evidence(world, early, "audit", TODAY - timedelta(days=30))
            make_walkaround(world, service, started_at=at(1 + n))
        for area, source in (
            ("Lounge", "walkaround"),
            ("Kitchen", "audit"),
            ("Lounge", "audit"),
            ("Bathroom", "walkaround"),
        ):
            for n in range(3):
                make_finding(world, service, area=area, source=source, received_at=at(n + 1))
        for n in range(2):
            make_finding(
                world,
                service,
                kind="feedback",
                sentiment="negative",
                respondent_type="relative",
                question_id=None,
                area="Garden",
                received_at=at(n + 1),
            )


def test_warnings_without_records_say_the_same(world):
    varied_log(world)
    full = early_warnings(world.provider, now=NOW)
    assert {w.signal for w in full} == {
        "carried_forward",
        "overdue_without_interim_controls",
        "repeat_findings",
        "walkaround_no_follow_up",
        "families_chasing",
        "high_risk_no_escalation",
        "no_owner",
        "weak_closure_evidence",
    }
    assert max(len(w.refs) for w in full) > 1
    for refs in (0, 1):
        fewer = early_warnings(world.provider, now=NOW, refs=refs)
        assert [(w.signal, w.service_id, w.reason, w.count) for w in fewer] == [
            (w.signal, w.service_id, w.reason, w.count) for w in full
        ]
        assert [w.refs for w in fewer] == [w.refs[:refs] for w in full]
    report = warnings_report(world.provider, now=NOW, refs=0)
    assert report["counts"] == warnings_report(world.provider, now=NOW)["counts"]


def test_repeat_findings_are_listed_by_area_then_source(world):
    varied_log(world)
    for refs in (None, 0):
        found = [
            w.reason.split(" about ")[1].split(" in the last")[0]
            for w in early_warnings(world.provider, [world.home.id], now=NOW, refs=refs)
            if w.signal == "repeat_findings"
        ]
        assert found == [
            "Bathroom from walkaround",
            "Kitchen from audit",
            "Lounge from audit",
            "Lounge from walkaround",
        ]


def measure(world, service, metric: str, start: date, deadline: date) -> ImprovementMeasure:
    item = ImprovementMeasure(
        service_id=service.id,
        name=f"{metric} {start}",
        metric=metric,
        baseline=50.0,
        target=90.0,
        start_date=start,
        deadline=deadline,
        created_by=world.users["registered_manager"].id,
    )
    db.session.add(item)
    db.session.flush()
    return item


def test_measures_counted_together_equal_each_counted_alone(world):
    varied_log(world)
    start = TODAY - timedelta(days=30)
    for n in range(8):  # follow-ups judged over the weeks, some late, one never original
        make_entry(
            world,
            world.home if n % 2 else world.other,
            status="closed",
            due_date=start + timedelta(days=3 * n),
            completed_on=start + timedelta(days=3 * n + n % 3),
            original_due_date=None if n == 5 else start + timedelta(days=3 * n),
        )
        make_finding(
            world,
            world.home if n % 3 else world.other,
            kind="feedback",
            question_id="vis-1",
            sentiment="positive" if n % 2 else "negative",
            received_at=at(4 * n),
        )
        make_finding(
            world,
            world.home if n % 2 else world.other,
            risk="high",
            source="audit",
            received_at=at(3 * n + 1),
        )
    measures = [
        measure(world, service, metric, first, first + timedelta(days=70))
        for service in (world.home, world.other)
        for metric in (
            "follow_ups_within_timescale",
            "positive_visibility_feedback",
            "high_risk_audit_escalation",
        )
        for first in (start, start + timedelta(days=3), TODAY + timedelta(days=5))
    ]
    together = measure_details(measures, TODAY)
    assert together == [measure_detail(m, TODAY) for m in measures]
    assert sum(p["denominator"] for d in together for p in d["series"]) > 20
    assert together[-1]["series"] == []  # not begun yet
