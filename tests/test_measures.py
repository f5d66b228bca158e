"""Improvement measures: each metric worked out by hand, week by week, from the log."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common.dates import london_today
from server.errors import Forbidden
from server.extensions import db
from server.findings.models import Finding
from server.log.models import CarryForward, LogEntry
from server.measures.models import ImprovementMeasure
from server.measures.services import create_measure, measure_status, week_starts
from tests.support.measures import MON, d, measure, measure_series

pytestmark = pytest.mark.db


def moment(day: int, hour: int = 10, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def entry(world, due: date | None, completed: date | None = None, service=None, **fields):
    values = {
        "service_id": (service or world.home).id,
        "concern": "Follow-up from appointment",
        "source": "appointment",
        "decision": "Key worker books the GP review",
        "owner_id": world.users["key_worker"].id,
        "due_date": due,
        "original_due_date": due,
        "evidence_needed": "Care record",
        "status": "closed" if completed else "in_progress",
        "completed_on": completed,
        "created_by": world.users["registered_manager"].id,
        "created_at": moment(1),
    }
    values.update(fields)
    item = LogEntry(**values)
    db.session.add(item)
    db.session.flush()
    return item


def carried(world, item: LogEntry, to: date) -> None:
    db.session.add(
        CarryForward(
            entry_id=item.id,
            from_date=item.due_date,
            to_date=to,
            reason="GP surgery closed",
            author_id=world.users["registered_manager"].id,
        )
    )
    item.due_date = to
    db.session.flush()


def finding(world, service=None, **fields) -> Finding:
    values = {
        "service_id": (service or world.home).id,
        "kind": "feedback",
        "area": "Lounge",
        "source": "feedback",
        "description": "Asked at teatime",
        "recorded_by": world.users["key_worker"].id,
        "recorded_at": moment(2),
        "received_at": moment(2),
        "respondent_type": "person_supported",
    }
    values.update(fields)
    item = Finding(**values)
    db.session.add(item)
    db.session.flush()
    return item


def point(week_start, value, numerator, denominator) -> dict:
    return {
        "week_start": week_start,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
    }


def test_follow_ups_within_timescale_counts_against_the_original_due_date(world):
    m = measure(world, "follow_ups_within_timescale")
    entry(world, d(3), completed=d(3))  # week 1: on time
    late = entry(world, d(4), completed=d(9))  # week 1: carried forward, so late
    carried(world, late, d(10))
    entry(world, d(5))  # week 1: not done, due passed: late
    entry(world, d(5), completed=d(5), status="draft")  # drafts are not follow-ups
    entry(world, d(3), completed=d(3), deleted_at=moment(4))
    entry(world, d(1), completed=d(1))  # before the measure started
    entry(world, d(11), completed=d(11))  # week 2: on time
    entry(world, d(14))  # week 2: late
    no_original = entry(world, d(10), completed=d(11), original_due_date=None)
    carried(world, no_original, d(12))  # week 2: first due 10th: late
    entry(world, d(13), completed=d(12))  # week 2: early, on time
    entry(world, d(15))  # due today: not judged yet
    entry(world, d(16), completed=d(12))  # due in week 3: not yet shown
    entry(world, d(11), completed=d(11), service=world.other)
    assert measure_series(m, today=d(15)) == [
        point(d(2), 33.3, 1, 3),
        point(d(9), 50.0, 2, 4),
    ]


def test_a_carried_forward_entry_done_by_its_new_date_is_still_late(world):
    m = measure(world, "follow_ups_within_timescale")
    moved = entry(world, d(3), completed=d(6))
    carried(world, moved, d(7))
    assert moved.due_date == d(7) and moved.completed_on <= moved.due_date
    assert measure_series(m, today=d(8)) == [point(d(2), 0.0, 0, 1)]


def test_positive_visibility_feedback_share_per_week(world):
    m = measure(world, "positive_visibility_feedback", target=85.0)
    for when in (moment(2, 0, 0), moment(5), moment(8, 23, 59)):
        finding(world, question_id="vis-1", sentiment="positive", received_at=when)
    finding(world, question_id="vis-3", sentiment="negative", received_at=moment(6))
    finding(world, question_id="fu-1", sentiment="positive", received_at=moment(6))
    finding(world, question_id="vis-2", sentiment=None, received_at=moment(6))
    finding(world, question_id="vis-1", sentiment="negative", received_at=moment(1, 23))
    finding(world, question_id="vis-2", sentiment="positive", received_at=moment(9))
    finding(world, question_id="vis-1", sentiment="neutral", received_at=moment(10, 15))
    finding(world, question_id="vis-1", sentiment="positive", received_at=moment(11, 9))
    finding(
        world, world.rival_service, question_id="vis-1", sentiment="negative", received_at=moment(5)
    )
    series = measure_series(m, today=d(10))
    assert series == [point(d(2), 75.0, 3, 4), point(d(9), 50.0, 1, 2)]
    assert measure_status(m, series, today=d(10))["status"] == "below_target"


def test_high_risk_audit_escalation_share_per_week(world):
    m = measure(world, "high_risk_audit_escalation", target=100.0)
    decided = entry(
        world,
        d(20),
        risk="high",
        source="audit",
        created_at=moment(3),
        escalation_decision="escalated",
    )
    finding(
        world,
        kind="walkaround_issue",
        source="audit",
        risk="high",
        received_at=moment(3),
        log_entry_id=decided.id,
    )  # week 1: yes
    finding(
        world, kind="walkaround_issue", source="audit", risk="high", received_at=moment(4)
    )  # week 1: no
    entry(
        world,
        d(20),
        risk="high",
        source="audit",
        created_at=moment(5),
        escalation_decision="not_escalated",
    )  # week 1: yes
    undecided = entry(world, d(20), risk="medium", source="audit", created_at=moment(9))
    finding(
        world,
        kind="walkaround_issue",
        source="audit",
        risk="high",
        received_at=moment(9),
        log_entry_id=undecided.id,
    )  # week 2: no
    entry(world, d(20), risk="high", source="audit", created_at=moment(10))  # week 2: no
    finding(world, kind="walkaround_issue", source="audit", risk="medium", received_at=moment(4))
    finding(world, kind="walkaround_issue", source="walkaround", risk="high", received_at=moment(4))
    series = measure_series(m, today=d(10))
    assert series == [point(d(2), 66.7, 2, 3), point(d(9), 0.0, 0, 2)]


def test_weeks_run_from_the_start_date_to_today_or_the_deadline(world):
    m = measure(world, "positive_visibility_feedback", deadline=d(20))
    assert week_starts(m, d(1)) == []
    assert week_starts(m, d(9)) == [d(2), d(9)]
    assert week_starts(m, d(10, 3)) == [d(2), d(9), d(16)]
    assert measure_series(m, today=d(3)) == [point(d(2), None, 0, 0)]


@pytest.mark.parametrize(
    "values, today, status",
    [
        ([], d(10), "no_data"),
        ([(2, 95.0)], d(10), "on_target"),
        ([(2, 95.0), (9, 80.0)], d(10), "below_target"),
        ([(9, 80.0)], d(17, 3), "missed"),
    ],
)
def test_status_against_target(world, values, today, status):
    m = measure(world, "follow_ups_within_timescale")
    series = [point(d(day), value, 0, 1) for day, value in values]
    assert measure_status(m, series, today=today)["status"] == status


def test_create_measure_needs_measure_manage(world):
    data = {
        "name": "Follow-ups on time",
        "metric": "follow_ups_within_timescale",
        "baseline": 62,
        "target": 90,
        "start_date": MON,
        "deadline": d(16, 3),
    }
    for role in ("deputy_manager", "care_coordinator", "provider_admin"):
        with pytest.raises(Forbidden):
            create_measure(Actor(world.users[role]), world.home, data)
    made = create_measure(Actor(world.users["provider_quality_lead"]), world.other, data)
    assert (made.service_id, made.target) == (world.other.id, 90)
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.entity_type == "improvement_measure")
    )
    assert event.changes["deadline"] == "2026-03-16"


def measures_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ImprovementMeasure))


def body(world, **overrides):
    values = {
        "service_id": str(world.home.id),
        "name": "Follow-ups completed on time",
        "metric": "follow_ups_within_timescale",
        "baseline": 61.5,
        "target": 90,
        "start_date": "2026-02-02",
        "deadline": "2026-03-16",
    }
    values.update(overrides)
    return values


def test_post_and_read_a_measure_with_its_series(client, world, login):
    today = london_today()
    login(world.users["registered_manager"])
    response = client.post(
        "/api/v1/measures",
        json=body(
            world,
            start_date=(today - timedelta(days=3)).isoformat(),
            deadline=(today + timedelta(days=39)).isoformat(),
        ),
    )
    assert response.status_code == 201
    created = response.get_json()
    assert (created["name"], created["baseline"], created["target"]) == (
        "Follow-ups completed on time",
        61.5,
        90.0,
    )
    entry(world, today - timedelta(days=2), completed=today - timedelta(days=2))
    db.session.commit()
    detail = client.get(f"/api/v1/measures/{created['id']}").get_json()
    assert detail["series"] == [
        {
            "week_start": (today - timedelta(days=3)).isoformat(),
            "value": 100.0,
            "numerator": 1,
            "denominator": 1,
        }
    ]
    assert detail["progress"]["status"] == "on_target"
    assert detail["progress"]["latest_value"] == 100.0
    assert detail["id"] == created["id"]


@pytest.mark.parametrize(
    "overrides, fields",
    [
        ({"name": ""}, {"name": "Length must be between 1 and 200."}),
        ({"name": "   "}, {"name": "Give the measure a name."}),
        (
            {"metric": "happiness"},
            {
                "metric": "Must be one of: follow_ups_within_timescale, "
                "positive_visibility_feedback, "
                "high_risk_audit_escalation."
            },
        ),
        (
            {"target": 120},
            {"target": "Must be greater than or equal to 0 and less than or equal to 100."},
        ),
        ({"baseline": "high"}, {"baseline": "Not a valid number."}),
        ({"start_date": "soon"}, {"start_date": "Not a valid date."}),
        ({"deadline": "2026-02-01"}, {"deadline": "The deadline must be after the start date."}),
        ({"target": None}, {"target": "Field may not be null."}),
    ],
)
def test_bad_measure_input_names_the_field_and_writes_nothing(
    client, world, login, overrides, fields
):
    login(world.users["registered_manager"])
    response = client.post("/api/v1/measures", json=body(world, **overrides))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert measures_count() == 0


def test_missing_fields_are_all_named(client, world, login):
    login(world.users["registered_manager"])
    response = client.post("/api/v1/measures", json={"service_id": str(world.home.id)})
    assert set(response.get_json()["error"]["fields"]) == {
        "name",
        "metric",
        "baseline",
        "target",
        "start_date",
        "deadline",
    }
    assert measures_count() == 0


def test_measure_permissions_and_isolation(client, world, login):
    home = measure(world, "follow_ups_within_timescale")
    other = measure(world, "positive_visibility_feedback", service=world.other)
    rival = measure(world, "high_risk_audit_escalation", service=world.rival_service)
    db.session.commit()

    login(world.users["care_worker"])
    listed = client.get("/api/v1/measures").get_json()
    assert [m["id"] for m in listed["items"]] == [str(home.id)]
    assert client.get(f"/api/v1/measures/{other.id}").status_code == 403
    refused = client.post("/api/v1/measures", json=body(world))
    assert refused.status_code == 403 and measures_count() == 3

    login(world.users["nominated_individual"])
    everything = client.get("/api/v1/measures").get_json()
    assert {m["id"] for m in everything["items"]} == {str(home.id), str(other.id)}
    only = client.get(f"/api/v1/measures?service_id={world.other.id}").get_json()
    assert [m["id"] for m in only["items"]] == [str(other.id)]
    assert client.get(f"/api/v1/measures/{rival.id}").status_code == 404
    assert client.get(f"/api/v1/measures/{uuid.uuid4()}").status_code == 404
    foreign = client.post(
        "/api/v1/measures", json=body(world, service_id=str(world.rival_service.id))
    )
    assert foreign.status_code == 404 and measures_count() == 3

    login(world.users["provider_admin"])
    assert client.get("/api/v1/measures").status_code == 403
