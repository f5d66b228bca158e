"""Review cadence: when each service's log was last reviewed, and which reviews are due."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.common.dates import london_today
from server.common.types import utcnow
from server.extensions import db
from server.oversight.cadence import review_cadence
from server.reviews.models import Review

pytestmark = pytest.mark.db

TODAY = date(2026, 3, 16)


def review(world, kind, on: date, role="registered_manager", service=None, outcome="assurance"):
    item = Review(
        service_id=(service or world.home).id,
        kind=kind,
        reviewer_id=world.users[role].id,
        outcome=outcome,
        comment="Looked at it",
        reviewed_at=datetime(on.year, on.month, on.day, 10, 0, tzinfo=UTC),
    )
    db.session.add(item)
    db.session.flush()
    return item


def set_up_on(world, day: date):
    for service in (world.home, world.other):
        service.created_at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
    db.session.flush()


def cadence_of(world, service=None, **kwargs):
    kwargs.setdefault("today", TODAY)
    rows = review_cadence(world.provider, **kwargs)
    return next(r for r in rows if r["service_id"] == (service or world.home).id)


def test_weekly_review_due_seven_days_after_the_last_and_overdue_the_day_after(world):
    set_up_on(world, date(2026, 1, 5))
    old = review(world, "rm_weekly", date(2026, 3, 1))
    last = review(
        world, "rm_weekly", date(2026, 3, 8), role="deputy_manager", outcome="further_action"
    )
    review(world, "ad_hoc", date(2026, 3, 15))  # ad hoc reviews do not reset the cadence
    rm = cadence_of(world)["rm"]
    assert old.id != last.id
    assert rm == {
        "kind": "rm_weekly",
        "interval_days": 7,
        "last_review_id": last.id,
        "last_reviewed_at": last.reviewed_at,
        "last_reviewed_on": date(2026, 3, 8),
        "reviewed_by": {
            "id": world.users["deputy_manager"].id,
            "display_name": world.users["deputy_manager"].display_name,
        },
        "outcome": "further_action",
        "next_due": date(2026, 3, 15),
        "overdue": True,
        "days_overdue": 1,
    }
    on_the_day = cadence_of(world, today=date(2026, 3, 15))["rm"]
    assert (on_the_day["overdue"], on_the_day["days_overdue"]) == (False, 0)


def test_provider_review_monthly_and_never_reviewed_counts_from_set_up(world):
    set_up_on(world, date(2026, 2, 1))
    review(world, "provider_monthly", date(2026, 2, 20), role="nominated_individual")
    home = cadence_of(world)["provider"]
    assert (home["last_reviewed_on"], home["next_due"], home["overdue"]) == (
        date(2026, 2, 20),
        date(2026, 3, 23),
        False,
    )
    other = cadence_of(world, world.other)
    assert other["provider"]["last_review_id"] is None
    assert other["provider"]["reviewed_by"] is None
    assert other["provider"]["next_due"] == date(2026, 3, 4)  # 1 Feb + 31 days
    assert other["provider"]["days_overdue"] == 12
    assert other["rm"]["next_due"] == date(2026, 2, 8)
    assert other["rm"]["days_overdue"] == 36


def test_review_intervals_are_the_providers_settings(world):
    set_up_on(world, date(2026, 1, 5))
    review(world, "rm_weekly", date(2026, 3, 8))
    assert cadence_of(world)["rm"]["overdue"] is True
    world.provider.thresholds = {"rm_review_interval_days": 14, "provider_review_interval_days": 90}
    db.session.flush()
    row = cadence_of(world)
    assert (row["rm"]["interval_days"], row["rm"]["next_due"], row["rm"]["overdue"]) == (
        14,
        date(2026, 3, 22),
        False,
    )
    assert row["provider"]["next_due"] == date(2026, 4, 5)


def test_cadence_lists_only_asked_services_and_never_another_providers(world):
    review(world, "rm_weekly", date(2026, 3, 14), service=world.rival_service)
    rows = review_cadence(world.provider, today=TODAY)
    assert [r["service_name"] for r in rows] == ["Ashdown House", "Beech Court"]
    assert all(r["rm"]["last_review_id"] is None for r in rows)
    assert review_cadence(world.provider, [world.rival_service.id], today=TODAY) == []
    only = review_cadence(world.provider, [world.other.id], today=TODAY)
    assert [r["service_name"] for r in only] == ["Beech Court"]


def test_cadence_endpoint(client, world, login):
    reviewed = review(world, "rm_weekly", london_today() - timedelta(days=2))
    reviewed.reviewed_at = utcnow() - timedelta(days=2)
    db.session.commit()
    body = login(world.users["registered_manager"]).get("/api/v1/review-cadence").get_json()
    assert body["as_of"] == london_today().isoformat()
    [row] = body["services"]
    assert row["service_name"] == "Ashdown House"
    assert row["rm"]["last_review_id"] == str(reviewed.id)
    assert (
        row["rm"]["reviewed_by"]["display_name"] == world.users["registered_manager"].display_name
    )
    assert row["rm"]["overdue"] is False
    assert row["provider"]["last_reviewed_on"] is None
    leader = login(world.users["provider_quality_lead"])
    both = leader.get("/api/v1/review-cadence").get_json()["services"]
    assert [r["service_name"] for r in both] == ["Ashdown House", "Beech Court"]


def test_cadence_endpoint_refusals(client, world, login):
    login(world.users["care_coordinator"])
    assert client.get("/api/v1/review-cadence").status_code == 403
    login(world.users["deputy_manager"])
    assert (
        client.get(f"/api/v1/review-cadence?service_id={world.rival_service.id}").status_code == 404
    )
    bad = client.get("/api/v1/review-cadence?service_id=12")
    assert bad.get_json()["error"]["fields"] == {"service_id": "Not a valid UUID."}
