"""Findings and walkarounds: recording them, with bad input, retries and permissions."""

import uuid

import pytest

from server.accounts.permissions import PERMISSIONS, ROLES
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings import services
from server.findings.models import Finding
from tests.support import findings as shared
from tests.support.findings import NO_FULL_NAMES, body, feedback, record, rows

# pytest finds fixtures among a module's globals: this one comes from tests/support/findings.py.
quick_passwords = shared.quick_passwords

pytestmark = pytest.mark.db


# ---- recording -------------------------------------------------------------------------


def test_care_worker_records_a_finding(client, world, login):
    worker = world.users["care_worker"]
    login(worker)
    response = client.post("/api/v1/findings", json=body(world))
    assert response.status_code == 201
    got = response.get_json()
    assert got["kind"] == "walkaround_issue"
    assert got["area"] == "Lounge"
    assert got["source"] == "walkaround"  # from the kind when not given
    assert got["recorded_by"] == str(worker.id)
    assert got["recorded_at"] == "2025-03-03T09:15:00+00:00"  # the device clock, kept
    assert got["received_at"] != got["recorded_at"]  # the server clock
    assert got["triage_state"] == "new"
    assert got["version"] == 1
    stored = db.session.get(Finding, uuid.UUID(got["id"]))
    assert stored.recorded_by == worker.id and stored.service_id == world.home.id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_id == got["id"]))
    assert (event.action, event.actor_id, event.channel) == ("create", worker.id, "desk")
    assert event.changes["description"] == "Call bell out of reach for the person in room 4"


def test_a_routine_is_a_valid_area(client, world, login):
    login(world.users["senior_carer"])
    response = client.post("/api/v1/findings", json=body(world, area="Medication round"))
    assert response.status_code == 201
    assert response.get_json()["area"] == "Medication round"


def test_an_area_the_service_does_not_have_is_refused(client, world, login):
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, area="Swimming pool"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"] == {
        "area": "Swimming pool is not one of this service's areas or routines."
    }
    assert rows(Finding) == 0


def test_feedback_keeps_the_question_text(client, world, login):
    login(world.users["key_worker"])
    response = client.post("/api/v1/findings", json=feedback(world))
    assert response.status_code == 201
    got = response.get_json()
    assert got["source"] == "feedback"
    assert got["question_id"] == "vis-1"
    assert got["question"] == "Did you see a senior member of staff during the busy times today?"
    assert (got["respondent_type"], got["answer"], got["sentiment"]) == (
        "relative",
        "Not this week",
        "negative",
    )


def test_feedback_needs_respondent_answer_and_sentiment(client, world, login):
    """Who said it, what they said and how it sounded; the question is optional (an
    unprompted comment is feedback too: tests/test_feedback.py)."""
    login(world.users["key_worker"])
    response = client.post("/api/v1/findings", json=body(world, kind="feedback"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "respondent_type": "Feedback needs respondent type.",
        "answer": "Feedback needs answer.",
        "sentiment": "Feedback needs sentiment.",
    }
    assert rows(Finding) == 0


def test_feedback_question_must_be_in_the_services_question_sets(client, world, login):
    login(world.users["key_worker"])
    response = client.post("/api/v1/findings", json=feedback(world, question_id="nope"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "question_id": "Not a question of this service's question sets."
    }


def test_only_feedback_has_an_answer(client, world, login):
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, answer="Fine"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "answer": "Only feedback findings have a respondent, question and answer."
    }


@pytest.mark.parametrize(
    "people",
    [
        "John Smith",
        "Mrs Patel",
        "Smith, John",
        "R-1042 and Mary O'Brien",
        "Zoë Ångström",
    ],
)
def test_full_names_of_people_are_refused(client, world, login, people):
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, people_involved=people))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == NO_FULL_NAMES
    assert error["fields"] == {"people_involved": NO_FULL_NAMES}
    assert rows(Finding) == 0


@pytest.mark.parametrize("people", ["R-1042", "JS, AB", "Room 4 (JS)", "JS and R12", "Mr J", ""])
def test_record_references_and_initials_are_accepted(client, world, login, people):
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, people_involved=people))
    assert response.status_code == 201
    assert response.get_json()["people_involved"] == people


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"kind": None}, "kind", "Missing data for required field."),
        ({"description": None}, "description", "Missing data for required field."),
        ({"description": "   "}, "description", "Must not be blank."),
        ({"description": "x" * 4001}, "description", "Longer than maximum length 4000."),
        ({"people_involved": "R" * 201}, "people_involved", "Longer than maximum length 200."),
        (
            {"kind": "gossip"},
            "kind",
            "Must be one of: walkaround_issue, feedback, positive_practice, visibility_check.",
        ),
        ({"risk": "severe"}, "risk", "Must be one of: low, medium, high."),
        ({"risk": 3}, "risk", "Not a valid string."),
        ({"follow_up_needed": "perhaps"}, "follow_up_needed", "Not a valid boolean."),
        ({"recorded_at": "2025-03-03T09:15:00"}, "recorded_at", "Not a valid aware datetime."),
        ({"recorded_at": "yesterday"}, "recorded_at", "Not a valid datetime."),
        ({"service_id": "not-a-uuid"}, "service_id", "Not a valid UUID."),
        ({"id": 12}, "id", "Not a valid UUID."),
        ({"colour": "red"}, "colour", "Unknown field."),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client, world, login, changes, field, message
):
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, **changes))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {field: message}
    assert rows(Finding) == 0
    assert rows(AuditEvent) == 0


def test_the_service_layer_checks_what_the_sync_engine_sends(world):
    from server.errors import Invalid

    actor = Actor(world.users["care_worker"])
    with pytest.raises(Invalid) as refused:
        services.record_finding(actor, world.home, {"description": "Bell", "risk": "dire"})
    assert refused.value.fields == {
        "kind": "Choose the kind of finding.",
        "area": "Choose one of this service's areas or routines.",
        "risk": "Must be one of: low, medium, high.",
    }
    with pytest.raises(Invalid) as unknown:
        services.record_finding(actor, world.home, {"kind": "feedback", "mood": "grim"})
    assert unknown.value.fields == {"mood": "Unknown field."}
    db.session.rollback()
    assert rows(Finding) == 0


def test_malformed_json_and_wrong_content_type_are_refused(client, world, login):
    login(world.users["care_worker"])
    broken = client.post(
        "/api/v1/findings", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.get_json()["error"]["fields"] == {"_body": "Not valid JSON."}
    form = client.post("/api/v1/findings", data={"kind": "feedback"})
    assert form.status_code == 415
    assert form.get_json()["error"]["fields"] == {
        "_body": "Content type application/x-www-form-urlencoded is not accepted."
    }
    listed = client.post("/api/v1/findings", json=[body(world)])
    assert listed.status_code == 400
    assert rows(Finding) == 0


def test_a_repeated_create_with_the_same_id_returns_the_first(client, world, login):
    login(world.users["care_worker"])
    finding_id = str(uuid.uuid4())
    first = client.post("/api/v1/findings", json=body(world, id=finding_id))
    again = client.post(
        "/api/v1/findings", json=body(world, id=finding_id, description="Changed on retry")
    )
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.get_json()["description"] == "Call bell out of reach for the person in room 4"
    assert rows(Finding) == 1
    assert rows(AuditEvent) == 1


def test_an_id_used_by_someone_else_is_refused(client, world, login):
    theirs = record(world, world.users["senior_carer"])
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, id=str(theirs.id)))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"id": "Already used by another record."}
    assert db.session.get(Finding, theirs.id).recorded_by == world.users["senior_carer"].id


CREATORS = PERMISSIONS["finding.create"][0]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_a_finding(client, world, login, role):
    login(world.users[role])
    response = client.post("/api/v1/findings", json=body(world))
    assert response.status_code == (201 if role in CREATORS else 403)
    assert rows(Finding) == (1 if role in CREATORS else 0)


def test_recording_in_a_service_without_a_role_there_is_forbidden(client, world, login):
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, service_id=str(world.other.id)))
    assert response.status_code == 403
    assert rows(Finding) == 0


def test_another_providers_service_is_not_found(client, world, login):
    login(world.users["nominated_individual"])
    response = client.post(
        "/api/v1/findings", json=body(world, service_id=str(world.rival_service.id))
    )
    assert response.status_code == 404
    assert rows(Finding) == 0


def test_unauthenticated_requests_are_refused(client, world):
    assert client.get("/api/v1/findings").status_code == 401
    assert client.post("/api/v1/findings", json=body(world)).status_code == 401
    assert rows(Finding) == 0
