"""The provider oversight dashboard: counts worked out by hand, the grip ranking and its
reasons, pages, who may see it, and the measure charts it shows."""

import uuid
from datetime import timedelta

import pytest

from server.common.dates import london_today
from server.common.types import utcnow
from server.extensions import db
from server.measures.models import ImprovementMeasure
from server.oversight.dashboard import COUNTS, dashboard, entry_counts
from server.oversight.grip import rating
from tests.support.early_warnings import NOW, TODAY, at, make_entry, make_finding

pytestmark = pytest.mark.db


def measure(world, service=None, **fields) -> ImprovementMeasure:
    values = {
        "service_id": (service or world.home).id,
        "name": "Audit escalations",
        "metric": "high_risk_audit_escalation",
        "baseline": 40.0,
        "target": 100.0,
        "start_date": TODAY - timedelta(days=14),
        "deadline": TODAY + timedelta(days=30),
        "created_by": world.users["registered_manager"].id,
    }
    values.update(fields)
    item = ImprovementMeasure(**values)
    db.session.add(item)
    db.session.flush()
    return item


def small_log(world):
    """Ashdown House: 4 open (1 overdue, high risk); Beech Court: 2 open (1 overdue)."""
    world.home.created_at = NOW - timedelta(days=1)  # reviews not yet due
    world.other.created_at = NOW - timedelta(days=40)  # never reviewed: both overdue
    make_entry(world)  # open, due in a week
    make_entry(
        world,
        status="in_progress",
        due_date=TODAY - timedelta(days=3),
        risk="high",
        interim_controls="Two-hourly checks",
        escalation_decision="escalated",
    )
    make_entry(
        world,
        status="awaiting_check",
        due_date=TODAY - timedelta(days=2),
        interim_controls="Handover note",
    )  # done: not the owner's to do, not overdue
    make_entry(world, due_date=TODAY)  # due today: overdue only from tomorrow
    make_entry(world, status="draft", created_at=at(0, hours_ago=2))  # not an action yet
    make_entry(world, deleted_at=at(1))  # a tombstone
    make_entry(world, world.other, due_date=TODAY - timedelta(days=10))
    make_entry(world, world.other, due_date=TODAY + timedelta(days=3))
    make_entry(world, world.rival_service, due_date=TODAY - timedelta(days=10))
    # An undecided high-risk audit finding: an early warning, and the measure at 0%.
    make_finding(world, risk="high", source="audit", received_at=at(3))
    measure(world)


# ---- the numbers, worked out by hand -------------------------------------------------------


def test_counts_per_service(world):
    small_log(world)
    counts = entry_counts([world.home.id, world.other.id, world.rival_service.id], TODAY)
    assert counts[world.home.id] == {
        "open": 4,
        "overdue": 1,
        "past_due_waiting": 1,  # done, past due: waiting for the manager's check
        "high_risk_open": 1,
        "high_risk_overdue": 1,
        "awaiting_check": 1,
        "awaiting_sign_off": 0,
        "overdue_without_interim_controls": 0,
    }
    assert counts[world.other.id] == {
        "open": 2,
        "overdue": 1,
        "past_due_waiting": 0,
        "high_risk_open": 0,
        "high_risk_overdue": 0,
        "awaiting_check": 0,
        "awaiting_sign_off": 0,
        "overdue_without_interim_controls": 1,
    }


def test_services_ranked_worst_first_with_the_reasons_in_words(world):
    small_log(world)
    board = dashboard(world.provider, None, TODAY, NOW)
    assert [(s["rank"], s["service_name"], s["grip"]["score"]) for s in board["services"]] == [
        (1, "Beech Court", 24),
        (2, "Ashdown House", 13),
    ]
    beech, ashdown = board["services"]
    assert [(r["points"], r["reason"]) for r in beech["grip"]["reasons"]] == [
        (10, "1 of 2 open actions is overdue (50%): 10 points, 2 for every full 10% (at least 1)."),
        (
            6,
            "The registered manager's weekly review is 33 days overdue (due 11 February "
            "2026, never recorded): 6 points, 3 plus 1 for each further week (at most 6).",
        ),
        (
            4,
            "1 overdue entry has no interim controls recorded; the oldest was due on "
            "6 March 2026 (10 days ago). 4 points, 4 for each record flagged (counting at "
            "most 3).",
        ),
        (
            4,
            "The provider's monthly review is 9 days overdue (due 7 March 2026, never "
            "recorded): 4 points, 3 plus 1 for each further week (at most 6).",
        ),
    ]
    assert beech["grip"]["summary"] == "24 points from 4 causes; the largest: Overdue actions."
    assert beech["reviews_overdue"] == 2
    assert beech["grip"]["reasons"][2]["label"] == (
        "Early warning: Overdue with no interim controls"
    )
    assert [(r["code"], r["points"]) for r in ashdown["grip"]["reasons"]] == [
        ("overdue", 4),
        ("high_risk_no_escalation", 4),
        ("high_risk_overdue", 3),
        ("measure_below_target", 2),
    ]
    assert ashdown["grip"]["reasons"][3]["reason"] == (
        "The measure “Audit escalations” is below target: 0% against a target of 100% by "
        "15 April 2026: 2 points."
    )
    assert ashdown["warnings"] == [
        {
            "signal": "high_risk_no_escalation",
            "label": "High risk with no escalation decision",
            "count": 1,
            "points": 4,
            "reasons": [
                "1 high-risk finding has no escalation decision recorded within 24 hours "
                "of being received or created."
            ],
        }
    ]
    [chart] = ashdown["measures"]
    assert chart["summary"] == (
        "Audit escalations: latest 0% (week of 9 March 2026), target "
        "100% by 15 April 2026; below target."
    )
    assert ashdown["cadence"]["rm"]["next_due"] == TODAY + timedelta(days=6)


def test_provider_totals(world):
    small_log(world)
    totals = dashboard(world.provider, None, TODAY, NOW, per_page=1)["totals"]
    assert {
        k: totals[k]
        for k in (
            "open",
            "overdue",
            "high_risk_open",
            "high_risk_overdue",
            "services",
            "services_slipping",
            "rm_reviews_overdue",
            "provider_reviews_overdue",
            "measures",
            "measures_below_target",
        )
    } == {
        "open": 6,
        "overdue": 2,
        "high_risk_open": 1,
        "high_risk_overdue": 1,
        "services": 2,
        "services_slipping": 2,
        "rm_reviews_overdue": 1,
        "provider_reviews_overdue": 1,
        "measures": 1,
        "measures_below_target": 1,
    }
    assert totals["flagged"]["overdue_without_interim_controls"] == 1


def test_a_steady_service_scores_nothing_and_says_so(world):
    world.home.created_at = NOW - timedelta(days=1)
    make_entry(world)
    [row] = dashboard(world.provider, [world.home.id], TODAY, NOW)["services"]
    assert row["grip"] == {
        "score": 0,
        "rating": {
            "rating": "green",
            "points": "0 points",
            "meaning": "Green: no sign of grip slipping.",
        },
        "reasons": [],
        "summary": (
            "No sign of grip slipping: nothing overdue, no early warnings, reviews up to date and "
            "every measure with data on target."
        ),
    }
    assert (
        dashboard(world.provider, [world.home.id], TODAY, NOW, slipping_only=True)["services"] == []
    )


def test_pages_keep_the_ranking(world):
    small_log(world)
    first = dashboard(world.provider, None, TODAY, NOW, per_page=1)
    second = dashboard(world.provider, None, TODAY, NOW, page=2, per_page=1)
    assert [(s["rank"], s["service_name"]) for s in first["services"]] == [(1, "Beech Court")]
    assert [(s["rank"], s["service_name"]) for s in second["services"]] == [(2, "Ashdown House")]
    assert (first["total"], first["has_more"], second["has_more"]) == (2, True, False)


# ---- the endpoint -----------------------------------------------------------------------


def live_log(world):
    """Overdue work in both services, dated from the real clock the endpoint reads."""
    today = london_today()
    make_entry(
        world,
        due_date=today - timedelta(days=1),
        interim_controls="Checks",
        created_at=utcnow() - timedelta(hours=2),
    )
    for days in (1, 2, 3):
        make_entry(
            world,
            world.other,
            due_date=today - timedelta(days=days),
            interim_controls="Checks",
            created_at=utcnow() - timedelta(hours=2),
        )
    db.session.commit()


def test_provider_leaders_see_every_service_in_pages(client, world, login):
    live_log(world)
    login(world.users["nominated_individual"])
    body = client.get("/api/v1/oversight/dashboard?per_page=1").get_json()
    assert [(s["rank"], s["service_name"], s["counts"]["overdue"]) for s in body["services"]] == [
        (1, "Beech Court", 3)
    ]
    assert (body["page"], body["per_page"], body["total"], body["has_more"]) == (1, 1, 2, True)
    assert body["totals"]["open"] == 4 and body["totals"]["overdue"] == 4
    assert body["provider_name"] == "Brightwater Care"
    second = client.get("/api/v1/oversight/dashboard?per_page=1&page=2").get_json()
    assert [s["service_name"] for s in second["services"]] == ["Ashdown House"]
    assert second["has_more"] is False
    one = client.get(f"/api/v1/oversight/dashboard?service_id={world.home.id}").get_json()
    assert [s["service_name"] for s in one["services"]] == ["Ashdown House"]


def test_a_registered_manager_sees_only_their_service(client, world, login):
    live_log(world)
    login(world.users["registered_manager"])
    body = client.get("/api/v1/oversight/dashboard").get_json()
    assert [s["service_name"] for s in body["services"]] == ["Ashdown House"]
    assert body["totals"]["overdue"] == 1
    refused = client.get(f"/api/v1/oversight/dashboard?service_id={world.other.id}")
    assert refused.status_code == 403


def test_another_providers_service_is_not_found(client, world, login):
    login(world.users["nominated_individual"])
    for sid in (world.rival_service.id, uuid.uuid4()):
        response = client.get(f"/api/v1/oversight/dashboard?service_id={sid}")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "There is no such service."


@pytest.mark.parametrize(
    "role", ["care_worker", "care_coordinator", "duty_manager", "provider_admin"]
)
def test_roles_without_oversight_are_refused(client, world, login, role):
    response = login(world.users[role]).get("/api/v1/oversight/dashboard")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Your role does not allow seeing early warnings and review cadence (oversight.read)."
    )


def test_bad_paging_names_the_field(client, world, login):
    login(world.users["nominated_individual"])
    response = client.get("/api/v1/oversight/dashboard?per_page=500&page=0")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"per_page", "page"}
    assert client.get("/api/v1/oversight/dashboard?per_page=1").status_code == 200


def test_the_dashboard_needs_login(client, world):
    assert client.get("/api/v1/oversight/dashboard").status_code == 401


# ---- the measure chart --------------------------------------------------------------------


def test_chart_is_an_svg_with_the_measures_name_and_target(client, world, login):
    item = measure(
        world,
        name="Follow-ups on time",
        metric="follow_ups_within_timescale",
        target=90.0,
        start_date=london_today() - timedelta(days=14),
        deadline=london_today() + timedelta(days=28),
    )
    db.session.commit()
    login(world.users["nominated_individual"])
    body = client.get("/api/v1/oversight/dashboard").get_json()
    [shown] = [m for s in body["services"] for m in s["measures"]]
    assert shown["chart_url"] == f"/api/v1/measures/{item.id}/chart.svg"
    response = client.get(shown["chart_url"])
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg ") and "<script" not in svg
    assert "Follow-ups on time" in svg and "Target 90%" in svg
    assert 'aria-label="Follow-ups on time: no data yet, target 90% by' in svg


def test_chart_follows_who_may_read_the_measure(client, world, login):
    mine = measure(world)
    theirs = measure(world, world.rival_service)
    beech = measure(world, world.other)
    db.session.commit()
    login(world.users["care_worker"])
    assert client.get(f"/api/v1/measures/{mine.id}/chart.svg").status_code == 200
    assert client.get(f"/api/v1/measures/{beech.id}/chart.svg").status_code == 403
    missing = client.get(f"/api/v1/measures/{theirs.id}/chart.svg")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "There is no such improvement measure."
    assert client.get("/api/v1/measures/not-an-id/chart.svg").status_code == 404
    login(world.users["provider_admin"])
    assert client.get(f"/api/v1/measures/{mine.id}/chart.svg").status_code == 403


def test_the_grip_score_has_a_rag_rating_read_against_a_scale(world):
    small_log(world)
    board = dashboard(world.provider, None, TODAY, NOW)
    assert [(r["rating"], r["points"]) for r in board["grip_scale"]] == [
        ("green", "0 points"),
        ("amber", "1 to 11 points"),
        ("red", "12 points or more"),
    ]
    beech, ashdown = board["services"]  # 24 and 13 points
    assert beech["grip"]["rating"]["rating"] == ashdown["grip"]["rating"]["rating"] == "red"
    assert beech["grip"]["rating"]["meaning"].startswith("Red: grip is slipping badly.")
    assert [rating(n)["rating"] for n in (0, 1, 11, 12, 38)] == [
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]
    # Each count is a figure, named with its label and meaning for the screen to show.
    assert [f["name"] for f in board["figures"]] == list(COUNTS)
    overdue = next(f for f in board["figures"] if f["name"] == "overdue")
    assert overdue["label"] == "overdue" and overdue["log_filter"] == {"figure": "overdue"}
