"""Improvement measures: changing a measure with the version seen, and who may change it."""

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.errors import Forbidden
from server.extensions import db
from server.measures.models import ImprovementMeasure
from tests.support.measures import MON, d, measure

pytestmark = pytest.mark.db


def edit_events(item) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.entity_type == "improvement_measure",
                AuditEvent.entity_id == str(item.id),
                AuditEvent.action == "edit",
            )
            .order_by(AuditEvent.id)
        )
    )


def stored(item) -> ImprovementMeasure:
    db.session.expire_all()
    return db.session.get(ImprovementMeasure, item.id)


def test_registered_manager_changes_target_deadline_baseline_and_name(client, world, login):
    item = measure(world, "follow_ups_within_timescale")
    db.session.commit()
    login(world.users["registered_manager"])
    assert client.get(f"/api/v1/measures/{item.id}").get_json()["version"] == 1
    response = client.patch(
        f"/api/v1/measures/{item.id}",
        json={
            "base_version": 1,
            "target": 85,
            "deadline": "2026-03-30",
            "baseline": 60,
            "name": "  Follow-ups done by their first date  ",
        },
    )
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert (got["name"], got["baseline"], got["target"], got["deadline"], got["version"]) == (
        "Follow-ups done by their first date",
        60.0,
        85.0,
        "2026-03-30",
        2,
    )
    assert got["progress"]["target"] == 85.0 and "series" in got
    row = stored(item)
    assert (row.target, row.deadline, row.metric, row.start_date) == (
        85.0,
        d(30, 3),
        "follow_ups_within_timescale",
        MON,
    )
    [event] = edit_events(item)
    assert event.actor_id == world.users["registered_manager"].id
    # Unchanged values (the baseline was already 60) are not recorded as changes.
    assert event.changes == {
        "target": [90.0, 85.0],
        "deadline": ["2026-03-16", "2026-03-30"],
        "name": ["follow_ups_within_timescale", "Follow-ups done by their first date"],
    }


def test_a_stale_measure_edit_gets_409_with_the_current_measure(client, world, login):
    item = measure(world, "follow_ups_within_timescale")
    db.session.commit()
    login(world.users["registered_manager"])
    url = f"/api/v1/measures/{item.id}"
    assert client.patch(url, json={"base_version": 1, "target": 95}).status_code == 200
    stale = client.patch(url, json={"base_version": 1, "target": 80})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["message"].startswith("Someone else changed this measure while you were editing")
    assert (error["current"]["target"], error["current"]["version"]) == (95.0, 2)
    assert stored(item).target == 95.0 and len(edit_events(item)) == 1
    # With the current version the change goes through.
    again = client.patch(url, json={"base_version": 2, "target": 80})
    assert (again.status_code, again.get_json()["version"]) == (200, 3)


def test_an_edit_that_changes_nothing_records_nothing(client, world, login):
    item = measure(world, "follow_ups_within_timescale")
    db.session.commit()
    login(world.users["provider_quality_lead"])
    response = client.patch(f"/api/v1/measures/{item.id}", json={"base_version": 1, "target": 90})
    assert (response.status_code, response.get_json()["version"]) == (200, 1)
    assert edit_events(item) == []


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"target": 120}, {"target": "Give a percentage from 0 to 100."}),
        ({"baseline": -1}, {"baseline": "Give a percentage from 0 to 100."}),
        ({"target": "most"}, {"target": "Not a valid number."}),
        ({"name": ""}, {"name": "Give the measure a name of at most 200 characters."}),
        ({"name": "   "}, {"name": "Give the measure a name."}),
        (
            {"deadline": "2026-02-02"},
            {"deadline": "The deadline must be after the start date (2026-02-02)."},
        ),
        ({"deadline": "next month"}, {"deadline": "Not a valid date."}),
        ({"target": None}, {"target": "Field may not be null."}),
        ({"metric": "positive_visibility_feedback"}, {"metric": "Unknown field."}),
        ({"base_version": None}, {"base_version": "Field may not be null."}),
    ],
)
def test_bad_measure_edits_name_the_field_and_change_nothing(client, world, login, changes, fields):
    item = measure(world, "follow_ups_within_timescale")
    db.session.commit()
    login(world.users["registered_manager"])
    response = client.patch(f"/api/v1/measures/{item.id}", json={"base_version": 1, **changes})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"] == fields
    assert error["message"] == f"Please check these fields: {', '.join(sorted(fields))}."
    row = stored(item)
    assert (row.name, row.target, row.baseline, row.deadline, row.metric) == (
        "follow_ups_within_timescale",
        90.0,
        60.0,
        d(16, 3),
        "follow_ups_within_timescale",
    )
    assert edit_events(item) == []


def test_base_version_is_required_to_edit_a_measure(client, world, login):
    item = measure(world, "follow_ups_within_timescale")
    db.session.commit()
    login(world.users["registered_manager"])
    response = client.patch(f"/api/v1/measures/{item.id}", json={"target": 70})
    assert response.get_json()["error"]["fields"] == {
        "base_version": "Missing data for required field."
    }
    assert stored(item).target == 90.0


@pytest.mark.parametrize(
    "role, status",
    [
        ("registered_manager", 200),
        ("nominated_individual", 200),
        ("provider_quality_lead", 200),
        ("deputy_manager", 403),
        ("duty_manager", 403),
        ("care_coordinator", 403),
        ("senior_carer", 403),
        ("care_worker", 403),
        ("key_worker", 403),
        ("provider_admin", 403),
    ],
)
def test_who_may_change_a_measure(client, world, login, role, status):
    item = measure(world, "follow_ups_within_timescale")
    db.session.commit()
    login(world.users[role])
    response = client.patch(f"/api/v1/measures/{item.id}", json={"base_version": 1, "target": 70})
    assert response.status_code == status
    assert stored(item).target == (70.0 if status == 200 else 90.0)


def test_measures_of_another_service_or_provider_cannot_be_changed(client, world, login):
    other = measure(world, "follow_ups_within_timescale", service=world.other)
    rival = measure(world, "follow_ups_within_timescale", service=world.rival_service)
    db.session.commit()
    login(world.users["registered_manager"])  # works in Ashdown House only
    assert (
        client.patch(
            f"/api/v1/measures/{other.id}", json={"base_version": 1, "target": 70}
        ).status_code
        == 403
    )
    login(world.users["nominated_individual"])
    missing = client.patch(f"/api/v1/measures/{rival.id}", json={"base_version": 1, "target": 70})
    assert (missing.status_code, missing.get_json()["error"]["message"]) == (
        404,
        "There is no such improvement measure.",
    )
    assert (stored(other).target, stored(rival).target) == (90.0, 90.0)


def test_the_service_layer_checks_measure_edits_for_other_callers(world):
    from server.errors import Invalid
    from server.measures.edits import edit_measure

    item = measure(world, "follow_ups_within_timescale")
    actor = Actor(world.users["registered_manager"])
    with pytest.raises(Invalid) as refused:
        edit_measure(actor, item, 1, {"metric": "high_risk_audit_escalation", "target": 101})
    assert refused.value.fields == {
        "metric": "This cannot be changed here.",
        "target": "Give a percentage from 0 to 100.",
    }
    with pytest.raises(Forbidden):
        edit_measure(Actor(world.users["deputy_manager"]), item, 1, {"target": 50})
    assert item.target == 90.0
