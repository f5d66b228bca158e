"""The care coordinator's completion checks, through the JSON API."""

import uuid

import pytest

from server.audit.models import AuditEvent
from server.common import dates
from server.extensions import db
from server.log.models import LogEntry, Note
from tests.support import desk_board as desk
from tests.support import log_rules as shared
from tests.support.desk_board import (
    BH_FRIDAY,
    BH_MONDAY,
    FRIDAY,
    MONDAY,
    SATURDAY,
    THURSDAY,
    TUESDAY,
    checks_url,
    counts,
)

# pytest finds fixtures among a module's globals: these come from tests/support/log_rules.py
# and tests/support/desk_board.py.
actor, rm, draft = shared.actor, shared.rm, shared.draft
as_role, due_on = desk.as_role, desk.due_on

pytestmark = pytest.mark.db


# ---- completion checks ------------------------------------------------------------------


def test_friday_is_checked_on_monday_with_the_weekend(world, due_on, actor, as_role):
    due_on(THURSDAY)
    friday = due_on(FRIDAY, "Friday's action")
    due_on(SATURDAY, "Saturday's action")
    monday = due_on(MONDAY, "Monday's action", "mark_done")
    due_on(TUESDAY)
    db.session.commit()

    body = as_role("care_coordinator").get(checks_url(world) + "?day=2025-01-20").get_json()

    assert (body["day"], body["due_from"], body["due_to"]) == (
        "2025-01-20",
        "2025-01-17",
        "2025-01-20",
    )
    assert [i["entry"]["concern"] for i in body["items"]] == [
        "Friday's action",
        "Saturday's action",
        "Monday's action",
    ]
    assert [i["done"] for i in body["items"]] == [False, False, True]
    assert (body["done"], body["not_done"]) == (1, 2)
    assert body["items"][0]["entry"]["id"] == str(friday.id)
    assert body["items"][0]["unresolved"][0] == "Not marked done yet (the entry is open)."
    assert body["items"][2]["entry"]["id"] == str(monday.id)
    assert body["items"][2]["unresolved"] == [
        "Marked done; waiting for the registered manager to close it on evidence."
    ]


def test_a_bank_holiday_monday_moves_fridays_check_to_tuesday(world, due_on, as_role):
    due_on(BH_FRIDAY, "Friday before the bank holiday")
    due_on(BH_MONDAY, "Bank holiday Monday")
    db.session.commit()
    client = as_role("deputy_manager")

    tuesday = client.get(checks_url(world) + "?day=2025-08-26").get_json()
    friday = client.get(checks_url(world) + "?day=2025-08-22").get_json()

    assert tuesday["due_from"] == "2025-08-22"
    assert [i["entry"]["concern"] for i in tuesday["items"]] == [
        "Friday before the bank holiday",
        "Bank holiday Monday",
    ]
    assert [i["entry"]["concern"] for i in friday["items"]] == ["Friday before the bank holiday"]


def test_default_day_is_today_and_drafts_are_not_checked(world, draft, due_on, as_role):
    today = dates.london_today()
    due_on(today, "Due today")
    draft(due_date=today, concern="Still a draft")
    db.session.commit()
    body = as_role("care_coordinator").get(checks_url(world)).get_json()
    assert body["day"] == today.isoformat()
    assert [i["entry"]["concern"] for i in body["items"]] == ["Due today"]


def test_a_bad_day_names_the_field(world, as_role):
    response = as_role("care_coordinator").get(checks_url(world) + "?day=yesterday")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"day": "Not a valid date."}


def test_recording_a_pass_notes_what_is_not_done_and_audits_once(world, due_on, actor, as_role):
    late = due_on(FRIDAY, "Fridge temperatures")
    done = due_on(MONDAY, "Call bells", "mark_done")
    db.session.commit()

    response = as_role("care_coordinator").post(
        checks_url(world),
        json={
            "day": "2025-01-20",
            "results": [
                {
                    "entry_id": str(late.id),
                    "outcome": "not_done",
                    "note": "  Two days still missing from the log  ",
                },
                {"entry_id": str(done.id), "outcome": "done"},
            ],
        },
    )

    assert response.status_code == 200, response.get_json()
    assert [i["done"] for i in response.get_json()["items"]] == [False, True]
    notes = db.session.scalars(db.select(Note)).all()
    assert [(n.entry_id, n.body) for n in notes] == [
        (late.id, "Completion check 2025-01-20: not done — Two days still missing from the log")
    ]
    assert notes[0].author_id == world.users["care_coordinator"].id
    db.session.expire_all()
    assert db.session.get(LogEntry, done.id).status == "awaiting_check"
    assert db.session.get(LogEntry, late.id).status == "open"
    passes = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "completion_check")
    ).all()
    assert len(passes) == 1
    assert (passes[0].entity_type, passes[0].entity_id) == ("service", str(world.home.id))
    assert passes[0].changes == {
        "day": "2025-01-20",
        "results": [
            {
                "entry_id": str(late.id),
                "outcome": "not_done",
                "note": "Two days still missing from the log",
            },
            {"entry_id": str(done.id), "outcome": "done", "note": ""},
        ],
    }


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"note": "   "}, {"results.1.note": "Write what is still not done."}),
        ({"note": None}, {"results.1.note": "Field may not be null."}),
        ({"outcome": "maybe"}, {"results.1.outcome": "Must be one of: done, not_done."}),
        ({"entry_id": "thursday"}, {"results.1.entry_id": "Not due for this check."}),
        ({"entry_id": "friday"}, {"results.1.entry_id": "Listed more than once."}),
        ({"entry_id": "nonsense"}, {"results.1.entry_id": "Not a valid UUID."}),
    ],
)
def test_a_bad_result_names_the_field_and_writes_nothing(world, due_on, as_role, change, fields):
    friday, saturday, thursday = due_on(FRIDAY), due_on(SATURDAY), due_on(THURSDAY)
    db.session.commit()
    ids = {"thursday": str(thursday.id), "friday": str(friday.id)}
    second = {"entry_id": str(saturday.id), "outcome": "not_done", "note": "Not started"}
    second.update({k: ids.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    before = counts()

    response = as_role("care_coordinator").post(
        checks_url(world),
        json={
            "day": "2025-01-20",
            "results": [
                {"entry_id": str(friday.id), "outcome": "not_done", "note": "Not started"},
                second,
            ],
        },
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (
            {"day": "2099-01-01", "results": [{"entry_id": str(uuid.uuid4()), "outcome": "done"}]},
            {"day": "Choose today or an earlier day."},
        ),
        (
            {"results": [{"entry_id": str(uuid.uuid4()), "outcome": "done"}]},
            {"day": "Missing data for required field."},
        ),
        ({"day": "2025-01-20", "results": []}, {"results": "Length must be between 1 and 500."}),
    ],
)
def test_a_bad_pass_names_the_field(world, as_role, data, fields):
    response = as_role("registered_manager").post(checks_url(world), json=data)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
