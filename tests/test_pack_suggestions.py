"""Quality statements suggested from a finding's area and words, each saying why; and the
statements chosen at triage tag the new entry through the one write path."""

import uuid

import pytest

from server.audit.models import AuditEvent
from server.extensions import db
from server.framework.services import ensure_bundled_frameworks
from server.framework.suggest import suggestions
from server.log.models import LogEntry
from tests.support import framework as shared
from tests.support.findings import record

pytestmark = pytest.mark.db

quick_passwords = shared.quick_passwords
only_saf_afterwards = shared.only_saf_afterwards


def codes(areas, text, framework="saf-2023") -> list[str]:
    return [s["code"] for s in suggestions(framework, areas, text)["items"]]


@pytest.mark.parametrize(
    "areas, text, first",
    [
        (["Medication room"], "MAR chart not signed after the lunch round", ["S8"]),
        (["Dining room"], "Thickened fluids at the wrong consistency", ["E4", "S4"]),
        (["Bathrooms"], "Gloves and aprons left on the floor", ["S7"]),
        (["Lounge – Oak unit"], "Unexplained bruising on her arm", ["S3", "R1"]),
        (["Office"], "Complaint from a daughter about visiting", ["R4", "W5"]),
        (["Garden"], "Broken fire door", ["S5"]),
        (["Call monitoring"], "Three late calls on the Seaford round", ["S6"]),
    ],
)
def test_area_and_words_suggest_statements(app, areas, text, first):
    assert codes(areas, text)[: len(first)] == first


def test_a_suggestion_says_why(app):
    got = suggestions("saf-2023", ["Medication room"], "MAR chart gaps: a dose missed")["items"]
    assert got[0] == {
        "statement_id": "saf-2023:S8",
        "code": "S8",
        "title": "Medicines optimisation",
        "key_question": "safe",
        "reasons": ["the area is “Medication room”", "the words mention “MAR chart”, “dose”"],
        "why": "Suggested because the area is “Medication room” and the words mention "
        "“MAR chart”, “dose”.",
    }


def test_nothing_matching_suggests_nothing_and_whole_words_only(app):
    assert codes(["Bedrooms – Oak unit"], "The sky was grey") == []
    # "marble" and "March" do not mention MAR; "firefly" does not mention fire.
    assert codes([], "A marble statue in March, a firefly") == []


def test_the_draft_framework_gets_suggestions_through_the_mapping(app):
    ensure_bundled_frameworks()
    got = suggestions("asc-2026-draft", ["Medication room"], "MAR gaps")["items"]
    assert [(s["code"], s["title"]) for s in got] == [("SA4", "Medicines")]
    assert got[0]["why"] == (
        "Suggested because the area is “Medication room” and the words mention “MAR”."
    )


def test_suggestions_over_http(client, world, login):
    login(world.users["duty_manager"])
    response = client.get(
        "/api/v1/cqc/suggestions?area=Dining+room|Bathrooms&text=Cold+meals+served"
    )
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [s["code"] for s in items] == ["E4", "S7"]
    assert items[1]["why"] == "Suggested because the area is “Bathrooms”."


def triage(client, findings, **extra):
    return client.post(
        "/api/v1/findings/triage",
        json={"finding_ids": [str(f.id) for f in findings], "action": "create_entry", **extra},
    )


def test_statements_chosen_at_triage_tag_the_new_entry(client, world, login):
    found = record(
        world, world.users["care_worker"], area="Dining room", description="Thickened fluids wrong"
    )
    login(world.users["registered_manager"])
    chosen = ["saf-2023:E4", "saf-2023:S4"]
    response = triage(client, [found], statement_ids=chosen)
    assert response.status_code == 200, response.get_json()
    entry = db.session.get(LogEntry, uuid.UUID(response.get_json()["entry_id"]))
    assert sorted(s.id for s in entry.statements) == chosen
    created = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_type == "log_entry", AuditEvent.action == "create"
        )
    ).one()
    assert sorted(created.changes["statement_ids"]) == chosen
    got = client.get(f"/api/v1/entries/{entry.id}").get_json()
    assert sorted(got["statement_ids"]) == chosen


@pytest.mark.parametrize(
    "extra, fields",
    [
        (
            {"statement_ids": ["saf-2023:Z9"]},
            {"statement_ids": "Unknown quality statement: saf-2023:Z9."},
        ),
        (
            {"action": "dismiss", "reason": "Fixed", "statement_ids": ["saf-2023:S1"]},
            {"statement_ids": "Not used when the action is dismiss."},
        ),
    ],
)
def test_triage_refuses_statements_it_cannot_use(client, world, login, extra, fields):
    found = record(world, world.users["care_worker"])
    login(world.users["registered_manager"])
    response = triage(client, [found], **extra)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert db.session.scalar(db.select(db.func.count()).select_from(LogEntry)) == 0
