"""Services, their settings, and the provider's threshold table."""

import copy

import pytest

from seed.factories import DEFAULT_AREAS, DEFAULT_QUESTION_SETS
from server.accounts.permissions import PERMISSIONS, ROLES
from server.extensions import db
from server.providers.models import DEFAULT_THRESHOLDS, Service
from tests.support import services_api as shared
from tests.support.services_api import audit_events, fresh

# pytest finds fixtures among a module's globals: this one comes from tests/support.
quick_passwords = shared.quick_passwords


# ---- listing and reading ---------------------------------------------------------------


@pytest.mark.db
def test_staff_see_their_own_service(client, world, login):
    login(world.users["care_worker"])
    listed = client.get("/api/v1/services").get_json()["items"]
    assert listed == [
        {
            "id": str(world.home.id),
            "provider_id": str(world.provider.id),
            "name": "Ashdown House",
            "kind": "care_home",
        }
    ]


@pytest.mark.parametrize(
    "role", ["nominated_individual", "provider_quality_lead", "provider_admin"]
)
@pytest.mark.db
def test_provider_roles_see_every_service_of_their_provider(client, world, login, role):
    login(world.users[role])
    names = [s["name"] for s in client.get("/api/v1/services").get_json()["items"]]
    assert names == ["Ashdown House", "Beech Court"]  # never the rival's Elsewhere Lodge


@pytest.mark.db
def test_service_settings_with_the_threshold_table(client, world, login):
    world.provider.thresholds = {"carry_forward_limit": 3}
    db.session.commit()
    login(world.users["care_worker"])
    got = client.get(f"/api/v1/services/{world.home.id}").get_json()
    assert got["areas"] == DEFAULT_AREAS
    assert "Medication round" in got["routines"]
    assert got["question_sets"] == DEFAULT_QUESTION_SETS
    assert got["escalation_criteria"].startswith("High-risk audit findings")
    assert got["version"] == 1
    assert got["thresholds"]["thresholds"] == {**DEFAULT_THRESHOLDS, "carry_forward_limit": 3}
    assert got["thresholds"]["customised"] == ["carry_forward_limit"]
    assert got["thresholds"]["defaults"] == DEFAULT_THRESHOLDS


@pytest.mark.db
def test_another_service_is_forbidden_and_another_provider_not_found(client, world, login):
    login(world.users["registered_manager"])
    assert client.get(f"/api/v1/services/{world.other.id}").status_code == 403
    assert client.get(f"/api/v1/services/{world.rival_service.id}").status_code == 404
    assert client.get("/api/v1/services/not-a-uuid").status_code == 404
    login(world.users["nominated_individual"])
    assert client.get(f"/api/v1/services/{world.rival_service.id}").status_code == 404


@pytest.mark.db
def test_services_need_a_login(client, world):
    assert client.get("/api/v1/services").status_code == 401
    assert client.get(f"/api/v1/services/{world.home.id}").status_code == 401
    assert client.get("/api/v1/provider/thresholds").status_code == 401


# ---- configuring a service -------------------------------------------------------------


@pytest.mark.db
def test_registered_manager_changes_the_areas_and_question_sets(client, world, login):
    login(world.users["registered_manager"])
    sets = copy.deepcopy(DEFAULT_QUESTION_SETS)
    sets[0]["questions"].append({"id": "vis-4", "text": "  Was the manager on the floor?  "})
    response = client.patch(
        f"/api/v1/services/{world.home.id}",
        json={
            "base_version": 1,
            "areas": ["Lounge", "Conservatory"],
            "question_sets": sets,
            "escalation_criteria": "Any high-risk finding: phone the RM within the hour.",
        },
    )
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert (got["areas"], got["version"]) == (["Lounge", "Conservatory"], 2)
    assert got["question_sets"][0]["questions"][-1] == {
        "id": "vis-4",
        "text": "Was the manager on the floor?",
    }
    service = fresh(Service, world.home.id)
    assert service.areas == ["Lounge", "Conservatory"]
    assert service.questions()["vis-4"] == "Was the manager on the floor?"
    [event] = audit_events("service")
    assert event.action == "configure"
    assert event.changes["areas"] == [DEFAULT_AREAS, ["Lounge", "Conservatory"]]
    assert event.changes["escalation_criteria"][1] == (
        "Any high-risk finding: phone the RM within the hour."
    )
    assert set(event.changes) == {"areas", "question_sets", "escalation_criteria"}


@pytest.mark.db
def test_a_stale_settings_change_gets_409_with_the_current_settings(client, world, login):
    login(world.users["registered_manager"])
    url = f"/api/v1/services/{world.home.id}"
    assert (
        client.patch(url, json={"base_version": 1, "routines": ["Night checks"]}).status_code == 200
    )
    stale = client.patch(url, json={"base_version": 1, "routines": ["Handover"]})
    assert stale.status_code == 409
    current = stale.get_json()["error"]["current"]
    assert (current["routines"], current["version"]) == (["Night checks"], 2)
    assert fresh(Service, world.home.id).routines == ["Night checks"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.db
def test_who_may_configure_a_service(client, world, login, role):
    login(world.users[role])
    response = client.patch(
        f"/api/v1/services/{world.home.id}", json={"base_version": 1, "areas": ["Lounge"]}
    )
    allowed = role in PERMISSIONS["service.configure"][0]
    assert response.status_code == (200 if allowed else 403)
    assert fresh(Service, world.home.id).areas == (["Lounge"] if allowed else DEFAULT_AREAS)


@pytest.mark.db
def test_another_providers_service_cannot_be_configured(client, world, login):
    login(world.users["provider_admin"])
    response = client.patch(
        f"/api/v1/services/{world.rival_service.id}", json={"base_version": 1, "areas": ["Lounge"]}
    )
    assert response.status_code == 404
    assert fresh(Service, world.rival_service.id).areas == DEFAULT_AREAS


def _set(questions, set_id="visibility"):
    return [{"id": set_id, "name": "Visibility", "questions": questions}]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"areas": ["Lounge"]}, "base_version", "Missing data for required field."),
        ({"base_version": True, "areas": ["Lounge"]}, "base_version", "Not a valid integer."),
        ({"base_version": 1, "areas": "Lounge"}, "areas", "Not a valid list."),
        ({"base_version": 1, "areas": []}, "areas", "Length must be between 1 and 100."),
        ({"base_version": 1, "areas": ["x" * 121]}, "areas.0", "Longer than maximum length 120."),
        ({"base_version": 1, "areas": ["Lounge", " "]}, "areas.1", "Must not be blank."),
        ({"base_version": 1, "areas": ["Lounge", "lounge"]}, "areas.1", "Listed twice."),
        ({"base_version": 1, "routines": [7]}, "routines.0", "Not a valid string."),
        (
            {"base_version": 1, "escalation_criteria": "e" * 4001},
            "escalation_criteria",
            "Longer than maximum length 4000.",
        ),
        (
            {"base_version": 1, "question_sets": _set([])},
            "question_sets.0.questions",
            "Length must be between 1 and 50.",
        ),
        (
            {"base_version": 1, "question_sets": _set([{"id": "q1"}])},
            "question_sets.0.questions.0.text",
            "Missing data for required field.",
        ),
        (
            {
                "base_version": 1,
                "question_sets": _set([{"id": "q1", "text": "A?"}, {"id": "q1", "text": "B?"}]),
            },
            "question_sets.0.questions.1.id",
            "Used twice.",
        ),
        (
            {
                "base_version": 1,
                "question_sets": _set([{"id": "q1", "text": "A?"}])
                + _set([{"id": "q2", "text": "B?"}]),
            },
            "question_sets.1.id",
            "Used twice.",
        ),
        (
            {"base_version": 1, "question_sets": ["visibility"]},
            "question_sets.0",
            "Must be an object.",
        ),
        ({"base_version": 1, "name": "Renamed"}, "name", "Unknown field."),
    ],
)
@pytest.mark.db
def test_bad_settings_name_the_field_and_change_nothing(
    client, world, login, changes, field, message
):
    login(world.users["registered_manager"])
    response = client.patch(f"/api/v1/services/{world.home.id}", json=changes)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: message}
    service = fresh(Service, world.home.id)
    assert (service.version, service.areas, service.question_sets) == (
        1,
        DEFAULT_AREAS,
        DEFAULT_QUESTION_SETS,
    )
    assert audit_events("service") == []


@pytest.mark.db
def test_settings_need_a_json_body(client, world, login):
    login(world.users["registered_manager"])
    url = f"/api/v1/services/{world.home.id}"
    assert client.patch(url, data="areas=Lounge", content_type="text/plain").status_code == 415
    broken = client.patch(url, data="{", content_type="application/json")
    assert broken.status_code == 400
    assert broken.get_json()["error"]["code"] == "malformed"
    assert fresh(Service, world.home.id).version == 1


@pytest.mark.db
def test_service_people_lists_active_staff_who_can_own_entries(client, world, login):
    from server.accounts.models import User

    leaver = world.users["care_worker"]
    db.session.get(User, leaver.id).active = False
    db.session.commit()
    login(world.users["duty_manager"])
    body = client.get(f"/api/v1/services/{world.home.id}/people").get_json()
    names = {p["display_name"]: p["roles"] for p in body["items"]}
    assert names[world.users["senior_carer"].display_name] == ["senior_carer"]
    assert names[world.users["nominated_individual"].display_name] == ["nominated_individual"]
    assert leaver.display_name not in names  # deactivated
    assert world.users["provider_admin"].display_name not in names  # runs the provider, not the log
    # Another provider's service does not exist for this user.
    r = client.get(f"/api/v1/services/{world.rival_service.id}/people")
    assert r.status_code == 404
