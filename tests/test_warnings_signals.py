"""Early-warning signals: each fires at its threshold and stays silent just below it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.early_warnings import (
    NOW,
    TODAY,
    add_evidence,
    at,
    carry,
    make_entry,
    make_finding,
    make_walkaround,
    of,
    refs,
    set_threshold,
)

pytestmark = pytest.mark.db


# ---- carried forward --------------------------------------------------------------------


def test_carried_forward_fires_at_the_limit_and_not_below(world):
    twice = make_entry(world)
    once = make_entry(world)
    carry(world, twice, 2)
    carry(world, once, 1)
    [warning] = of(world, "carried_forward")
    assert warning.service_id == world.home.id
    assert warning.refs == refs(twice)
    assert warning.count == 1
    assert warning.reason == (
        "1 entry not yet closed has been carried forward 2 or more times "
        "(the limit is 2); the most is 2 times."
    )


def test_carried_forward_limit_is_the_providers_setting(world):
    entry = make_entry(world)
    carry(world, entry, 2)
    set_threshold(world, carry_forward_limit=3)
    assert of(world, "carried_forward") == []
    carry(world, entry, 1)
    [warning] = of(world, "carried_forward")
    assert "the limit is 3); the most is 3 times" in warning.reason


def test_closed_entries_carried_forward_are_not_warnings(world):
    carry(world, make_entry(world, status="closed"), 3)
    assert of(world, "carried_forward") == []


# ---- overdue without interim controls ---------------------------------------------------


def test_overdue_without_interim_controls_from_the_day_after_due(world):
    late = make_entry(world, due_date=TODAY - timedelta(days=1))
    blank = make_entry(world, due_date=TODAY - timedelta(days=3), interim_controls="   ")
    make_entry(world, due_date=TODAY)  # due today: not overdue yet
    make_entry(
        world,
        due_date=TODAY - timedelta(days=5),
        interim_controls="Night staff check positions two-hourly",
    )
    make_entry(world, due_date=TODAY - timedelta(days=5), status="closed")
    [warning] = of(world, "overdue_without_interim_controls")
    assert warning.refs == refs(blank, late)  # oldest due date first
    assert warning.reason == (
        "2 overdue entries have no interim controls recorded; the oldest "
        "was due on 13 March 2026 (3 days ago)."
    )


def test_not_overdue_on_the_due_date_itself(world):
    make_entry(world, due_date=TODAY)
    assert of(world, "overdue_without_interim_controls") == []
    [warning] = of(
        world,
        "overdue_without_interim_controls",
        today=TODAY + timedelta(days=1),
        now=NOW + timedelta(days=1),
    )
    assert warning.count == 1


# ---- repeat findings --------------------------------------------------------------------


def test_three_findings_same_area_and_source_in_28_days_fire(world):
    first = make_finding(world, received_at=datetime(2026, 2, 17, 0, 0, tzinfo=UTC))  # day 1
    second = make_finding(world, received_at=at(10))
    third = make_finding(world, received_at=at(0, hours_ago=1))
    [warning] = of(world, "repeat_findings")
    assert warning.refs == refs(third, second, first, kind="finding")
    assert warning.reason == (
        "3 findings about Lounge from walkaround in the last 28 days "
        "(the threshold is 3 in 28 days)."
    )


def test_repeat_findings_silent_just_below_the_count_or_outside_the_window(world):
    make_finding(world, received_at=datetime(2026, 2, 16, 23, 59, tzinfo=UTC))  # day 29
    make_finding(world, received_at=at(10))
    make_finding(world, received_at=at(2))
    make_finding(world, received_at=at(2), source="audit")  # another source
    make_finding(world, received_at=at(2), area="Kitchen")  # another area
    make_finding(world, received_at=at(2), kind="positive_practice")  # not a concern
    assert of(world, "repeat_findings") == []


def test_repeat_finding_count_and_window_are_settings(world):
    for days in (3, 5, 7):
        make_finding(world, received_at=at(days))
    set_threshold(world, repeat_finding_count=4)
    assert of(world, "repeat_findings") == []
    set_threshold(world, repeat_finding_count=3, repeat_finding_window_days=6)
    assert of(world, "repeat_findings") == []
    set_threshold(world, repeat_finding_window_days=8)
    [warning] = of(world, "repeat_findings")
    assert "in the last 8 days (the threshold is 3 in 8 days)" in warning.reason


# ---- walkarounds with no follow-up ------------------------------------------------------


def test_walkarounds_and_checks_that_produced_no_follow_up(world):
    empty = make_walkaround(world, started_at=at(13))  # first day of the 14-day window
    quiet = make_walkaround(world, started_at=at(3), kind="visibility_round")
    make_finding(world, walkaround_id=quiet.id, follow_up_needed=False)
    needs = make_walkaround(world, started_at=at(2))
    make_finding(world, walkaround_id=needs.id, follow_up_needed=True)
    linked = make_walkaround(world, started_at=at(2))
    make_finding(world, walkaround_id=linked.id, log_entry_id=make_entry(world).id)
    make_walkaround(world, started_at=at(15))  # before the window
    lone = make_finding(world, kind="visibility_check", received_at=at(1))
    make_finding(world, kind="visibility_check", received_at=at(1), follow_up_needed=True)
    [warning] = of(world, "walkaround_no_follow_up")
    assert warning.refs == (
        ("finding", lone.id),
        ("walkaround", quiet.id),
        ("walkaround", empty.id),
    )
    assert warning.reason == (
        "3 of 6 walkarounds and visibility checks in the last 14 days produced no follow-up: "
        "no finding needing follow-up and nothing linked to the log."
    )


def test_walkaround_window_is_a_setting(world):
    make_walkaround(world, started_at=at(10))
    set_threshold(world, walkaround_follow_up_window_days=7)
    assert of(world, "walkaround_no_follow_up") == []
    set_threshold(world, walkaround_follow_up_window_days=11)
    assert of(world, "walkaround_no_follow_up")[0].count == 1


# ---- families chasing -------------------------------------------------------------------


def feedback(world, **fields):
    values = {
        "kind": "feedback",
        "source": "feedback",
        "respondent_type": "relative",
        "question_id": "fu-2",
        "sentiment": "negative",
        "area": "Lounge",
        "received_at": at(5),
    }
    values.update(fields)
    return make_finding(world, **values)


def test_two_negative_relative_feedbacks_on_one_question_fire(world):
    first = feedback(world, received_at=at(20))
    second = feedback(world, respondent_type="person_supported", area="Garden")
    [warning] = of(world, "families_chasing")
    assert warning.refs == refs(second, first, kind="finding")
    assert warning.reason == (
        "2 negative feedback findings from relatives or people supported in the last 28 days "
        "about “Has anything you asked about not been followed up?” "
        "(the threshold is 2 in 28 days)."
    )


def test_chasing_silent_below_the_count(world):
    feedback(world)
    feedback(world, respondent_type="staff")  # staff are not families chasing
    feedback(world, sentiment="neutral")
    feedback(world, question_id="fu-1")  # another question
    feedback(world, received_at=at(28))  # outside 28 days
    assert of(world, "families_chasing") == []
    set_threshold(world, chasing_window_days=29)
    assert of(world, "families_chasing")[0].count == 2


def test_chasing_without_a_question_groups_by_area(world):
    feedback(world, question_id=None, area="Dining room")
    feedback(world, question_id=None, area="Dining room")
    feedback(world, question_id=None, area="Garden")
    [warning] = of(world, "families_chasing")
    assert "about Dining room (the threshold is 2" in warning.reason
    set_threshold(world, chasing_count=3)
    assert of(world, "families_chasing") == []


# ---- high risk without escalation -------------------------------------------------------


def test_high_risk_without_escalation_after_24_hours(world):
    late = make_finding(world, risk="high", received_at=at(0, hours_ago=25))
    make_finding(world, risk="high", received_at=at(0, hours_ago=23))  # still within a day
    decided = make_entry(world, escalation_decision="escalated", escalation_at=at(1))
    make_finding(
        world, risk="high", received_at=at(3), log_entry_id=decided.id, triage_state="linked"
    )
    entry = make_entry(world, risk="high", created_at=at(0, hours_ago=30))
    make_entry(world, risk="high", created_at=at(3), escalation_decision="not_escalated")
    make_finding(
        world,
        risk="high",
        received_at=at(3),
        triage_state="dismissed",
        dismissed_reason="Duplicate of this morning's report",
    )  # decided at triage
    undecided = make_entry(world, risk="medium", created_at=at(1))
    linked = make_finding(
        world, risk="high", received_at=at(2), triage_state="linked", log_entry_id=undecided.id
    )
    [warning] = of(world, "high_risk_no_escalation")
    assert warning.refs == (
        ("finding", linked.id),
        ("log_entry", entry.id),
        ("finding", late.id),
    )  # longest waiting first
    assert warning.reason == (
        "2 high-risk findings and 1 high-risk entry have no escalation "
        "decision recorded within 24 hours of being received or created."
    )
    undecided.status = "closed"  # the matter is closed: its finding no longer warns
    assert of(world, "high_risk_no_escalation")[0].refs == (
        ("log_entry", entry.id),
        ("finding", late.id),
    )


def test_escalation_hours_are_the_providers_setting(world):
    make_finding(world, risk="high", received_at=at(0, hours_ago=30))
    set_threshold(world, escalation_hours={"high": 48, "medium": 72, "low": 168})
    assert of(world, "high_risk_no_escalation") == []
    set_threshold(world, escalation_hours={"high": 29, "medium": 72, "low": 168})
    [warning] = of(world, "high_risk_no_escalation")
    assert warning.reason.startswith(
        "1 high-risk finding has no escalation decision recorded within 29 hours"
    )


# ---- no named owner ---------------------------------------------------------------------


def test_entries_without_owner_and_drafts_older_than_a_day(world):
    old_draft = make_entry(world, status="draft", owner_id=None, created_at=at(0, hours_ago=25))
    make_entry(world, status="draft", owner_id=None, created_at=at(0, hours_ago=23))
    make_entry(world, status="closed", owner_id=None)
    make_entry(world, status="open")
    [warning] = of(world, "no_owner")
    assert warning.refs == refs(old_draft)
    assert warning.reason == (
        "1 entry not yet closed has no named owner (drafts count once "
        "they are more than a day old)."
    )


# ---- weak closure evidence --------------------------------------------------------------


def test_closures_on_verbal_reassurance_or_one_stale_reference(world):
    opened = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    verbal = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, verbal, "verbal_reassurance", date(2026, 3, 10))
    stale = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, stale, "audit", date(2026, 3, 1))
    add_evidence(world, stale, "verbal_reassurance", date(2026, 3, 10))
    same_day = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, same_day, "audit", date(2026, 3, 2))
    two = make_entry(world, status="closed", opened_at=opened)
    add_evidence(world, two, "audit", date(2026, 3, 1))
    add_evidence(world, two, "care_record", date(2026, 3, 9))
    open_one = make_entry(world, status="in_progress", opened_at=opened)
    add_evidence(world, open_one, "verbal_reassurance", date(2026, 3, 10))
    [warning] = of(world, "weak_closure_evidence")
    assert set(warning.refs) == set(refs(verbal, stale))
    assert warning.reason == (
        "2 closed entries rest on weak evidence: 1 with only verbal "
        "reassurance or no evidence and 1 with a single evidence "
        "reference dated before the entry opened."
    )


def test_weak_evidence_uses_the_london_day_the_entry_opened(world):
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST): evidence of 1 July is earlier.
    entry = make_entry(world, status="closed", opened_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    add_evidence(world, entry, "care_record", date(2026, 7, 1))
    assert of(world, "weak_closure_evidence")[0].refs == refs(entry)


def test_weak_closures_count_only_within_the_last_90_days(world):
    # The window is 90 London days: today (16 March) and the 89 days before it, so it
    # begins at midnight on 17 December 2025 (GMT: London midnight is UTC midnight).
    first_day = datetime(2025, 12, 17, tzinfo=UTC)
    inside = make_entry(world, status="closed", closed_at=first_day)
    recent = make_entry(world, status="closed", closed_at=at(hours_ago=1))
    make_entry(world, status="closed", closed_at=first_day - timedelta(microseconds=1))
    make_entry(world, status="closed", closed_at=at(200))
    [warning] = of(world, "weak_closure_evidence")
    assert set(warning.refs) == set(refs(inside, recent))
    assert warning.count == 2
    assert warning.reason == (
        "2 closed entries rest on weak evidence: 2 with only verbal reassurance or no evidence."
    )


def test_weak_closure_window_is_in_the_filter_of_the_log_too(world):
    from server.extensions import db
    from server.log.models import LogEntry
    from server.log.signals import entry_signal_clause

    inside = make_entry(world, status="closed", closed_at=at(89))
    make_entry(world, status="closed", closed_at=at(91))
    clause = entry_signal_clause(world.provider, "weak_closure_evidence", now=NOW)
    assert list(db.session.scalars(db.select(LogEntry.id).where(clause))) == [inside.id]
