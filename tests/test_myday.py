"""My day: each person's overdue and due-today actions, challenges and new assignments,
and for managers high-risk findings past the escalation time and reviews due."""

from datetime import UTC, date, datetime, timedelta

import pytest

from seed import factories as f
from server.common.types import clock_at
from server.extensions import db
from server.findings.models import Finding
from server.log import services as log
from server.reviews.models import Review, ReviewItem
from server.reviews.services import record_review
from tests.support import myday as shared
from tests.support.myday import FLOOR, NOW, TODAY, actor, ids, make_entry

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: this one comes from tests/support.
day = shared.day


# ---- overdue and due today ---------------------------------------------------------------


def test_overdue_from_the_day_after_the_due_date_and_due_today_only_today(world, day):
    me = world.users["senior_carer"]
    late = make_entry(world, me, TODAY - timedelta(days=1), concern="Bed rails not checked")
    today = make_entry(world, me, TODAY, status="in_progress")
    make_entry(world, me, TODAY + timedelta(days=1))  # due tomorrow: neither list
    make_entry(world, me, TODAY - timedelta(days=3), status="awaiting_check")  # done
    make_entry(world, me, TODAY - timedelta(days=3), status="closed")
    make_entry(world, world.users["care_worker"], TODAY - timedelta(days=2))  # not mine

    body = day(me)

    assert body["as_of"] == "2026-03-16"
    assert body["overdue"] == [
        {
            "entry_id": str(late.id),
            "concern": "Bed rails not checked",
            "due_date": "2026-03-15",
            "status": "open",
            "risk": "medium",
            "service_id": str(world.home.id),
            "service_name": "Ashdown House",
            "days_overdue": 1,
            "reason": "You own this action and it is overdue by 1 day: it was due on "
            "15 March 2026.",
        }
    ]
    assert ids(body["due_today"]) == [str(today.id)]
    assert body["due_today"][0]["reason"] == "You own this action and it is due today."
    assert body["challenges"] == body["new_assignments"] == []


def test_days_are_london_days(world, day):
    me = world.users["senior_carer"]
    entry = make_entry(world, me, date(2026, 6, 1))
    # 23:30 UTC on 1 June is already 2 June in London (BST): the action is overdue.
    assert ids(day(me, datetime(2026, 6, 1, 23, 30, tzinfo=UTC))["overdue"]) == [str(entry.id)]
    body = day(me, datetime(2026, 6, 1, 22, 30, tzinfo=UTC))
    assert (body["overdue"], ids(body["due_today"])) == ([], [str(entry.id)])


def test_only_services_i_may_see_and_nothing_of_another_provider(world, day):
    me = world.users["senior_carer"]
    mine = make_entry(world, me, TODAY - timedelta(days=1))
    # Owned by me on paper, but in a service where I hold no role (I moved homes).
    make_entry(world, me, TODAY - timedelta(days=1), service=world.other)
    stranger = f.make_user(world.rival, "senior_carer", world.rival_service)
    theirs = make_entry(world, stranger, TODAY - timedelta(days=1), service=world.rival_service)

    assert ids(day(me)["overdue"]) == [str(mine.id)]
    assert ids(day(stranger)["overdue"]) == [str(theirs.id)]


def test_login_required(client):
    response = client.get("/api/v1/my-day")
    assert response.status_code == 401


# ---- challenges --------------------------------------------------------------------------


def test_sign_off_and_review_challenges_on_my_entries_in_the_last_14_days(world, day):
    me = world.users["senior_carer"]
    signed = make_entry(
        world,
        me,
        TODAY + timedelta(days=5),
        status="awaiting_sign_off",
        risk="high",
        concern="Falls sensor not working",
    )
    reviewed = make_entry(world, me, TODAY + timedelta(days=5), concern="Menu choices")
    old = make_entry(world, me, TODAY + timedelta(days=5), concern="Old news")
    other = make_entry(world, world.users["care_worker"], TODAY + timedelta(days=5))
    with clock_at(NOW - timedelta(days=15)):
        record_review(
            actor(world, "registered_manager"),
            world.home,
            kind="rm_weekly",
            outcome="challenge",
            comment="Too slow",
            items=[{"entry_id": old.id, "outcome": "challenge", "comment": "Stale"}],
        )
    with clock_at(NOW - timedelta(days=2)):
        log.transition(
            actor(world, "nominated_individual"),
            signed,
            "challenge",
            reason="The sensor log shows two more failures",
        )
    with clock_at(NOW - timedelta(days=1)):
        review = record_review(
            actor(world, "registered_manager"),
            world.home,
            kind="rm_weekly",
            outcome="challenge",
            comment="Some actions are slipping",
            items=[
                {
                    "entry_id": reviewed.id,
                    "outcome": "challenge",
                    "comment": "Ask residents, not staff",
                },
                {"entry_id": other.id, "outcome": "challenge", "comment": "Not mine"},
            ],
        )
    db.session.commit()
    rm = world.users["registered_manager"].display_name
    ni = world.users["nominated_individual"].display_name

    found = day(me)["challenges"]

    assert [(c["entry_id"], c["challenged_by"], c["comment"], c["review_id"]) for c in found] == [
        (str(reviewed.id), rm, "Ask residents, not staff", str(review.id)),
        (str(signed.id), ni, "The sensor log shows two more failures", None),
    ]
    assert found[0]["reason"] == (
        f"{rm} challenged this entry of yours in a review on "
        "15 March 2026: Ask residents, not staff"
    )
    assert found[1]["reason"] == (
        f"{ni} challenged this entry of yours at sign-off on "
        "14 March 2026: The sensor log shows two more failures"
    )
    assert found[1]["status"] == "in_progress"


def test_a_review_item_challenge_without_an_audit_event_still_shows(world, day):
    # Review items written by other paths (imports, demo data) count as well.
    me = world.users["senior_carer"]
    entry = make_entry(world, me, TODAY + timedelta(days=5))
    review = Review(
        service_id=world.home.id,
        kind="ad_hoc",
        outcome="challenge",
        reviewer_id=world.users["deputy_manager"].id,
        comment="See items",
        reviewed_at=NOW - timedelta(days=3),
    )
    review.items = [
        ReviewItem(entry_id=entry.id, outcome="challenge", comment="Evidence is a verbal report")
    ]
    db.session.add(review)
    db.session.commit()

    found = day(me)["challenges"]

    assert [(c["entry_id"], c["review_id"], c["comment"]) for c in found] == [
        (str(entry.id), str(review.id), "Evidence is a verbal report")
    ]
    assert day(world.users["care_worker"])["challenges"] == []


# ---- new assignments ---------------------------------------------------------------------


def test_entries_that_became_mine_in_the_last_3_days(world, day):
    me, rm = world.users["senior_carer"], actor(world, "registered_manager")
    with clock_at(NOW - timedelta(days=1)):
        created = log.create_draft(
            rm, world.home, concern="Handover missed", source="handover", owner_id=me.id
        )
    with clock_at(NOW - timedelta(days=5)):
        long_ago = log.create_draft(
            rm, world.home, concern="Old one", source="audit", owner_id=me.id
        )
        moved = log.create_draft(rm, world.home, concern="Kitchen audit", source="audit")
        passed_on = log.create_draft(rm, world.home, concern="Laundry", source="audit")
    with clock_at(NOW - timedelta(hours=5)):
        log.update_entry(rm, moved, moved.version, {"owner_id": me.id})
        log.update_entry(rm, passed_on, passed_on.version, {"owner_id": me.id})
    with clock_at(NOW - timedelta(hours=2)):
        log.update_entry(
            rm, passed_on, passed_on.version, {"owner_id": world.users["care_worker"].id}
        )
    db.session.commit()
    name = world.users["registered_manager"].display_name

    mine = day(me)["new_assignments"]

    assert ids(mine) == [str(moved.id), str(created.id)]
    assert mine[0]["reason"] == f"{name} made you the owner of this entry on 16 March 2026."
    assert mine[0]["assigned_by"] == name
    assert str(long_ago.id) not in ids(mine)
    assert ids(day(world.users["care_worker"])["new_assignments"]) == [str(passed_on.id)]


def test_taking_an_entry_on_myself_is_not_news(world, day):
    me = actor(world, "registered_manager")
    with clock_at(NOW - timedelta(hours=1)):
        log.create_draft(
            me, world.home, concern="Rota gaps", source="staffing", owner_id=me.user.id
        )
    db.session.commit()
    assert day(me.user)["new_assignments"] == []


# ---- manager sections --------------------------------------------------------------------


def make_finding(world, risk, hours_ago, service=None, description="Wet floor by lift"):
    finding = Finding(
        service_id=(service or world.home).id,
        kind="walkaround_issue",
        area="Lounge",
        source="walkaround",
        description=description,
        risk=risk,
        recorded_by=world.users["care_worker"].id,
        recorded_at=NOW - timedelta(hours=hours_ago),
        received_at=NOW - timedelta(hours=hours_ago),
    )
    db.session.add(finding)
    db.session.commit()
    return finding


def set_up_services(world):
    for service in (world.home, world.other, world.rival_service):
        service.created_at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    db.session.commit()


def weekly_review(world, service, on: date):
    db.session.add(
        Review(
            service_id=service.id,
            kind="rm_weekly",
            outcome="assurance",
            reviewer_id=world.users["registered_manager"].id,
            comment="Fine",
            reviewed_at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
        )
    )
    db.session.commit()


@pytest.mark.parametrize("role", FLOOR + ("care_coordinator",))
def test_floor_roles_get_no_manager_sections(world, day, role):
    set_up_services(world)
    make_finding(world, "high", 30)
    assert day(world.users[role])["manager"] is None


def test_registered_manager_sees_every_new_finding_high_risk_first_and_reviews_due(world, day):
    set_up_services(world)
    late = make_finding(world, "high", 30, description="Fire door wedged open")
    fresh = make_finding(world, "high", 0)  # just synced: counted at once
    medium = make_finding(world, "medium", 100)  # past its time, but not high risk
    make_finding(world, "high", 30, service=world.other)  # not the RM's service
    make_finding(world, "high", 30, service=world.rival_service)
    weekly_review(world, world.home, date(2026, 3, 10))  # next due 17 March

    body = day(world.users["registered_manager"])
    manager = body["manager"]

    assert ids(manager["findings_waiting"], "finding_id") == [
        str(late.id),
        str(fresh.id),
        str(medium.id),
    ]
    assert manager["findings_waiting"][1]["reason"] == (
        "New high-risk finding in Ashdown House, waiting under an hour for triage: "
        "triage it within 24 hours."
    )
    assert body["counts"]["sections"]["findings_waiting"] == 3
    assert manager["findings_waiting"][:1] == [
        {
            "finding_id": str(late.id),
            "description": "Fire door wedged open",
            "area": "Lounge",
            "source": "walkaround",
            "risk": "high",
            "received_at": "2026-03-15T04:00:00+00:00",
            "waiting_hours": 30.0,
            "past_escalation_time": True,
            "service_id": str(world.home.id),
            "service_name": "Ashdown House",
            "reason": "High-risk finding in Ashdown House waiting 30 hours for triage; it "
            "should be triaged within 24 hours.",
        }
    ]
    assert manager["reviews_due"] == [
        {
            "service_id": str(world.home.id),
            "service_name": "Ashdown House",
            "kind": "rm_weekly",
            "next_due": "2026-03-17",
            "overdue": False,
            "days_overdue": 0,
            "last_review_id": manager["reviews_due"][0]["last_review_id"],
            "reason": "The weekly review of Ashdown House's log is due on 17 March 2026.",
        }
    ]


def test_reviews_not_due_within_two_days_are_not_listed(world, day):
    set_up_services(world)
    weekly_review(world, world.home, date(2026, 3, 13))  # next due 20 March
    manager = day(world.users["registered_manager"])["manager"]
    assert manager == {"findings_waiting": [], "reviews_due": []}
    weekly_review(world, world.home, date(2026, 3, 1))  # an older one changes nothing
    assert day(world.users["registered_manager"])["manager"]["reviews_due"] == []


def test_overdue_review_says_by_how_much(world, day):
    set_up_services(world)
    weekly_review(world, world.home, date(2026, 3, 6))  # due 13 March
    due = day(world.users["deputy_manager"])["manager"]["reviews_due"]
    assert [(r["kind"], r["overdue"], r["days_overdue"], r["reason"]) for r in due] == [
        (
            "rm_weekly",
            True,
            3,
            "The weekly review of Ashdown House's log was due on 13 March 2026: 3 days overdue.",
        )
    ]


def test_provider_lead_sees_every_service_of_the_provider_and_no_other(world, day):
    set_up_services(world)  # never reviewed: the monthly review was due on 5 February
    home = make_finding(world, "high", 48)
    other = make_finding(world, "high", 25, service=world.other)
    make_finding(world, "high", 48, service=world.rival_service)
    make_finding(world, "high", 2)  # a provider lead does not triage: only the late ones
    make_finding(world, "medium", 100)

    manager = day(world.users["provider_quality_lead"])["manager"]

    assert ids(manager["findings_waiting"], "finding_id") == [str(home.id), str(other.id)]
    assert [(r["service_name"], r["kind"], r["days_overdue"]) for r in manager["reviews_due"]] == [
        ("Ashdown House", "provider_monthly", 39),
        ("Beech Court", "provider_monthly", 39),
    ]


def test_duty_manager_triages_but_does_not_review(world, day):
    set_up_services(world)
    late = make_finding(world, "high", 30)
    manager = day(world.users["duty_manager"])["manager"]
    assert ids(manager["findings_waiting"], "finding_id") == [str(late.id)]
    assert manager["reviews_due"] == []


def test_my_day_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    response = spec["paths"]["/my-day"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MyDay"
    }


def test_my_preferences_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/me/preferences"]
    assert path["patch"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PreferencesUpdate"
    }
    assert spec["components"]["schemas"]["PreferencesUpdate"]["required"] == ["digest_opt_in"]
