"""Review scope: what a review covers, counted and grouped since the last review."""

from datetime import timedelta

import pytest

from server.audit.services import Actor
from server.common import dates
from server.extensions import db
from server.reviews.services import record_review
from tests.support.reviews import make_entry

pytestmark = pytest.mark.db


def scope_url(world, kind="rm_weekly", **args):
    query = "&".join(
        f"{k}={v}" for k, v in {"service_id": world.home.id, "kind": kind, **args}.items()
    )
    return f"/api/v1/reviews/scope?{query}"


@pytest.fixture
def reviewed_log(world):
    """A last weekly review two days ago, and entries in every state around it."""
    today = dates.london_today()
    now = dates.utcnow()
    rm = world.users["registered_manager"]
    last = record_review(Actor(rm), world.home, kind="rm_weekly", outcome="assurance")
    last.reviewed_at = now - timedelta(days=2)
    made = {
        "draft": make_entry(world, concern="A draft", status="draft"),
        "overdue": make_entry(
            world,
            concern="Overdue one",
            status="open",
            due_date=today - timedelta(days=1),
            risk="high",
        ),
        "open": make_entry(
            world, concern="Open one", status="open", due_date=today + timedelta(days=3)
        ),
        "in_progress": make_entry(world, concern="Under way", due_date=today + timedelta(days=5)),
        "checking": make_entry(
            world,
            concern="Marked done",
            status="awaiting_check",
            due_date=today - timedelta(days=4),
        ),
        "closed_since": make_entry(
            world,
            concern="Closed this week",
            status="closed",
            closed_at=now - timedelta(days=1),
            risk="low",
        ),
        "closed_before": make_entry(
            world, concern="Closed long ago", status="closed", closed_at=now - timedelta(days=9)
        ),
        "elsewhere": make_entry(world, world.other, concern="Other service"),
    }
    record_review(
        Actor(rm),
        world.home,
        kind="ad_hoc",
        outcome="challenge",
        comment="Chase it.",
        items=[
            {"entry_id": made["in_progress"].id, "outcome": "challenge", "comment": "Chase it."}
        ],
    )
    db.session.commit()
    return last, made


def test_review_scope_lists_what_the_review_covers_with_counts(client, world, login, reviewed_log):
    last, made = reviewed_log
    login(world.users["registered_manager"])
    body = client.get(scope_url(world)).get_json()
    assert body["counts"] == {"all": 5, "open": 2, "in_progress": 1, "done": 2, "overdue": 1}
    assert body["since"] == last.reviewed_at.isoformat()
    assert body["last_review"]["id"] == str(last.id)
    assert [i["entry"]["concern"] for i in body["items"]] == [
        "Overdue one",
        "Marked done",
        "Open one",
        "Under way",
        "Closed this week",
    ]
    overdue = body["items"][0]
    assert overdue["overdue"] is True and overdue["latest_review"] is None
    assert [f["code"] for f in overdue["entry"]["flags"]].count("overdue") == 1
    under_way = body["items"][3]
    assert under_way["overdue"] is False
    assert (
        under_way["latest_review"]["outcome"],
        under_way["latest_review"]["comment"],
        under_way["latest_review"]["kind"],
    ) == ("challenge", "Chase it.", "ad_hoc")
    assert (body["total"], body["has_more"]) == (5, False)


@pytest.mark.parametrize(
    "show, concerns",
    [
        ("open", ["Overdue one", "Open one"]),
        ("in_progress", ["Under way"]),
        ("done", ["Marked done", "Closed this week"]),
        ("overdue", ["Overdue one"]),
    ],
)
def test_review_scope_shows_one_group(client, world, login, reviewed_log, show, concerns):
    login(world.users["registered_manager"])
    body = client.get(scope_url(world, show=show)).get_json()
    assert [i["entry"]["concern"] for i in body["items"]] == concerns
    assert body["total"] == len(concerns) and body["show"] == show


def test_review_scope_is_paged(client, world, login, reviewed_log):
    login(world.users["registered_manager"])
    body = client.get(scope_url(world, per_page=2, page=2)).get_json()
    assert [i["entry"]["concern"] for i in body["items"]] == ["Open one", "Under way"]
    assert (body["page"], body["per_page"], body["total"], body["has_more"]) == (2, 2, 5, True)


def test_a_first_review_covers_one_interval_of_closures(client, world, login):
    make_entry(
        world,
        concern="Closed 5 days ago",
        status="closed",
        closed_at=dates.utcnow() - timedelta(days=5),
    )
    make_entry(
        world,
        concern="Closed 40 days ago",
        status="closed",
        closed_at=dates.utcnow() - timedelta(days=40),
    )
    db.session.commit()
    login(world.users["nominated_individual"])
    weekly = client.get(scope_url(world)).get_json()
    monthly = client.get(scope_url(world, kind="provider_monthly")).get_json()
    assert weekly["last_review"] is None and weekly["counts"]["all"] == 1
    assert [i["entry"]["concern"] for i in monthly["items"]] == ["Closed 5 days ago"]


@pytest.mark.parametrize(
    "args, fields",
    [
        ("kind=weekly", {"kind": "Must be one of: rm_weekly, provider_monthly, ad_hoc."}),
        (
            "kind=rm_weekly&show=late",
            {"show": "Must be one of: all, open, in_progress, done, overdue."},
        ),
        ("show=all", {"kind": "Missing data for required field."}),
    ],
)
def test_review_scope_bad_arguments_name_the_field(client, world, login, args, fields):
    login(world.users["registered_manager"])
    response = client.get(f"/api/v1/reviews/scope?service_id={world.home.id}&{args}")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields


def test_review_scope_is_for_those_who_read_reviews(client, world, login):
    login(world.users["care_worker"])
    assert client.get(scope_url(world)).status_code == 403
    login(world.users["nominated_individual"])
    rival = client.get(f"/api/v1/reviews/scope?service_id={world.rival_service.id}&kind=rm_weekly")
    assert rival.status_code == 404
