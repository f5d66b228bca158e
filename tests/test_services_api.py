"""Services, their settings, and the provider's threshold table."""

import copy
import re
from pathlib import Path

import pytest

from seed.factories import DEFAULT_AREAS, DEFAULT_QUESTION_SETS
from server.accounts.permissions import PERMISSIONS, ROLES, markdown_table
from server.audit.models import AuditEvent
from server.extensions import db
from server.providers.models import DEFAULT_THRESHOLDS, Provider, Service
from server.providers.schemas import THRESHOLD_RANGES

DOCS = Path(__file__).parents[1] / "docs"


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hash test passwords cheaply: a dozen scrypt hashes per test would dominate the run."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "server.accounts.services.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


def audit_events(entity_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(db.select(AuditEvent).where(AuditEvent.entity_type == entity_type))
    )


def fresh(model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


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


# ---- thresholds ------------------------------------------------------------------------


@pytest.mark.db
def test_thresholds_start_at_their_defaults(client, world, login):
    login(world.users["care_worker"])
    got = client.get("/api/v1/provider/thresholds").get_json()
    assert got == {
        "thresholds": DEFAULT_THRESHOLDS,
        "defaults": DEFAULT_THRESHOLDS,
        "customised": [],
        "version": 1,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.db
def test_who_may_change_the_thresholds(client, world, login, role):
    login(world.users[role])
    response = client.patch("/api/v1/provider/thresholds", json={"carry_forward_limit": 3})
    allowed = role in ("nominated_individual", "provider_quality_lead", "provider_admin")
    assert response.status_code == (200 if allowed else 403)
    assert fresh(Provider, world.provider.id).thresholds == (
        {"carry_forward_limit": 3} if allowed else {}
    )


@pytest.mark.db
def test_changing_thresholds_is_audited_and_touches_only_the_own_provider(client, world, login):
    login(world.users["provider_quality_lead"])
    response = client.patch(
        "/api/v1/provider/thresholds",
        json={"escalation_hours": {"high": 12}, "repeat_finding_count": 4},
    )
    assert response.status_code == 200
    got = response.get_json()
    assert got["thresholds"]["escalation_hours"] == {"high": 12, "medium": 72, "low": 168}
    assert got["customised"] == ["escalation_hours", "repeat_finding_count"]
    [event] = audit_events("provider")
    assert (event.action, event.actor_id) == (
        "configure_thresholds",
        world.users["provider_quality_lead"].id,
    )
    assert event.changes == {
        "escalation_hours": [None, {"high": 12, "medium": 72, "low": 168}],
        "repeat_finding_count": [None, 4],
    }
    assert fresh(Provider, world.rival.id).thresholds == {}


@pytest.mark.db
def test_null_puts_a_threshold_back_to_its_default(client, world, login):
    world.provider.thresholds = {
        "chasing_count": 5,
        "escalation_hours": {"high": 12, "medium": 72, "low": 168},
    }
    db.session.commit()
    login(world.users["nominated_individual"])
    response = client.patch(
        "/api/v1/provider/thresholds",
        json={"chasing_count": None, "escalation_hours": {"high": None}},
    )
    assert response.status_code == 200
    assert response.get_json()["customised"] == []
    assert fresh(Provider, world.provider.id).thresholds == {}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"carry_forward_limit": "2"}, "carry_forward_limit", "Not a valid integer."),
        ({"carry_forward_limit": 2.5}, "carry_forward_limit", "Not a valid integer."),
        ({"carry_forward_limit": True}, "carry_forward_limit", "Not a valid integer."),
        (
            {"carry_forward_limit": 0},
            "carry_forward_limit",
            "Must be greater than or equal to 1 and less than or equal to 20.",
        ),
        (
            {"repeat_finding_window_days": 366},
            "repeat_finding_window_days",
            "Must be greater than or equal to 1 and less than or equal to 365.",
        ),
        (
            {"escalation_hours": {"high": 0}},
            "escalation_hours.high",
            "Must be greater than or equal to 1 and less than or equal to 720.",
        ),
        ({"escalation_hours": {"urgent": 1}}, "escalation_hours.urgent", "Unknown field."),
        (
            {"escalation_hours": 24},
            "escalation_hours",
            'Give hours per risk level, for example {"high": 24}.',
        ),
        ({"escalation_hours": {"high": 100}}, "escalation_hours.high", "At most 72 hours."),
        ({"escalation_hours": {"low": 48}}, "escalation_hours.medium", "At most 48 hours."),
        ({"review_interval": 7}, "review_interval", "Unknown field."),
    ],
)
@pytest.mark.db
def test_bad_thresholds_name_the_field_and_change_nothing(
    client, world, login, changes, field, message
):
    login(world.users["provider_admin"])
    response = client.patch("/api/v1/provider/thresholds", json=changes)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: message}
    assert fresh(Provider, world.provider.id).thresholds == {}
    assert audit_events("provider") == []


@pytest.mark.db
def test_the_service_layer_checks_thresholds_for_other_callers(world):
    from server.audit.services import Actor
    from server.errors import Invalid
    from server.providers.services import set_thresholds

    actor = Actor(world.users["provider_admin"])
    with pytest.raises(Invalid) as refused:
        set_thresholds(actor, {"chasing_count": "many"})
    assert refused.value.fields == {"chasing_count": "A whole number from 2 to 50."}
    with pytest.raises(Invalid) as unknown:
        set_thresholds(actor, {"patience": 3})
    assert unknown.value.fields == {"patience": "Unknown threshold."}


def test_every_threshold_has_a_range_and_a_documented_default():
    assert set(THRESHOLD_RANGES) == set(DEFAULT_THRESHOLDS)
    doc = (DOCS / "thresholds.md").read_text(encoding="utf-8")
    for name, default in DEFAULT_THRESHOLDS.items():
        row = re.search(rf"^\| `{name}` \|(.+)$", doc, re.MULTILINE)
        assert row, f"{name} is missing from docs/thresholds.md"
        values = default.values() if isinstance(default, dict) else [default]
        for value in values:
            assert str(value) in row.group(1), f"{name}'s default {value} is not documented"


def test_the_permission_table_has_provider_configure():
    allowed, _ = PERMISSIONS["provider.configure"]
    assert set(allowed) == {"nominated_individual", "provider_quality_lead", "provider_admin"}
    row = next(line for line in markdown_table().splitlines() if "`provider.configure`" in line)
    assert row.count("| yes") == 3


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


@pytest.mark.db
def test_the_threshold_table_carries_a_version_that_counts_its_changes(client, world, login):
    login(world.users["provider_admin"])
    assert (
        client.patch("/api/v1/provider/thresholds", json={"chasing_count": 3}).get_json()["version"]
        == 2
    )
    unchanged = client.patch(
        "/api/v1/provider/thresholds", json={"base_version": 2, "chasing_count": 3}
    )
    assert unchanged.get_json()["version"] == 2  # nothing changed, nothing counted
    assert (
        client.patch(
            "/api/v1/provider/thresholds", json={"base_version": 2, "chasing_count": 4}
        ).get_json()["version"]
        == 3
    )
    settings = client.get(f"/api/v1/services/{world.home.id}").get_json()
    assert settings["thresholds"]["version"] == 3
    assert settings["thresholds"]["thresholds"]["chasing_count"] == 4
    bad = client.patch("/api/v1/provider/thresholds", json={"base_version": 0, "chasing_count": 5})
    assert bad.get_json()["error"]["fields"] == {
        "base_version": "Must be greater than or equal to 1."
    }
