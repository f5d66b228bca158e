"""Reviews: who may record which kind, per-entry outcomes, and challenges reopening entries."""

import uuid
from datetime import UTC, datetime

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.errors import Forbidden, Invalid
from server.extensions import db
from server.log.models import LogEntry
from server.reviews.models import Review, ReviewItem
from server.reviews.services import record_review
from tests.support.reviews import count_reviews, make_entry, post


@pytest.mark.db
def test_registered_manager_records_weekly_review_with_item_outcomes(client, world, login):
    entry = make_entry(world)
    db.session.commit()
    login(world.users["registered_manager"])
    response = post(
        client,
        service_id=str(world.home.id),
        kind="rm_weekly",
        outcome="assurance",
        comment="Log is current; all entries owned.",
        items=[
            {
                "entry_id": str(entry.id),
                "outcome": "assurance",
                "comment": "Handover sheets seen for 3 days.",
            }
        ],
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "rm_weekly" and body["outcome"] == "assurance"
    assert body["reviewer_id"] == str(world.users["registered_manager"].id)
    assert body["items"] == [
        {
            "entry_id": str(entry.id),
            "outcome": "assurance",
            "entry_concern": "Handover misses falls",
            "comment": "Handover sheets seen for 3 days.",
        }
    ]
    assert body["reviewer_name"] == world.users["registered_manager"].display_name
    stored = db.session.get(Review, uuid.UUID(body["id"]))
    assert stored.service_id == world.home.id and len(stored.items) == 1
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "review"))
    assert event.action == "create" and event.changes["outcome"] == "assurance"
    assert event.actor_id == world.users["registered_manager"].id
    assert client.get(f"/api/v1/reviews/{body['id']}").get_json() == body


@pytest.mark.db
def test_challenge_item_reopens_a_closed_entry_through_the_log(client, world, login):
    closed = make_entry(
        world,
        status="closed",
        closed_at=datetime(2026, 3, 10, tzinfo=UTC),
        closed_by=world.users["registered_manager"].id,
    )
    waiting = make_entry(world, risk="high", status="awaiting_sign_off")
    db.session.commit()
    login(world.users["nominated_individual"])
    response = post(
        client,
        service_id=str(world.home.id),
        kind="provider_monthly",
        outcome="challenge",
        comment="Two closures rest on thin evidence.",
        items=[
            {
                "entry_id": str(closed.id),
                "outcome": "challenge",
                "comment": "Show three weeks of handover records, not one.",
            },
            {
                "entry_id": str(waiting.id),
                "outcome": "challenge",
                "comment": "Add a practice check of the night team.",
            },
        ],
    )
    assert response.status_code == 201, response.get_json()
    review_id = response.get_json()["id"]
    db.session.expire_all()
    assert db.session.get(LogEntry, closed.id).status == "in_progress"
    assert db.session.get(LogEntry, closed.id).closed_at is None
    assert db.session.get(LogEntry, waiting.id).status == "in_progress"
    events = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(closed.id), AuditEvent.action == "challenge"
        )
    ).all()
    assert [e.changes["reason"] for e in events] == [
        "Show three weeks of handover records, not one."
    ]
    assert events[0].changes["review_id"] == review_id


@pytest.mark.db
def test_challenge_keeps_an_entry_still_in_progress(world):
    entry = make_entry(world)
    record_review(
        Actor(world.users["registered_manager"]),
        world.home,
        kind="ad_hoc",
        outcome="challenge",
        comment="Not enough progress.",
        items=[
            {"entry_id": entry.id, "outcome": "challenge", "comment": "Name who checks the sheets."}
        ],
    )
    assert entry.status == "in_progress"


@pytest.mark.db
def test_a_challenge_must_say_what_has_to_change(client, world, login):
    entry = make_entry(world, status="closed")
    db.session.commit()
    login(world.users["registered_manager"])
    response = post(
        client,
        service_id=str(world.home.id),
        kind="rm_weekly",
        outcome="challenge",
        comment="  ",
        items=[{"entry_id": str(entry.id), "outcome": "challenge"}],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "comment": "A challenge must say what has to change before it can be recorded.",
        "items.0.comment": "A challenge must say what has to change before it can be recorded.",
    }
    db.session.expire_all()
    assert count_reviews() == 0
    assert db.session.get(LogEntry, entry.id).status == "closed"


@pytest.mark.db
def test_items_must_be_entries_of_the_reviewed_service(client, world, login):
    elsewhere = make_entry(world, world.other)
    foreign = make_entry(world, world.rival_service)
    mine = make_entry(world)
    db.session.commit()
    login(world.users["nominated_individual"])
    response = post(
        client,
        service_id=str(world.home.id),
        kind="ad_hoc",
        outcome="assurance",
        items=[
            {"entry_id": str(elsewhere.id), "outcome": "assurance"},
            {"entry_id": str(foreign.id), "outcome": "assurance"},
            {"entry_id": str(mine.id), "outcome": "assurance"},
            {"entry_id": str(mine.id), "outcome": "assurance"},
        ],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "items.0.entry_id": "There is no such entry in Ashdown House.",
        "items.1.entry_id": "There is no such entry in Ashdown House.",
        "items.3.entry_id": "This entry is already in the review.",
    }
    assert count_reviews() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ReviewItem)) == 0


@pytest.mark.parametrize(
    "role, kind, allowed",
    [
        ("registered_manager", "rm_weekly", True),
        ("deputy_manager", "rm_weekly", True),
        ("nominated_individual", "rm_weekly", False),
        ("registered_manager", "provider_monthly", False),
        ("nominated_individual", "provider_monthly", True),
        ("provider_quality_lead", "provider_monthly", True),
        ("deputy_manager", "ad_hoc", True),
        ("provider_quality_lead", "ad_hoc", True),
        ("care_coordinator", "ad_hoc", False),
        ("provider_admin", "ad_hoc", False),
    ],
)
@pytest.mark.db
def test_who_may_record_which_review(client, world, login, role, kind, allowed):
    login(world.users[role])
    response = post(client, service_id=str(world.home.id), kind=kind, outcome="assurance")
    assert response.status_code == (201 if allowed else 403), response.get_json()
    assert count_reviews() == (1 if allowed else 0)
    if not allowed:
        assert "does not allow" in response.get_json()["error"]["message"]


@pytest.mark.db
def test_floor_staff_cannot_record_reviews(world):
    with pytest.raises(Forbidden):
        record_review(
            Actor(world.users["care_worker"]), world.home, kind="ad_hoc", outcome="assurance"
        )


@pytest.mark.db
def test_the_same_review_delivered_twice_is_kept_once(world):
    actor = Actor(world.users["registered_manager"], "sync", "tablet-1")
    review_id = uuid.uuid4()
    first = record_review(actor, world.home, kind="rm_weekly", outcome="assurance", id=review_id)
    again = record_review(actor, world.home, kind="rm_weekly", outcome="assurance", id=review_id)
    assert first is again and count_reviews() == 1
    with pytest.raises(Invalid) as refused:
        record_review(
            Actor(world.users["nominated_individual"]),
            world.other,
            kind="ad_hoc",
            outcome="assurance",
            id=review_id,
        )
    assert refused.value.fields == {"id": "Already used."}


@pytest.mark.parametrize(
    "body, fields",
    [
        (
            {"kind": "weekly", "outcome": "assurance"},
            {"kind": "Must be one of: rm_weekly, provider_monthly, ad_hoc."},
        ),
        ({"kind": "rm_weekly"}, {"outcome": "Missing data for required field."}),
        (
            {"kind": "rm_weekly", "outcome": "assurance", "comment": 7},
            {"comment": "Not a valid string."},
        ),
        (
            {"kind": "rm_weekly", "outcome": "assurance", "comment": "x" * 5001},
            {"comment": "Longer than maximum length 5000."},
        ),
        (
            {"kind": "rm_weekly", "outcome": "assurance", "items": [{"entry_id": "x"}]},
            {
                "items.0.entry_id": "Not a valid UUID.",
                "items.0.outcome": "Missing data for required field.",
            },
        ),
        ({"kind": "rm_weekly", "outcome": "assurance", "mood": "good"}, {"mood": "Unknown field."}),
    ],
)
@pytest.mark.db
def test_bad_input_names_the_field_and_writes_nothing(client, world, login, body, fields):
    login(world.users["registered_manager"])
    response = post(client, service_id=str(world.home.id), **body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert count_reviews() == 0


@pytest.mark.db
def test_malformed_json_and_wrong_content_type(client, world, login):
    login(world.users["registered_manager"])
    bad = client.post("/api/v1/reviews", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "malformed"
    form = client.post("/api/v1/reviews", data={"kind": "rm_weekly"})
    assert form.status_code == 415
    assert form.get_json()["error"]["fields"] == {
        "_body": "Content type application/x-www-form-urlencoded is not accepted."
    }
    assert count_reviews() == 0


@pytest.mark.db
def test_listing_filters_and_isolation(client, world, login):
    rm = world.users["registered_manager"]
    ni = world.users["nominated_individual"]
    record_review(Actor(rm), world.home, kind="rm_weekly", outcome="assurance")
    monthly = record_review(
        Actor(ni),
        world.home,
        kind="provider_monthly",
        outcome="further_action",
        comment="Add a night audit.",
    )
    other = record_review(Actor(ni), world.other, kind="ad_hoc", outcome="assurance")
    rival_ni = db.session.scalar(db.select(type(rm)).where(type(rm).provider_id == world.rival.id))
    assert rival_ni is None  # the rival provider has no users: its review is made directly
    rival = Review(
        service_id=world.rival_service.id, kind="ad_hoc", reviewer_id=rm.id, outcome="assurance"
    )
    db.session.add(rival)
    db.session.commit()

    login(ni)
    everything = client.get("/api/v1/reviews").get_json()
    assert everything["total"] == 3
    assert str(rival.id) not in {r["id"] for r in everything["items"]}
    monthly_only = client.get("/api/v1/reviews?kind=provider_monthly").get_json()
    assert [r["id"] for r in monthly_only["items"]] == [str(monthly.id)]
    beech = client.get(f"/api/v1/reviews?service_id={world.other.id}").get_json()
    assert [r["id"] for r in beech["items"]] == [str(other.id)]
    assert client.get(f"/api/v1/reviews/{rival.id}").status_code == 404
    paged = client.get("/api/v1/reviews?per_page=2&page=2").get_json()
    assert (paged["total"], len(paged["items"]), paged["has_more"]) == (3, 1, False)

    login(rm)
    assert client.get("/api/v1/reviews").get_json()["total"] == 2
    assert client.get(f"/api/v1/reviews/{other.id}").status_code == 403
    assert client.get("/api/v1/reviews?kind=yearly").get_json()["error"]["fields"] == {
        "kind": "Must be one of: rm_weekly, provider_monthly, ad_hoc."
    }


@pytest.mark.db
def test_floor_staff_cannot_read_reviews(client, world, login):
    login(world.users["senior_carer"])
    response = client.get("/api/v1/reviews")
    assert response.status_code == 403
    assert client.get(f"/api/v1/reviews?service_id={world.home.id}").status_code == 403
