"""The history of a service's set-up and of the provider's thresholds: who, when, what."""

import copy
from datetime import UTC, datetime

import pytest

from seed.factories import DEFAULT_QUESTION_SETS
from server.common.types import clock_at
from server.extensions import db
from server.providers.models import Provider

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hash test passwords cheaply: logins in every test would otherwise dominate the run."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "server.accounts.services.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def ok(response):
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def set_up_a_morning_of_changes(client, world, login):
    """The registered manager and the quality lead change Ashdown House's set-up."""
    url = f"/api/v1/services/{world.home.id}"
    manager, lead = world.users["registered_manager"], world.users["provider_quality_lead"]
    login(manager)
    settings = client.get(url).get_json()
    areas = [a for a in settings["areas"] if a != "Garden"] + ["Conservatory"]
    with clock_at(at(9)):
        ok(
            client.patch(
                url,
                json={
                    "base_version": 1,
                    "areas": areas,
                    "routines": settings["routines"] + ["Afternoon tea"],
                },
            )
        )
    sets = copy.deepcopy(DEFAULT_QUESTION_SETS)
    sets[0]["questions"].append({"id": "vis-4", "text": "Did a manager ask how you are?"})
    sets[0]["questions"][1]["text"] = "When you asked for help, did it come quickly?"
    with clock_at(at(9, 30)):
        ok(client.patch(url, json={"base_version": 2, "question_sets": sets}))
    with clock_at(at(10)):
        ok(
            client.patch(
                url,
                json={
                    "base_version": 3,
                    "escalation_criteria": "Any high-risk finding: phone the RM within the hour.",
                },
            )
        )
    login(lead)
    with clock_at(at(11)):
        made = ok(
            client.post(
                "/api/v1/measures",
                json={
                    "service_id": str(world.home.id),
                    "name": "Follow-ups on time",
                    "metric": "follow_ups_within_timescale",
                    "baseline": 61.5,
                    "target": 90,
                    "start_date": "2026-03-02",
                    "deadline": "2026-04-13",
                },
            )
        )
    login(manager)
    with clock_at(at(12)):
        ok(
            client.patch(
                f"/api/v1/measures/{made['id']}",
                json={"base_version": 1, "target": 85, "deadline": "2026-04-20"},
            )
        )
    return made


def test_the_history_says_who_changed_what_and_when_newest_first(client, world, login):
    made = set_up_a_morning_of_changes(client, world, login)
    login(world.users["deputy_manager"])  # anyone who reads the service may read its history
    body = client.get(f"/api/v1/services/{world.home.id}/history").get_json()
    assert (body["total"], body["page"], body["has_more"]) == (5, 1, False)
    items = body["items"]
    manager = world.users["registered_manager"].display_name
    lead = world.users["provider_quality_lead"].display_name
    assert [(i["at"], i["actor_name"], i["summary"]) for i in items] == [
        (
            "2026-03-02T12:00:00+00:00",
            manager,
            "Changed the improvement measure “Follow-ups on time”",
        ),
        ("2026-03-02T11:00:00+00:00", lead, "Set the improvement measure “Follow-ups on time”"),
        ("2026-03-02T10:00:00+00:00", manager, "Changed when to escalate"),
        ("2026-03-02T09:30:00+00:00", manager, "Changed the feedback questions"),
        ("2026-03-02T09:00:00+00:00", manager, "Changed the areas and the routines"),
    ]
    edit, create, criteria, questions, lists = items
    assert edit["subject_id"] == made["id"] and edit["about"] == "measures"
    assert [(c["label"], c["before"], c["after"], c["words"]) for c in edit["changes"]] == [
        ("Target", 90.0, 85.0, ["Target changed from 90% to 85%."]),
        (
            "Deadline",
            "2026-04-13",
            "2026-04-20",
            ["Deadline moved from 13 April 2026 to 20 April 2026."],
        ),
    ]
    assert create["changes"][0]["words"] == [
        "Follow-up actions completed within timescale: baseline 61.5%, target 90%, "
        "from 2 March 2026 to 13 April 2026."
    ]
    assert criteria["changes"][0]["words"] == [
        "Changed from “High-risk audit findings go to the registered manager the same day.” "
        "to “Any high-risk finding: phone the RM within the hour.”"
    ]
    assert criteria["changes"][0]["after"] == "Any high-risk finding: phone the RM within the hour."
    assert questions["changes"][0]["words"] == [
        "Reworded in “Leadership visibility”: “When you needed help, did it come quickly?” "
        "became “When you asked for help, did it come quickly?”",
        "Added to “Leadership visibility”: “Did a manager ask how you are?”",
    ]
    assert {c["field"]: c["words"] for c in lists["changes"]} == {
        "areas": ["Added “Conservatory”.", "Removed “Garden”."],
        "routines": ["Added “Afternoon tea”."],
    }
    assert lists["about"] == "settings" and lists["channel"] == "desk"
    assert lists["actor_id"] == str(world.users["registered_manager"].id)


@pytest.mark.parametrize(
    "about, summaries",
    [
        ("areas", ["Changed the areas and the routines"]),
        ("routines", ["Changed the areas and the routines"]),
        ("question_sets", ["Changed the feedback questions"]),
        ("escalation_criteria", ["Changed when to escalate"]),
        (
            "measures",
            [
                "Changed the improvement measure “Follow-ups on time”",
                "Set the improvement measure “Follow-ups on time”",
            ],
        ),
    ],
)
def test_the_history_of_one_setting(client, world, login, about, summaries):
    set_up_a_morning_of_changes(client, world, login)
    body = client.get(f"/api/v1/services/{world.home.id}/history?about={about}").get_json()
    assert [i["summary"] for i in body["items"]] == summaries


def test_the_history_comes_in_pages(client, world, login):
    set_up_a_morning_of_changes(client, world, login)
    url = f"/api/v1/services/{world.home.id}/history?per_page=2"
    first, last = client.get(url).get_json(), client.get(url + "&page=3").get_json()
    assert (first["total"], first["has_more"], len(first["items"])) == (5, True, 2)
    assert (last["has_more"], [i["summary"] for i in last["items"]]) == (
        False,
        ["Changed the areas and the routines"],
    )
    refused = client.get(f"/api/v1/services/{world.home.id}/history?about=people")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {
        "about": (
            "Must be one of: areas, routines, question_sets, escalation_criteria, "
            "safeguarding_steps, measures."
        )
    }


def test_a_provider_admin_sees_the_settings_but_not_the_measures(client, world, login):
    set_up_a_morning_of_changes(client, world, login)
    login(world.users["provider_admin"])
    body = client.get(f"/api/v1/services/{world.home.id}/history").get_json()
    assert body["total"] == 3 and {i["about"] for i in body["items"]} == {"settings"}
    refused = client.get(f"/api/v1/services/{world.home.id}/history?about=measures")
    assert refused.status_code == 403


def test_other_services_and_other_providers(client, world, login):
    set_up_a_morning_of_changes(client, world, login)
    login(world.users["registered_manager"])  # Ashdown House only
    assert client.get(f"/api/v1/services/{world.other.id}/history").status_code == 403
    login(world.users["nominated_individual"])
    other = client.get(f"/api/v1/services/{world.other.id}/history").get_json()
    assert (other["total"], other["items"]) == (0, [])  # nothing of Ashdown House leaks in
    rival = client.get(f"/api/v1/services/{world.rival_service.id}/history")
    assert (rival.status_code, rival.get_json()["error"]["message"]) == (
        404,
        "There is no such service.",
    )


def test_completion_checks_are_not_set_up_history(client, world, login):
    from server.audit.services import Actor, record

    record(
        Actor(world.users["registered_manager"]),
        "service",
        world.home.id,
        "completion_check",
        {"day": "2026-03-02"},
        service_id=world.home.id,
    )
    db.session.commit()
    login(world.users["registered_manager"])
    assert client.get(f"/api/v1/services/{world.home.id}/history").get_json()["total"] == 0


def test_the_thresholds_history(client, world, login):
    login(world.users["provider_quality_lead"])
    with clock_at(at(9)):
        ok(
            client.patch(
                "/api/v1/provider/thresholds",
                json={"escalation_hours": {"high": 12}, "carry_forward_limit": 3},
            )
        )
    login(world.users["nominated_individual"])
    with clock_at(at(10)):
        ok(
            client.patch(
                "/api/v1/provider/thresholds", json={"base_version": 2, "carry_forward_limit": None}
            )
        )
    rival_admin = _rival_admin(world)
    login(rival_admin)
    ok(client.patch("/api/v1/provider/thresholds", json={"chasing_count": 4}))

    login(world.users["care_worker"])  # any user of the provider may read the table
    body = client.get("/api/v1/provider/thresholds/history").get_json()
    assert body["total"] == 2
    newest, oldest = body["items"]
    assert (newest["actor_name"], newest["at"], newest["summary"], newest["about"]) == (
        world.users["nominated_individual"].display_name,
        "2026-03-02T10:00:00+00:00",
        "Changed the thresholds",
        "thresholds",
    )
    assert [(c["label"], c["words"]) for c in newest["changes"]] == [
        ("Carry-forwards before a warning", ["From 3 to 2 (the default)."])
    ]
    assert {c["field"]: c["words"] for c in oldest["changes"]} == {
        "escalation_hours": ["High risk: from 24 hours (the default) to 12 hours."],
        "carry_forward_limit": ["From 2 (the default) to 3."],
    }
    assert oldest["changes"][0]["after"] == {"high": 12, "medium": 72, "low": 168}


def _rival_admin(world):
    from seed import factories as f

    user = f.make_user(world.rival, "provider_admin")
    db.session.commit()
    return user


def test_a_stale_thresholds_change_gets_409_with_the_current_table(client, world, login):
    login(world.users["provider_admin"])
    first = ok(
        client.patch("/api/v1/provider/thresholds", json={"base_version": 1, "chasing_count": 3})
    )
    assert first["version"] == 2
    login(world.users["nominated_individual"])
    stale = client.patch(
        "/api/v1/provider/thresholds", json={"base_version": 1, "chasing_count": 5}
    )
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["message"].startswith("Someone else changed the thresholds while you were")
    assert (error["current"]["thresholds"]["chasing_count"], error["current"]["version"]) == (3, 2)
    db.session.expire_all()
    assert db.session.get(Provider, world.provider.id).thresholds == {"chasing_count": 3}
