"""Early warnings without their records (refs=0, the dashboard's path) say what refs=10 says.

With no record asked for, the signals count by one grouped query each (the worst record's
detail an aggregate) instead of ranking every flagged row: every count and reason must be
the same as when records are named, over a log with ties in the details that rank them.
"""

from datetime import timedelta

import pytest

from server.log.signals import SIGNALS
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
    set_threshold,
)

pytestmark = pytest.mark.db


def _varied_log(world) -> None:
    """Every signal fires in both services, some with ties and more records than refs=1."""
    for service in (world.home, world.other):
        for times in (2, 3, 3, 2):  # ties in the most carried forward
            carry(world, make_entry(world, service), times)
        for late in (4, 4, 9, 1):  # ties in the oldest due date
            make_entry(
                world,
                service,
                due_date=TODAY - timedelta(days=late),
                interim_controls="" if late != 1 else "  ",
            )
        make_entry(
            world, service, due_date=TODAY - timedelta(days=3), interim_controls="Hourly checks"
        )  # has controls: not counted
        for _ in range(4):
            make_finding(world, service, received_at=at(2))
        for hours in (30, 30, 50):  # ties in received time, findings and entries
            make_finding(
                world, service, risk="high", triage_state="new", received_at=at(hours_ago=hours)
            )
            make_entry(world, service, risk="high", created_at=at(hours_ago=hours))
        linked_to = make_entry(world, service, risk="high", created_at=at(hours_ago=2))
        make_finding(
            world,
            service,
            risk="high",
            triage_state="linked",
            log_entry_id=linked_to.id,
            received_at=at(hours_ago=40),
        )
        for day in (1, 1, 3):
            make_walkaround(world, service, started_at=at(day))
            make_finding(
                world,
                service,
                kind="visibility_check",
                area="Hall",
                follow_up_needed=False,
                received_at=at(day),
            )
        make_finding(
            world,
            service,
            kind="visibility_check",
            area="Hall",
            follow_up_needed=True,
            received_at=at(2),
        )
        for _ in range(2):
            make_entry(world, service, owner_id=None)
            make_entry(world, service, owner_id=None, status="draft", created_at=at(3))
        for question in ("vis-1", None):
            for _ in range(3):
                make_finding(
                    world,
                    service,
                    kind="feedback",
                    source="feedback",
                    sentiment="negative",
                    respondent_type="relative",
                    question_id=question,
                    area="Dining",
                    received_at=at(3),
                )
        make_entry(world, service, status="closed")
        closed = make_entry(world, service, status="closed")
        add_evidence(world, closed, "audit", TODAY - timedelta(days=30))


def _without_refs(found):
    return [(w.signal, w.service_id, w.reason, w.count) for w in found]


@pytest.mark.parametrize("named", [1, 10])
def test_counts_only_equal_the_named_answer_without_its_records(world, named):
    _varied_log(world)
    named_out = early_warnings(world.provider, today=TODAY, now=NOW, refs=named)
    counts_only = early_warnings(world.provider, today=TODAY, now=NOW, refs=0)
    assert {w.signal for w in named_out} == set(SIGNALS)
    assert {w.service_id for w in named_out} == {world.home.id, world.other.id}
    assert all(w.refs == () for w in counts_only)
    assert _without_refs(counts_only) == _without_refs(named_out)


@pytest.mark.parametrize("chasing_days", [28, 5])
def test_repeat_and_chasing_counted_in_one_pass_or_two(world, chasing_days):
    # Equal windows: one grouped pass serves both signals; different ones: a pass each.
    _varied_log(world)
    make_finding(
        world,
        kind="feedback",
        source="feedback",
        sentiment="negative",
        respondent_type="person_supported",
        area="Dining",
        received_at=at(10),
    )
    make_finding(
        world,
        kind="feedback",
        source="feedback",
        sentiment="positive",
        respondent_type="relative",
        area="Dining",
        received_at=at(3),
    )
    set_threshold(world, chasing_window_days=chasing_days)
    named_out = early_warnings(world.provider, today=TODAY, now=NOW, refs=10)
    counts_only = early_warnings(world.provider, today=TODAY, now=NOW, refs=0)
    assert _without_refs(counts_only) == _without_refs(named_out)
    chasing = [w.count for w in counts_only if w.signal == "families_chasing"]
    assert chasing == ([4, 3, 3, 3] if chasing_days == 28 else [3, 3, 3, 3])


def test_counts_only_reasons_name_the_worst_record(world):
    _varied_log(world)
    found = {
        w.signal: w
        for w in early_warnings(world.provider, [world.home.id], today=TODAY, now=NOW, refs=0)
    }
    assert found["carried_forward"].reason == (
        "4 entries not yet closed have been carried forward 2 or more times (the limit is "
        "2); the most is 3 times."
    )
    assert found["overdue_without_interim_controls"].reason == (
        "4 overdue entries have no interim controls recorded; the oldest was due on "
        "7 March 2026 (9 days ago)."
    )
    assert found["high_risk_no_escalation"].reason == (
        "4 high-risk findings and 3 high-risk entries have no escalation decision recorded "
        "within 24 hours of being received or created."
    )
    assert found["walkaround_no_follow_up"].reason == (
        "6 of 7 walkarounds and visibility checks in the last 14 days produced no "
        "follow-up: no finding needing follow-up and nothing linked to the log."
    )
    assert found["no_owner"].count == 4
