"""Findings and walkarounds: recording, reading, editing, triage and the triage inbox."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func

from seed import factories as f
from server.accounts.permissions import PERMISSIONS, ROLES
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common.types import utcnow
from server.extensions import db
from server.findings import services
from server.findings.models import Finding, Walkaround
from server.log.models import LogEntry

pytestmark = pytest.mark.db



@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hash test passwords cheaply: a dozen scrypt hashes per test would dominate the run."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("server.accounts.services.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1"))


NO_FULL_NAMES = "Use a record reference or initials (for example R-1042 or JS), not a full name."


def rows(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def body(world, **changes) -> dict:
    data = {
        "service_id": str(world.home.id),
        "kind": "walkaround_issue",
        "area": "Lounge",
        "description": "Call bell out of reach for the person in room 4",
        "action_taken": "Moved the call bell within reach",
        "risk": "medium",
        "follow_up_needed": True,
        "people_involved": "R-1042",
        "recorded_at": "2025-03-03T09:15:00+00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def feedback(world, **changes) -> dict:
    values = {"kind": "feedback", "respondent_type": "relative", "question_id": "vis-1",
              "answer": "Not this week", "sentiment": "negative"}
    return body(world, **(values | changes))


def record(world, user, service=None, **changes) -> Finding:
    """Record a finding through the service layer (the one write path) and commit."""
    data = body(world, **changes)
    data.pop("service_id")
    data.pop("recorded_at")
    finding = services.record_finding(Actor(user), service or world.home, data)
    db.session.commit()
    return finding


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
        "relative", "Not this week", "negative")


def test_feedback_needs_respondent_question_answer_and_sentiment(client, world, login):
    login(world.users["key_worker"])
    response = client.post("/api/v1/findings", json=body(world, kind="feedback"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "respondent_type": "Feedback needs respondent type.",
        "question_id": "Feedback needs question id.",
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


@pytest.mark.parametrize("people", [
    "John Smith", "Mrs Patel", "Smith, John", "R-1042 and Mary O'Brien", "Zoë Ångström",
])
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


@pytest.mark.parametrize("changes, field, message", [
    ({"kind": None}, "kind", "Missing data for required field."),
    ({"description": None}, "description", "Missing data for required field."),
    ({"description": "   "}, "description", "Must not be blank."),
    ({"description": "x" * 4001}, "description", "Longer than maximum length 4000."),
    ({"people_involved": "R" * 201}, "people_involved", "Longer than maximum length 200."),
    ({"kind": "gossip"}, "kind", "Must be one of: walkaround_issue, feedback, "
                                 "positive_practice, visibility_check."),
    ({"risk": "severe"}, "risk", "Must be one of: low, medium, high."),
    ({"risk": 3}, "risk", "Not a valid string."),
    ({"follow_up_needed": "perhaps"}, "follow_up_needed", "Not a valid boolean."),
    ({"recorded_at": "2025-03-03T09:15:00"}, "recorded_at", "Not a valid aware datetime."),
    ({"recorded_at": "yesterday"}, "recorded_at", "Not a valid datetime."),
    ({"service_id": "not-a-uuid"}, "service_id", "Not a valid UUID."),
    ({"id": 12}, "id", "Not a valid UUID."),
    ({"colour": "red"}, "colour", "Unknown field."),
])
def test_bad_input_names_the_field_and_writes_nothing(client, world, login, changes, field,
                                                      message):
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
    broken = client.post("/api/v1/findings", data="{not json",
                         headers={"Content-Type": "application/json"})
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
    again = client.post("/api/v1/findings",
                        json=body(world, id=finding_id, description="Changed on retry"))
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
    response = client.post("/api/v1/findings",
                           json=body(world, service_id=str(world.rival_service.id)))
    assert response.status_code == 404
    assert rows(Finding) == 0


def test_unauthenticated_requests_are_refused(client, world):
    assert client.get("/api/v1/findings").status_code == 401
    assert client.post("/api/v1/findings", json=body(world)).status_code == 401
    assert rows(Finding) == 0


# ---- reading ---------------------------------------------------------------------------


def test_floor_staff_see_only_their_own_findings(client, world, login):
    colleague = f.make_user(world.provider, "senior_carer", world.home)
    mine = record(world, world.users["senior_carer"])
    theirs = record(world, colleague, description="Wet floor by the kitchen door")
    login(world.users["senior_carer"])
    listed = client.get("/api/v1/findings").get_json()
    assert [item["id"] for item in listed["items"]] == [str(mine.id)]
    assert listed["total"] == 1
    assert client.get(f"/api/v1/findings/{mine.id}").status_code == 200
    response = client.get(f"/api/v1/findings/{theirs.id}")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "You can see the findings you recorded; this one is someone else's.")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_every_finding_of_the_service(client, world, login, role):
    colleague = f.make_user(world.provider, "care_worker", world.home)
    record(world, colleague)
    login(world.users[role])
    total = client.get("/api/v1/findings").get_json()["total"]
    assert total == (1 if role in PERMISSIONS["finding.read_all"][0] else 0)


def test_another_providers_finding_is_not_found(client, world, login):
    rival_rm = f.make_user(world.rival, "registered_manager", world.rival_service)
    theirs = record(world, rival_rm, service=world.rival_service)
    login(world.users["nominated_individual"])
    assert client.get(f"/api/v1/findings/{theirs.id}").status_code == 404
    assert client.get("/api/v1/findings").get_json()["total"] == 0
    response = client.get(f"/api/v1/findings?service_id={world.rival_service.id}")
    assert response.status_code == 404
    response = client.patch(f"/api/v1/findings/{theirs.id}",
                            json={"base_version": 1, "description": "mine now"})
    assert response.status_code == 404
    assert db.session.get(Finding, theirs.id).description.startswith("Call bell")


def test_a_manager_of_one_service_does_not_see_anothers(client, world, login):
    elsewhere = f.make_user(world.provider, "care_worker", world.other)
    record(world, elsewhere, service=world.other)
    login(world.users["deputy_manager"])
    assert client.get("/api/v1/findings").get_json()["total"] == 0
    response = client.get(f"/api/v1/findings?service_id={world.other.id}")
    assert response.status_code == 403
    login(world.users["nominated_individual"])
    assert client.get("/api/v1/findings").get_json()["total"] == 1


def test_filters_and_pages(client, world, login):
    worker = world.users["care_worker"]
    high = record(world, worker, risk="high", area="Kitchen")
    low = record(world, worker, risk="low")
    fb = services.record_finding(Actor(world.users["key_worker"]), world.home, {
        k: v for k, v in feedback(world).items() if k not in ("service_id", "recorded_at")})
    db.session.commit()
    login(world.users["deputy_manager"])

    def ids(query):
        response = client.get("/api/v1/findings?" + query)
        assert response.status_code == 200, response.get_json()
        return {item["id"] for item in response.get_json()["items"]}

    assert ids("risk=high") == {str(high.id)}
    assert ids("area=Kitchen") == {str(high.id)}
    assert ids("kind=feedback") == {str(fb.id)}
    assert ids("source=feedback") == {str(fb.id)}
    assert ids(f"recorded_by={worker.id}") == {str(high.id), str(low.id)}
    assert ids(f"service_id={world.home.id}&triage_state=new") == {
        str(high.id), str(low.id), str(fb.id)}
    assert ids("triage_state=dismissed") == set()
    since = (utcnow() + timedelta(minutes=1)).isoformat()
    assert ids("since=" + since.replace("+", "%2B")) == set()
    first = client.get("/api/v1/findings?per_page=2").get_json()
    assert (first["total"], len(first["items"]), first["has_more"]) == (3, 2, True)
    second = client.get("/api/v1/findings?per_page=2&page=2").get_json()
    assert len(second["items"]) == 1 and second["has_more"] is False


@pytest.mark.parametrize("query, field, message", [
    ("risk=severe", "risk", "Must be one of: low, medium, high."),
    ("triage_state=maybe", "triage_state", "Must be one of: new, linked, dismissed."),
    ("since=tuesday", "since", "Not a valid datetime."),
    ("page=0", "page", "Must be greater than or equal to 1."),
    ("per_page=many", "per_page", "Not a valid integer."),
    ("service_id=x", "service_id", "Not a valid UUID."),
    ("colour=red", "colour", "Unknown field."),
])
def test_bad_filters_name_the_field(client, world, login, query, field, message):
    login(world.users["deputy_manager"])
    response = client.get("/api/v1/findings?" + query)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: message}


# ---- editing ---------------------------------------------------------------------------


def test_the_author_edits_their_finding_with_the_version_they_saw(client, world, login):
    worker = world.users["care_worker"]
    finding = record(world, worker)
    login(worker)
    response = client.patch(f"/api/v1/findings/{finding.id}",
                            json={"base_version": 1, "risk": "high", "area": "Kitchen"})
    assert response.status_code == 200
    got = response.get_json()
    assert (got["risk"], got["area"], got["version"]) == ("high", "Kitchen", 2)
    event = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.entity_id == str(finding.id), AuditEvent.action == "update")).one()
    assert event.changes == {"risk": ["medium", "high"], "area": ["Lounge", "Kitchen"]}


def test_a_stale_edit_gets_409_with_the_current_copy(client, world, login):
    worker = world.users["care_worker"]
    finding = record(world, worker)
    login(worker)
    assert client.patch(f"/api/v1/findings/{finding.id}",
                        json={"base_version": 1, "risk": "high"}).status_code == 200
    stale = client.patch(f"/api/v1/findings/{finding.id}",
                         json={"base_version": 1, "risk": "low"})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version"
    assert (error["current"]["risk"], error["current"]["version"]) == ("high", 2)
    assert db.session.get(Finding, finding.id).risk == "high"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_a_colleagues_finding(client, world, login, role):
    colleague = f.make_user(world.provider, "care_worker", world.home)
    finding = record(world, colleague)
    login(world.users[role])
    response = client.patch(f"/api/v1/findings/{finding.id}",
                            json={"base_version": 1, "risk": "high"})
    triager = role in PERMISSIONS["finding.triage"][0]
    assert response.status_code == (200 if triager else 403)
    assert db.session.get(Finding, finding.id).risk == ("high" if triager else "medium")


@pytest.mark.parametrize("changes, field, message", [
    ({"risk": "high"}, "base_version", "Missing data for required field."),
    ({"base_version": "1", "risk": "high"}, "base_version", "Not a valid integer."),
    ({"base_version": 1, "people_involved": "Jane Doe"}, "people_involved", NO_FULL_NAMES),
    ({"base_version": 1, "area": "Attic"}, "area",
     "Attic is not one of this service's areas or routines."),
    ({"base_version": 1, "kind": "feedback"}, "kind", "Unknown field."),
    ({"base_version": 1, "sentiment": "positive"}, "sentiment",
     "Only feedback findings have a respondent, question and answer."),
])
def test_bad_edits_name_the_field_and_change_nothing(client, world, login, changes, field,
                                                     message):
    worker = world.users["care_worker"]
    finding = record(world, worker)
    login(worker)
    response = client.patch(f"/api/v1/findings/{finding.id}", json=changes)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: message}
    db.session.expire_all()
    stored = db.session.get(Finding, finding.id)
    assert (stored.version, stored.risk, stored.people_involved) == (1, "medium", "R-1042")


def test_the_author_cannot_edit_once_triaged(client, world, login):
    worker = world.users["care_worker"]
    finding = record(world, worker)
    services.dismiss(Actor(world.users["deputy_manager"]), [finding], "Duplicate of earlier")
    db.session.commit()
    login(worker)
    response = client.patch(f"/api/v1/findings/{finding.id}",
                            json={"base_version": finding.version, "risk": "high"})
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "This finding has been triaged; ask a manager to change it.")


# ---- triage ----------------------------------------------------------------------------


def triage(client, finding_ids, action, **extra):
    return client.post("/api/v1/findings/triage", json={
        "finding_ids": [str(i) for i in finding_ids], "action": action, **extra})


def test_dismiss_needs_a_reason(client, world, login):
    finding = record(world, world.users["care_worker"])
    login(world.users["duty_manager"])
    response = triage(client, [finding.id], "dismiss")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "reason": "Required when dismissing findings."}
    assert db.session.get(Finding, finding.id).triage_state == "new"


def test_dismiss_keeps_the_reason_and_who(client, world, login):
    finding = record(world, world.users["care_worker"])
    manager = world.users["duty_manager"]
    login(manager)
    response = triage(client, [finding.id], "dismiss", reason="Already fixed on the spot")
    assert response.status_code == 200
    got = response.get_json()["findings"][0]
    assert (got["triage_state"], got["dismissed_reason"], got["triaged_by"]) == (
        "dismissed", "Already fixed on the spot", str(manager.id))
    again = triage(client, [finding.id], "dismiss", reason="Twice")
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {"finding_ids.0": "Already dismissed."}


def test_triage_into_a_new_draft_entry(client, world, login):
    worker = world.users["care_worker"]
    first = record(world, worker, risk="low", description="Tea round late")
    second = record(world, worker, risk="high", description="Fluids chart not filled in")
    login(world.users["deputy_manager"])
    response = triage(client, [first.id, second.id], "create_entry")
    assert response.status_code == 200, response.get_json()
    entry = db.session.get(LogEntry, uuid.UUID(response.get_json()["entry_id"]))
    assert entry.status == "draft"
    assert entry.concern == "Tea round late\nFluids chart not filled in"
    assert (entry.source, entry.risk) == ("walkaround", "high")
    for finding in (first, second):
        stored = db.session.get(Finding, finding.id)
        assert (stored.triage_state, stored.log_entry_id) == ("linked", entry.id)


def test_mixed_sources_make_an_entry_of_source_other_with_the_given_concern(client, world,
                                                                          login):
    worker = world.users["care_worker"]
    walk = record(world, worker)
    check = record(world, worker, kind="visibility_check")
    login(world.users["registered_manager"])
    response = triage(client, [walk.id, check.id], "create_entry",
                      concern="Leadership not visible at lunchtime")
    entry = db.session.get(LogEntry, uuid.UUID(response.get_json()["entry_id"]))
    assert (entry.source, entry.concern) == ("other", "Leadership not visible at lunchtime")


def test_link_to_an_existing_entry(client, world, login):
    from server.log.services import create_draft

    manager = world.users["deputy_manager"]
    entry = create_draft(Actor(manager), world.home, concern="Call bells", source="walkaround")
    finding = record(world, world.users["care_worker"])
    login(manager)
    response = triage(client, [finding.id], "link", entry_id=str(entry.id))
    assert response.status_code == 200
    assert response.get_json()["entry_id"] == str(entry.id)
    assert db.session.get(Finding, finding.id).log_entry_id == entry.id
    assert triage(client, [finding.id], "dismiss", reason="x").status_code == 422


def test_link_refuses_an_entry_of_another_service(client, world, login):
    from server.log.services import create_draft

    nominated = world.users["nominated_individual"]
    entry = create_draft(Actor(nominated), world.other, concern="Elsewhere", source="audit")
    finding = record(world, world.users["care_worker"])
    login(world.users["registered_manager"])
    response = triage(client, [finding.id], "link", entry_id=str(entry.id))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "entry_id": "This entry belongs to another service."}
    assert db.session.get(Finding, finding.id).triage_state == "new"


@pytest.mark.parametrize("payload, status, fields", [
    ({"action": "link"}, 422, {"entry_id": "Required when linking findings."}),
    ({"action": "link", "entry_id": str(uuid.uuid4())}, 404, {"entry_id": "No such entry."}),
    ({"action": "shred"}, 422, {"action": "Must be one of: create_entry, link, dismiss."}),
    ({"action": "create_entry", "reason": "why"}, 422,
     {"reason": "Not used when the action is create_entry."}),
    ({"action": "dismiss", "reason": "x" * 2001}, 422,
     {"reason": "Longer than maximum length 2000."}),
    ({"action": "dismiss", "reason": "ok", "finding_ids": []}, 422,
     {"finding_ids": "Length must be between 1 and 200."}),
    ({"action": "dismiss", "reason": "ok", "finding_ids": [str(uuid.uuid4())]}, 404,
     {"finding_ids.0": "No such finding."}),
])
def test_bad_triage_requests_name_the_field(client, world, login, payload, status, fields):
    finding = record(world, world.users["care_worker"])
    login(world.users["registered_manager"])
    response = client.post("/api/v1/findings/triage",
                           json={"finding_ids": [str(finding.id)], **payload})
    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields
    assert db.session.get(Finding, finding.id).triage_state == "new"
    assert rows(LogEntry) == 0


@pytest.mark.parametrize("role", ROLES)
def test_who_may_triage(client, world, login, role):
    finding = record(world, world.users["care_worker"])
    login(world.users[role])
    response = triage(client, [finding.id], "dismiss", reason="Not a concern")
    allowed = role in PERMISSIONS["finding.triage"][0]
    assert response.status_code == (200 if allowed else 403)
    assert db.session.get(Finding, finding.id).triage_state == (
        "dismissed" if allowed else "new")


def test_another_providers_finding_cannot_be_triaged(client, world, login):
    rival_rm = f.make_user(world.rival, "registered_manager", world.rival_service)
    theirs = record(world, rival_rm, service=world.rival_service)
    login(world.users["registered_manager"])
    response = triage(client, [theirs.id], "dismiss", reason="Not ours")
    assert response.status_code == 404
    assert db.session.get(Finding, theirs.id).triage_state == "new"


# ---- the inbox -------------------------------------------------------------------------


def aged(finding: Finding, hours: float) -> None:
    finding.received_at = utcnow() - timedelta(hours=hours)
    db.session.commit()


def test_inbox_puts_findings_past_their_escalation_time_first(client, world, login):
    worker = world.users["care_worker"]
    fresh_high = record(world, worker, risk="high", area="Kitchen")
    late_high = record(world, worker, risk="high", area="Garden")
    late_low = record(world, worker, risk="low", area="Lounge")
    medium = record(world, worker, risk="medium", area="Lounge")
    done = record(world, worker, risk="high", area="Office")
    aged(fresh_high, 2)
    aged(late_high, 30)    # past 24 hours
    aged(late_low, 200)    # past 168 hours
    aged(medium, 10)       # within 72 hours
    services.dismiss(Actor(world.users["deputy_manager"]), [done], "Sorted")
    db.session.commit()
    login(world.users["duty_manager"])
    inbox = client.get(f"/api/v1/services/{world.home.id}/inbox").get_json()
    assert (inbox["total"], inbox["past_escalation_time"]) == (4, 2)
    assert [(g["area"], g["source"], g["count"], g["past_escalation_time"])
            for g in inbox["groups"]] == [
        ("Garden", "walkaround", 1, 1),
        ("Lounge", "walkaround", 2, 1),
        ("Kitchen", "walkaround", 1, 0),
    ]
    lounge = inbox["groups"][1]["findings"]
    assert [x["id"] for x in lounge] == [str(late_low.id), str(medium.id)]
    assert lounge[0]["past_escalation_time"] is True and lounge[0]["waiting_hours"] >= 200


def test_inbox_uses_the_providers_escalation_time(client, world, login):
    world.provider.thresholds = {"escalation_hours": {"high": 48, "medium": 72, "low": 168}}
    finding = record(world, world.users["care_worker"], risk="high")
    aged(finding, 30)
    login(world.users["registered_manager"])
    inbox = client.get(f"/api/v1/services/{world.home.id}/inbox").get_json()
    assert inbox["escalation_hours"]["high"] == 48
    assert inbox["groups"][0]["findings"][0]["past_escalation_time"] is False


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_inbox(client, world, login, role):
    login(world.users[role])
    response = client.get(f"/api/v1/services/{world.home.id}/inbox")
    assert response.status_code == (200 if role in PERMISSIONS["finding.read_all"][0] else 403)


def test_another_providers_inbox_is_not_found(client, world, login):
    login(world.users["nominated_individual"])
    assert client.get(f"/api/v1/services/{world.rival_service.id}/inbox").status_code == 404


# ---- walkarounds -----------------------------------------------------------------------


def walk_body(world, **changes) -> dict:
    data = {
        "service_id": str(world.home.id), "kind": "walkaround",
        "started_at": "2025-03-03T12:00:00+00:00", "ended_at": "2025-03-03T12:40:00+00:00",
        "areas": ["Dining room", "Lunchtime"], "notes": "Lunchtime walk",
    }
    data.update(changes)
    return data


def test_a_walkaround_with_its_findings(client, world, login):
    worker = world.users["senior_carer"]
    login(worker)
    findings = [
        {k: v for k, v in body(world, area="Dining room").items() if k != "service_id"},
        {k: v for k, v in body(world, kind="positive_practice", follow_up_needed=False,
                               area="Lunchtime").items() if k != "service_id"},
    ]
    response = client.post("/api/v1/walkarounds", json=walk_body(world, findings=findings))
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert (got["conducted_by"], got["finding_count"], got["follow_up_count"]) == (
        str(worker.id), 2, 1)
    assert {x["walkaround_id"] for x in got["findings"]} == {got["id"]}
    detail = client.get(f"/api/v1/walkarounds/{got['id']}").get_json()
    assert detail == got


def test_a_walkaround_that_found_nothing(client, world, login):
    login(world.users["care_worker"])
    response = client.post("/api/v1/walkarounds", json=walk_body(world))
    assert response.status_code == 201
    got = response.get_json()
    assert (got["finding_count"], got["follow_up_count"], got["findings"]) == (0, 0, [])


@pytest.mark.parametrize("changes, field, message", [
    ({"areas": ["Roof"]}, "areas.0", "Roof is not one of this service's areas or routines."),
    ({"ended_at": "2025-03-03T11:00:00+00:00"}, "ended_at",
     "The walkaround cannot end before it started."),
    ({"kind": "stroll"}, "kind", "Must be one of: walkaround, visibility_round."),
    ({"areas": "Lounge"}, "areas", "Not a valid list."),
    ({"notes": "n" * 4001}, "notes", "Longer than maximum length 4000."),
    ({"findings": [{"kind": "walkaround_issue", "area": "Roof", "description": "x"}]},
     "findings.0.area", "Roof is not one of this service's areas or routines."),
    ({"findings": ["call bell"]}, "findings.0", "Must be an object."),
    ({"findings": [{"kind": "walkaround_issue", "area": "Lounge"}]},
     "findings.0.description", "Missing data for required field."),
])
def test_a_bad_walkaround_writes_nothing(client, world, login, changes, field, message):
    login(world.users["care_worker"])
    response = client.post("/api/v1/walkarounds", json=walk_body(world, **changes))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: message}
    assert (rows(Walkaround), rows(Finding), rows(AuditEvent)) == (0, 0, 0)


def test_a_repeated_walkaround_is_recorded_once(client, world, login):
    login(world.users["care_worker"])
    walk_id = str(uuid.uuid4())
    finding = {k: v for k, v in body(world, id=str(uuid.uuid4())).items() if k != "service_id"}
    first = client.post("/api/v1/walkarounds", json=walk_body(world, id=walk_id,
                                                               findings=[finding]))
    again = client.post("/api/v1/walkarounds", json=walk_body(world, id=walk_id,
                                                               findings=[finding]))
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert (rows(Walkaround), rows(Finding)) == (1, 1)


def test_a_finding_names_a_walkaround_of_its_own_service(client, world, login):
    nominated = Actor(world.users["nominated_individual"])
    elsewhere = services.record_walkaround(nominated, world.other, {"areas": []})
    db.session.commit()
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, walkaround_id=str(elsewhere.id)))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "walkaround_id": "No walkaround of this service has this id."}


def test_walkarounds_are_listed_for_who_may_see_them(client, world, login):
    mine = services.record_walkaround(Actor(world.users["care_worker"]), world.home, {})
    services.record_walkaround(Actor(world.users["senior_carer"]), world.home, {})
    services.record_walkaround(Actor(world.users["nominated_individual"]), world.other, {})
    db.session.commit()
    login(world.users["care_worker"])
    listed = client.get("/api/v1/walkarounds").get_json()
    assert [w["id"] for w in listed["items"]] == [str(mine.id)]
    assert listed["items"][0]["finding_count"] == 0
    login(world.users["registered_manager"])
    assert client.get("/api/v1/walkarounds").get_json()["total"] == 2
    login(world.users["provider_quality_lead"])
    assert client.get("/api/v1/walkarounds").get_json()["total"] == 3
    query = client.get(f"/api/v1/walkarounds?service_id={world.other.id}").get_json()
    assert query["total"] == 1
    assert client.get("/api/v1/walkarounds?kind=jog").status_code == 422


def test_a_colleagues_or_another_providers_walkaround_is_not_shown(client, world, login):
    colleague = services.record_walkaround(Actor(world.users["senior_carer"]), world.home, {})
    rival_rm = f.make_user(world.rival, "registered_manager", world.rival_service)
    theirs = services.record_walkaround(Actor(rival_rm), world.rival_service, {})
    db.session.commit()
    login(world.users["care_worker"])
    assert client.get(f"/api/v1/walkarounds/{colleague.id}").status_code == 403
    login(world.users["nominated_individual"])
    assert client.get(f"/api/v1/walkarounds/{colleague.id}").status_code == 200
    assert client.get(f"/api/v1/walkarounds/{theirs.id}").status_code == 404


def test_findings_of_two_services_are_triaged_apart(client, world, login):
    manager = f.make_user(world.provider, "deputy_manager", world.home,
                          extra_roles=[("deputy_manager", world.other)])
    here = record(world, world.users["care_worker"])
    there = record(world, manager, service=world.other)
    login(manager)
    response = triage(client, [here.id, there.id], "dismiss", reason="Not a concern")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "finding_ids": "These findings belong to different services."}
    assert {db.session.get(Finding, x.id).triage_state for x in (here, there)} == {"new"}
