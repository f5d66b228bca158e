"""Findings: who reads which, filters and pages, and editing with the version seen."""

from datetime import timedelta

import pytest

from seed import factories as f
from server.accounts.permissions import PERMISSIONS, ROLES
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common.types import utcnow
from server.extensions import db
from server.findings import services
from server.findings.models import Finding
from tests.support import findings as shared
from tests.support.findings import NO_FULL_NAMES, feedback, record

# pytest finds fixtures among a module's globals: this one comes from tests/support/findings.py.
quick_passwords = shared.quick_passwords

pytestmark = pytest.mark.db


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
        "You can see the findings you recorded; this one is someone else's."
    )


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
    response = client.patch(
        f"/api/v1/findings/{theirs.id}", json={"base_version": 1, "description": "mine now"}
    )
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
    fb = services.record_finding(
        Actor(world.users["key_worker"]),
        world.home,
        {k: v for k, v in feedback(world).items() if k not in ("service_id", "recorded_at")},
    )
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
        str(high.id),
        str(low.id),
        str(fb.id),
    }
    assert ids("triage_state=dismissed") == set()
    since = (utcnow() + timedelta(minutes=1)).isoformat()
    assert ids("since=" + since.replace("+", "%2B")) == set()
    first = client.get("/api/v1/findings?per_page=2").get_json()
    assert (first["total"], len(first["items"]), first["has_more"]) == (3, 2, True)
    second = client.get("/api/v1/findings?per_page=2&page=2").get_json()
    assert len(second["items"]) == 1 and second["has_more"] is False


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("risk=severe", "risk", "Must be one of: low, medium, high."),
        (
            "triage_state=maybe",
            "triage_state",
            "Must be one of: new, linked, dismissed, withdrawn.",
        ),
        ("since=tuesday", "since", "Not a valid datetime."),
        ("page=0", "page", "Must be greater than or equal to 1."),
        ("per_page=many", "per_page", "Not a valid integer."),
        ("service_id=x", "service_id", "Not a valid UUID."),
        ("colour=red", "colour", "Unknown field."),
    ],
)
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
    response = client.patch(
        f"/api/v1/findings/{finding.id}",
        json={"base_version": 1, "risk": "high", "area": "Kitchen"},
    )
    assert response.status_code == 200
    got = response.get_json()
    assert (got["risk"], got["area"], got["version"]) == ("high", "Kitchen", 2)
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(finding.id), AuditEvent.action == "update"
        )
    ).one()
    assert event.changes == {"risk": ["medium", "high"], "area": ["Lounge", "Kitchen"]}


def test_a_stale_edit_gets_409_with_the_current_copy(client, world, login):
    worker = world.users["care_worker"]
    finding = record(world, worker)
    login(worker)
    assert (
        client.patch(
            f"/api/v1/findings/{finding.id}", json={"base_version": 1, "risk": "high"}
        ).status_code
        == 200
    )
    stale = client.patch(f"/api/v1/findings/{finding.id}", json={"base_version": 1, "risk": "low"})
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
    response = client.patch(
        f"/api/v1/findings/{finding.id}", json={"base_version": 1, "risk": "high"}
    )
    triager = role in PERMISSIONS["finding.triage"][0]
    assert response.status_code == (200 if triager else 403)
    assert db.session.get(Finding, finding.id).risk == ("high" if triager else "medium")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"risk": "high"}, "base_version", "Missing data for required field."),
        ({"base_version": "1", "risk": "high"}, "base_version", "Not a valid integer."),
        ({"base_version": 1, "people_involved": "Jane Doe"}, "people_involved", NO_FULL_NAMES),
        (
            {"base_version": 1, "area": "Attic"},
            "area",
            "Attic is not one of this service's areas or routines.",
        ),
        ({"base_version": 1, "kind": "feedback"}, "kind", "Unknown field."),
        (
            {"base_version": 1, "sentiment": "positive"},
            "sentiment",
            "Only feedback findings have a respondent, question and answer.",
        ),
    ],
)
def test_bad_edits_name_the_field_and_change_nothing(client, world, login, changes, field, message):
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
    response = client.patch(
        f"/api/v1/findings/{finding.id}", json={"base_version": finding.version, "risk": "high"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "This finding has been triaged; ask a manager to change it."
    )


def test_filter_by_linked_entry(client, world, login):
    from server.findings.triage import triage_to_draft

    worker = world.users["care_worker"]
    linked = record(world, worker, area="Kitchen")
    record(world, worker)
    entry = triage_to_draft(Actor(world.users["deputy_manager"]), [linked])
    db.session.commit()
    login(world.users["deputy_manager"])
    body = client.get(f"/api/v1/findings?log_entry_id={entry.id}").get_json()
    assert [item["id"] for item in body["items"]] == [str(linked.id)]
