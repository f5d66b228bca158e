"""The provider's threshold table: defaults, who may change it, ranges, its version."""

import re
from pathlib import Path

import pytest

from server.accounts.permissions import PERMISSIONS, ROLES, markdown_table
from server.extensions import db
from server.providers.models import DEFAULT_THRESHOLDS, Provider
from server.providers.schemas import THRESHOLD_RANGES
from tests.support import services_api as shared
from tests.support.services_api import audit_events, fresh

DOCS = Path(__file__).parents[1] / "docs"


# pytest finds fixtures among a module's globals: this one comes from tests/support.
quick_passwords = shared.quick_passwords


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
