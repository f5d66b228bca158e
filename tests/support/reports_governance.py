"""Helpers shared by the governance report tests: the hand-built October 2026 log.

The month is October 2026. London is on BST until Sunday 25 October, so the month begins
at 23:00 UTC on 30 September and ends at midnight UTC on 1 November. The report is made
on 10 November, so it is counted as at the end of 31 October.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from server.audit.models import AuditEvent
from server.common.dates import LONDON
from server.common.types import clock_at
from server.extensions import db
from server.log.models import CarryForward, EvidenceRef, LogEntry
from server.measures.models import ImprovementMeasure
from server.reviews.models import Review, ReviewItem
from tests.support.framework import ensure_default_framework

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
URL = "/api/v1/reports/governance"


def at(day: int, month: int = 10, hour: int = 10, minute: int = 0) -> datetime:
    """A London wall-clock moment in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def d(day: int, month: int = 10) -> date:
    return date(2026, month, day)


@pytest.fixture(autouse=True)
def frozen():
    with clock_at(NOW):
        yield


def _add(record):
    db.session.add(record)
    db.session.flush()
    return record


def entry(
    world,
    service,
    concern,
    *,
    opened,
    due,
    source="audit",
    risk="medium",
    status="in_progress",
    completed=None,
    closed=None,
    statements=(),
    **fields,
):
    values = dict(
        service_id=service.id,
        concern=concern,
        source=source,
        risk=risk,
        status=status,
        decision=f"Owner acts on: {concern}",
        owner_id=world.users["senior_carer"].id,
        due_date=due,
        original_due_date=due,
        evidence_needed="Audit",
        created_by=world.users["registered_manager"].id,
        created_at=(opened or at(1)) - timedelta(hours=1),
        opened_at=opened,
        completed_on=completed,
        closed_at=closed,
    )
    values.update(fields)
    item = _add(LogEntry(**values))
    from server.framework.models import QualityStatement

    item.statements = [db.session.get(QualityStatement, f"saf-2023:{c}") for c in statements]
    if status == "closed" and closed and concern != "E7 closed in September":
        user = world.users["registered_manager"].id
        _add(
            EvidenceRef(
                entry_id=item.id,
                type="care_record",
                location="Care file",
                evidence_date=completed or closed.date(),
                checked_by=user,
                added_by=user,
            )
        )
    db.session.flush()
    return item


def carry(world, item, from_date, to_date, made):
    _add(
        CarryForward(
            entry_id=item.id,
            from_date=from_date,
            to_date=to_date,
            reason="Auditor off sick",
            author_id=world.users["registered_manager"].id,
            created_at=made,
        )
    )


def review(world, service, kind, outcome, comment, when, items=()):
    reviewer = world.users[
        "nominated_individual" if kind == "provider_monthly" else "registered_manager"
    ]
    item = Review(
        service_id=service.id,
        kind=kind,
        outcome=outcome,
        comment=comment,
        reviewer_id=reviewer.id,
        reviewed_at=when,
    )
    item.items = [ReviewItem(entry_id=e.id, outcome=o, comment=c) for e, o, c in items]
    return _add(item)


@pytest.fixture
def log(world):
    """The hand-built log. Ashdown House (home) and Beech Court (other); a line per entry
    says which October figures it counts in."""
    ensure_default_framework()
    home, other = world.home, world.other
    e = {}
    # opened, closed, within timescale (done 8 Oct, due 10 Oct)
    e["E1"] = entry(
        world,
        home,
        "E1 bed rails audit",
        opened=at(2),
        due=d(10),
        status="closed",
        completed=d(8),
        closed=at(12),
        statements=["S1"],
    )
    # closed, NOT within: originally due 20 Sep, carried forward to 5 Oct, done 4 Oct
    e["E2"] = entry(
        world,
        home,
        "E2 fire doors",
        opened=at(15, 9),
        due=d(5),
        original_due_date=d(20, 9),
        status="closed",
        completed=d(4),
        closed=at(6),
    )
    carry(world, e["E2"], d(20, 9), d(5), at(19, 9))
    # opened at 00:30 on 1 October London (23:30 UTC on 30 Sep); overdue (due 20 Oct);
    # high-risk open with interim controls; escalated on 2 Oct
    e["E3"] = entry(
        world,
        home,
        "E3 choking risk plan",
        opened=at(1, hour=0, minute=30),
        due=d(20),
        source="incident",
        risk="high",
        statements=["S1", "S2"],
        interim_controls="Two-hourly checks by the nurse in charge",
        escalation_decision="escalated",
        escalated=True,
        escalation_reason="Safeguarding lead informed",
        escalation_at=at(2, hour=15),
    )
    # opened; due 28 Oct at month end (moved to 15 Nov on 5 Nov), so overdue at month end
    e["E4"] = entry(
        world,
        home,
        "E4 hoist slings",
        opened=at(20),
        due=d(15, 11),
        original_due_date=d(28),
        status="open",
    )
    carry(world, e["E4"], d(28), d(15, 11), at(5, 11))
    # due on the month's last day: not overdue; high-risk open with NO interim controls
    e["E5"] = entry(
        world,
        home,
        "E5 pressure care",
        opened=at(25, 9),
        due=d(31),
        risk="high",
        escalation_decision="not_escalated",
        escalation_reason="Managed in house",
        escalation_at=at(26, 9),
    )
    # opened; closed at 00:30 on 1 November: after the month, so open and overdue at its end
    e["E6"] = entry(
        world,
        home,
        "E6 handover sheet",
        opened=at(5),
        due=d(25),
        source="handover",
        status="closed",
        completed=d(20),
        closed=at(1, 11, hour=0, minute=30),
    )
    # closed in September: not in October's report at all (and its evidence is weak)
    e["E7"] = entry(
        world,
        home,
        "E7 closed in September",
        opened=at(1, 9),
        due=d(25, 9),
        status="closed",
        completed=d(24, 9),
        closed=at(29, 9),
    )
    # a draft (never opened) and a deleted entry count nowhere
    e["E8"] = entry(
        world, home, "E8 draft", opened=None, due=None, status="draft", created_at=at(3)
    )
    e["E9"] = entry(world, home, "E9 deleted", opened=at(3), due=d(4), deleted_at=at(4))
    # high-risk, awaiting sign-off since September: overdue 31 days, high-risk open
    e["E10"] = entry(
        world,
        home,
        "E10 warfarin signatures",
        opened=at(1, 9),
        due=d(30, 9),
        risk="high",
        status="awaiting_sign_off",
        completed=d(29, 9),
        interim_controls="Daily MAR check by the nurse in charge",
        escalation_decision="escalated",
        escalation_reason="Pharmacist review",
        escalation_at=at(5, 9),
    )
    # high-risk, signed off on 15 Oct: closed and within timescale (done 10 Oct, due 12 Oct)
    e["E11"] = entry(
        world,
        home,
        "E11 bath temperatures",
        opened=at(1, 9),
        due=d(12),
        risk="high",
        status="closed",
        completed=d(10),
        closed=at(15),
        signed_off_by=world.users["nominated_individual"].id,
        escalation_decision="escalated",
        escalation_reason="Scald risk",
        escalation_at=at(2, 9),
    )
    # Beech Court: opened and closed, not within (done 21 Oct, due 20 Oct)
    e["B1"] = entry(
        world,
        other,
        "B1 garden gate",
        opened=at(10),
        due=d(20),
        source="walkaround",
        status="closed",
        completed=d(21),
        closed=at(22),
        statements=["S1"],
    )
    # opened; high-risk open (no escalation decision: an early warning); due 1 Nov
    e["B2"] = entry(
        world,
        other,
        "B2 night staffing",
        opened=at(12),
        due=d(1, 11),
        source="incident",
        risk="high",
        status="open",
        interim_controls="Agency nurse on nights",
    )
    # opened; overdue 16 days with no interim controls (an early warning); a formula concern
    e["B3"] = entry(
        world, other, "=cmd|' /C calc'!A0", opened=at(1), due=d(15), source="feedback", risk="low"
    )
    # Reviews: three in October (one outside), one challenge with one challenged entry
    review(world, home, "rm_weekly", "assurance", "All on track", at(6))
    review(
        world,
        home,
        "provider_monthly",
        "challenge",
        "Interim controls are missing on the audit actions",
        at(28),
        items=[
            (e["E4"], "challenge", "Add interim controls by Friday"),
            (e["E1"], "assurance", ""),
        ],
    )
    review(world, other, "rm_weekly", "further_action", "Chase the agency", at(14))
    review(world, home, "rm_weekly", "assurance", "September review", at(30, 9))
    # A high-risk closure challenged at sign-off on 29 Oct (the audit trail records it);
    # the review's challenge of E4 is in the trail too, and counted once, with its review.
    ni = world.users["nominated_individual"]
    for item, changes in (
        (e["E10"], {"reason": "Evidence predates the action"}),
        (e["E4"], {"reason": "Add interim controls by Friday", "review_id": str(uuid.uuid4())}),
    ):
        _add(
            AuditEvent(
                at=at(29),
                actor_id=ni.id,
                channel="desk",
                entity_type="log_entry",
                entity_id=str(item.id),
                action="challenge",
                service_id=item.service_id,
                changes=changes,
            )
        )
    _add(
        ImprovementMeasure(
            service_id=home.id,
            name="90% of follow-ups within timescale",
            metric="follow_ups_within_timescale",
            baseline=50.0,
            target=90.0,
            start_date=d(5),
            deadline=d(30, 11),
            created_by=world.users["registered_manager"].id,
        )
    )
    db.session.commit()
    return e


def get_json(client, **query):
    response = client.get(URL, query_string={"month": "2026-10", **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# Ashdown House: opened E1 E3 E4 E6 = 4; closed E1 E2 E11 = 3, of which E1 and E11 were
# done by their original due date = 2 (66.7%). At month end, with server.log.figures'
# meanings: overdue (with the owner, past due) E3 (20 Oct) E4 (28 Oct then) = 2; past due
# and waiting for a check or sign-off E6 (done 20 Oct, due 25 Oct, closed 1 Nov) and E10
# (done 29 Sep, due 30 Sep, awaiting sign-off) = 2; E5 (due 31 Oct) is neither;
# high-risk open E3 E5 E10 = 3.
HOME = {
    "opened": 4,
    "closed": 3,
    "closed_within_timescale": 2,
    "within_timescale_percent": 66.7,
    "overdue": 2,
    "past_due_waiting": 2,
    "high_risk_open": 3,
}
# Beech Court: opened B1 B2 B3 = 3; closed B1 = 1, late (0.0%); overdue B3 = 1; high B2 = 1.
OTHER = {
    "opened": 3,
    "closed": 1,
    "closed_within_timescale": 0,
    "within_timescale_percent": 0.0,
    "overdue": 1,
    "past_due_waiting": 0,
    "high_risk_open": 1,
}
# The provider: 7 opened, 4 closed, 2 within (50.0%), 3 overdue, 2 past due waiting,
# 4 high-risk open.
BOTH = {
    "opened": 7,
    "closed": 4,
    "closed_within_timescale": 2,
    "within_timescale_percent": 50.0,
    "overdue": 3,
    "past_due_waiting": 2,
    "high_risk_open": 4,
}
