"""The governance report's fast paths give the figures of docs/reports.md at the edges.

The month's entries are read through their status and closing instant (entries not closed
now, and closed ones closed from the month's first instant on), and escalation decisions
over the whole log. Each entry below sits at one edge of those reads; the figures are
worked out by hand. October 2026 begins at 23:00 UTC on 30 September (BST).
"""

import pytest

from server.extensions import db
from tests.support import reports_governance as shared
from tests.support.framework import ensure_default_framework
from tests.support.reports_governance import at, d, entry, get_json

pytestmark = pytest.mark.db

frozen = shared.frozen


@pytest.fixture
def edges(world):
    ensure_default_framework()
    home = world.home
    e = {
        # Closed at the very first instant of October (00:00 London): closed in the month,
        # done by its due date; opened in September, tagged S1 (not an October theme).
        "first_instant": entry(
            world,
            home,
            "Closed at midnight",
            opened=at(1, 9),
            due=d(30, 9),
            status="closed",
            completed=d(29, 9),
            closed=at(1, hour=0),
            statements=["S1"],
        ),
        # Closed a minute before October: counts nowhere in October.
        "just_before": entry(
            world,
            home,
            "Closed a minute early",
            opened=at(1, 9),
            due=d(30, 9),
            status="closed",
            completed=d(29, 9),
            closed=at(30, 9, hour=23, minute=59),
        ),
        # Closed in September and reopened in November: the log as it stands has it open,
        # so it is open (and overdue) at the end of October.
        "reopened": entry(
            world,
            home,
            "Reopened later",
            opened=at(2, 9),
            due=d(20, 9),
            status="in_progress",
            completed=None,
            closed=None,
        ),
        # Marked closed with no closing instant (never stamped): open at month end.
        "unstamped": entry(
            world,
            home,
            "Closed without a time",
            opened=at(3),
            due=d(9),
            status="closed",
            completed=d(8),
            closed=None,
            statements=["S2"],
        ),
        # Escalation decisions in October on a draft never opened and on an entry closed
        # in September: decisions of the month, though neither was open in it.
        "draft": entry(
            world,
            home,
            "Draft escalated",
            opened=None,
            due=None,
            status="draft",
            created_at=at(4),
            escalation_decision="escalated",
            escalation_reason="Provider to fund",
            escalation_at=at(5),
        ),
        "closed_early": entry(
            world,
            home,
            "Closed then escalated",
            opened=at(1, 9),
            due=d(10, 9),
            status="closed",
            completed=d(9, 9),
            closed=at(12, 9),
            escalation_decision="not_escalated",
            escalation_reason="Resolved",
            escalation_at=at(6),
        ),
        # High risk, signed off in October.
        "signed": entry(
            world,
            home,
            "High risk signed off",
            opened=at(7),
            due=d(20),
            risk="high",
            status="closed",
            completed=d(15),
            closed=at(16),
            signed_off_by=world.users["nominated_individual"].id,
            statements=["S1"],
        ),
    }
    db.session.commit()
    return e


def test_figures_at_the_edges_of_the_month(world, edges, login):
    report = get_json(login(world.users["nominated_individual"]))
    # Opened in October: unstamped (3 Oct), signed (7 Oct). Closed in October and still
    # closed: first_instant and signed, both done by their due dates. Open at month end:
    # reopened (due 20 Sep, with its owner: overdue) and unstamped (due 9 Oct, marked done
    # on 8 Oct: past due, waiting for a check). No high risk open.
    assert report["figures"] == {
        "opened": 2,
        "closed": 2,
        "closed_within_timescale": 2,
        "within_timescale_percent": 100.0,
        "overdue": 1,
        "past_due_waiting": 1,
        "high_risk_open": 0,
    }
    assert [i["concern"] for i in report["overdue"]["items"]] == ["Reopened later"]
    assert [i["concern"] for i in report["past_due_waiting"]["items"]] == ["Closed without a time"]
    assert [(t["code"], t["count"]) for t in report["themes"]["by_statement"]] == [
        ("S1", 1),
        ("S2", 1),
    ]


def test_decisions_include_escalations_of_entries_not_open_in_the_month(world, edges, login):
    decisions = get_json(login(world.users["nominated_individual"]))["minutes"]["decisions"]
    assert decisions["counts"] == {"opened": 2, "escalation": 2, "signed_off": 1}
    assert [(x["on"], x["kind"], x["concern"]) for x in decisions["items"]] == [
        ("2026-10-03", "opened", "Closed without a time"),
        ("2026-10-05", "escalation", "Draft escalated"),
        ("2026-10-06", "escalation", "Closed then escalated"),
        ("2026-10-07", "opened", "High risk signed off"),
        ("2026-10-16", "signed_off", "High risk signed off"),
    ]


def test_one_service_report_reads_only_its_entries(world, edges, login):
    entry(world, world.other, "Other service's entry", opened=at(3), due=d(4))
    db.session.commit()
    client = login(world.users["nominated_individual"])
    own = get_json(client, service_id=world.home.id)
    assert own["figures"]["opened"] == 2 and own["figures"]["overdue"] == 1
    other = get_json(client, service_id=world.other.id)
    assert other["figures"] == {
        "opened": 1,
        "closed": 0,
        "closed_within_timescale": 0,
        "within_timescale_percent": None,
        "overdue": 1,
        "past_due_waiting": 0,
        "high_risk_open": 0,
    }
    assert other["minutes"]["decisions"]["counts"] == {
        "opened": 1,
        "escalation": 0,
        "signed_off": 0,
    }
