"""Reviews as an entry's owner meets them: a challenge's note, the reviews of an entry."""

import uuid
from datetime import UTC, datetime

import pytest

from server.audit.services import Actor
from server.extensions import db
from server.log.models import LogEntry, Note
from server.reviews.services import owner_note, record_review
from tests.support.reviews import make_entry, post


def notes_on(entry) -> list[Note]:
    return db.session.scalars(
        db.select(Note).where(Note.entry_id == entry.id).order_by(Note.created_at)
    ).all()


@pytest.mark.db
def test_a_challenge_keeps_the_entry_open_and_tells_its_owner_in_a_note(client, world, login):
    challenged = make_entry(world, concern="Night checks not recorded")
    more = make_entry(world, concern="Fluid charts gaps", status="open")
    fine = make_entry(world, concern="Menus out of date")
    db.session.commit()
    rm = world.users["registered_manager"]
    login(rm)
    response = post(
        client,
        service_id=str(world.home.id),
        kind="rm_weekly",
        outcome="further_action",
        comment="Two entries need more.",
        items=[
            {
                "entry_id": str(challenged.id),
                "outcome": "challenge",
                "comment": "Show me the night log, not a verbal update.",
            },
            {
                "entry_id": str(more.id),
                "outcome": "further_action",
                "comment": "Add the weekend shifts.",
            },
            {"entry_id": str(fine.id), "outcome": "assurance"},
        ],
    )
    assert response.status_code == 201, response.get_json()
    db.session.expire_all()
    assert db.session.get(LogEntry, challenged.id).status == "in_progress"
    assert db.session.get(LogEntry, more.id).status == "open"
    [note] = notes_on(challenged)
    assert note.body == (
        f"Challenge from the weekly review by {rm.display_name}: "
        "Show me the night log, not a verbal update."
    )
    assert note.author_id == rm.id
    # The note's id comes from the review's: a replayed review cannot add a second note.
    assert note.id == uuid.uuid5(uuid.UUID(response.get_json()["id"]), str(challenged.id))
    assert [n.body for n in notes_on(more)] == [
        f"Further action asked for in the weekly review by {rm.display_name}: "
        "Add the weekend shifts."
    ]
    assert notes_on(fine) == []


def test_the_owners_note_is_cut_to_fit_a_note():
    note = owner_note("provider_monthly", "challenge", "Nia Lead", "x" * 5000)
    assert len(note) == 5000
    assert note.startswith("Challenge from the provider's monthly review by Nia Lead: xxx")
    assert note.endswith("x…")


@pytest.mark.db
def test_the_owner_reads_the_reviews_of_their_entry_newest_first(client, world, login):
    entry = make_entry(world)
    rm, ni = world.users["registered_manager"], world.users["nominated_individual"]
    first = record_review(
        Actor(rm),
        world.home,
        kind="rm_weekly",
        outcome="assurance",
        items=[{"entry_id": entry.id, "outcome": "assurance", "comment": "On track."}],
    )
    first.reviewed_at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    second = record_review(
        Actor(ni),
        world.home,
        kind="provider_monthly",
        outcome="challenge",
        comment="Evidence is thin.",
        items=[{"entry_id": entry.id, "outcome": "challenge", "comment": "Add a practice check."}],
    )
    second.reviewed_at = datetime(2026, 3, 9, 9, tzinfo=UTC)
    record_review(Actor(rm), world.home, kind="ad_hoc", outcome="assurance")
    db.session.commit()

    login(world.users["senior_carer"])  # the owner: floor staff, who may not list reviews
    body = client.get(f"/api/v1/entries/{entry.id}/reviews").get_json()
    assert body["total"] == 2
    assert body["items"] == [
        {
            "review_id": str(second.id),
            "kind": "provider_monthly",
            "reviewed_at": "2026-03-09T09:00:00+00:00",
            "reviewer_id": str(ni.id),
            "reviewer_name": ni.display_name,
            "outcome": "challenge",
            "comment": "Add a practice check.",
            "review_outcome": "challenge",
        },
        {
            "review_id": str(first.id),
            "kind": "rm_weekly",
            "reviewed_at": "2026-03-02T09:00:00+00:00",
            "reviewer_id": str(rm.id),
            "reviewer_name": rm.display_name,
            "outcome": "assurance",
            "comment": "On track.",
            "review_outcome": "assurance",
        },
    ]
    assert client.get("/api/v1/reviews").status_code == 403


@pytest.mark.db
def test_reviews_of_another_providers_entry_are_not_found(client, world, login):
    foreign = make_entry(world, world.rival_service)
    db.session.commit()
    login(world.users["nominated_individual"])
    response = client.get(f"/api/v1/entries/{foreign.id}/reviews")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "There is no such entry."
