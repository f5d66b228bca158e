"""The log's JSON API: creating, reading, listing and updating entries; bad input."""

from datetime import timedelta

import pytest

from seed import factories
from server.common import dates
from server.extensions import db
from server.findings.models import Finding
from server.log.models import LogEntry
from tests.support import log_api as shared
from tests.support.log_api import body, count, written

# pytest finds fixtures among a module's globals: these come from tests/support/log_api.py.
entry, rm_client = shared.entry, shared.rm_client

pytestmark = pytest.mark.db


# ---- create and read ----------------------------------------------------------------------


def test_create_draft_and_read_it_back(world, rm_client, entry):
    created = entry()
    assert created["status"] == "draft"
    assert created["version"] == 1
    assert created["statement_ids"] == ["saf-2023:S1"]
    assert created["flags"] == [] and created["evidence"] == [] and created["carry_forwards"] == []
    assert created["original_due_date"] == created["due_date"]
    row = db.session.get(LogEntry, LogEntry.id.type.python_type(created["id"]))
    assert row.concern == "Fluid charts are not completed after lunch"
    assert row.created_by == world.users["registered_manager"].id
    assert rm_client.get(f"/api/v1/entries/{created['id']}").get_json() == created


def test_create_from_findings_links_them(world, rm_client):
    finding = Finding(
        service_id=world.home.id,
        kind="walkaround_issue",
        area="Lounge",
        source="walkaround",
        description="Water out of reach",
        recorded_by=world.users["care_worker"].id,
        recorded_at=dates.utcnow(),
    )
    db.session.add(finding)
    db.session.commit()
    response = rm_client.post("/api/v1/entries", json=body(world, finding_ids=[str(finding.id)]))
    assert response.status_code == 201
    db.session.refresh(finding)
    assert finding.triage_state == "linked"
    assert str(finding.log_entry_id) == response.get_json()["id"]


def test_client_generated_id_is_kept(world, rm_client):
    client_id = "0b7d6f0e-8c1a-4a57-9a57-1f0f2c3d4e5f"
    response = rm_client.post("/api/v1/entries", json=body(world, id=client_id))
    assert response.get_json()["id"] == client_id
    again = rm_client.post("/api/v1/entries", json=body(world, id=client_id))
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {"id": "Already used."}


BAD_CREATE = [
    ({"concern": ...}, {"concern": "Missing data for required field."}),
    ({"concern": "   "}, {"concern": "Must be between 1 and 4000 characters."}),
    ({"concern": 12}, {"concern": "Not a valid string."}),
    ({"concern": "x" * 4001}, {"concern": "Must be between 1 and 4000 characters."}),
    (
        {"source": "gossip"},
        {
            "source": "Must be one of: walkaround, visibility_check, audit, "
            "incident, handover, appointment, family_communication, "
            "feedback, complaint, staffing, daily_management_check, "
            "provider_oversight, other."
        },
    ),
    ({"risk": "extreme"}, {"risk": "Must be one of: low, medium, high."}),
    ({"due_date": "next Friday"}, {"due_date": "Not a valid date."}),
    ({"owner_id": "bob"}, {"owner_id": "Not a valid UUID."}),
    ({"service_id": ...}, {"service_id": "Missing data for required field."}),
    ({"statement_ids": "saf-2023:S1"}, {"statement_ids": "Not a valid list."}),
    ({"colour": "red"}, {"colour": "Unknown field."}),
    (
        {"statement_ids": ["saf-2023:ZZ"]},
        {"statement_ids": "Unknown quality statement: saf-2023:ZZ."},
    ),
]


@pytest.mark.parametrize(("change", "fields"), BAD_CREATE)
def test_bad_create_names_the_field_and_writes_nothing(world, rm_client, change, fields):
    before = written()
    response = rm_client.post("/api/v1/entries", json=body(world, **change))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert written() == before


def test_owner_from_another_service_is_refused(world, rm_client):
    stranger = factories.make_user(world.provider, "senior_carer", world.other)
    db.session.commit()
    before = written()
    response = rm_client.post("/api/v1/entries", json=body(world, owner_id=str(stranger.id)))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "owner_id": "Choose an active member of staff who works in this service."
    }
    assert written() == before


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed"),
        ('["a list"]', "application/json", 400, "malformed"),
        ("concern=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("concern", "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_are_refused(rm_client, data, content_type, status, code):
    before = written()
    response = rm_client.post("/api/v1/entries", data=data, content_type=content_type)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and "_body" in error["fields"]
    assert written() == before


def test_not_logged_in_gets_401(client, world):
    assert client.get("/api/v1/entries").status_code == 401
    response = client.post("/api/v1/entries", json=body(world))
    assert response.status_code == 401
    assert count(LogEntry) == 0


# ---- list ---------------------------------------------------------------------------------


def test_list_is_paged_filtered_and_scoped(world, rm_client, entry, login):
    first = entry(concern="Call bell in room 4 not answered", risk="high")
    second = entry()
    entry(due_date=None)
    page = rm_client.get("/api/v1/entries?per_page=2&sort=created_at").get_json()
    assert (page["total"], page["page"], page["per_page"], page["has_more"]) == (3, 1, 2, True)
    assert [e["id"] for e in page["items"]] == [first["id"], second["id"]]
    high = rm_client.get("/api/v1/entries?risk=high").get_json()
    assert [e["id"] for e in high["items"]] == [first["id"]]
    found = rm_client.get("/api/v1/entries?q=call%20bell").get_json()
    assert [e["id"] for e in found["items"]] == [first["id"]]
    assert rm_client.get("/api/v1/entries?status=open,closed").get_json()["total"] == 0
    bad = rm_client.get("/api/v1/entries?status=lost&overdue=perhaps")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"status", "overdue"}
    rival = factories.make_user(world.rival, "registered_manager", world.rival_service)
    db.session.commit()
    assert login(rival).get("/api/v1/entries").get_json()["total"] == 0


def test_listing_another_providers_service_is_404(world, rm_client):
    response = rm_client.get(f"/api/v1/entries?service_id={world.rival_service.id}")
    assert response.status_code == 404


# ---- update -------------------------------------------------------------------------------


def test_patch_with_version_and_stale_version_gets_current_copy(rm_client, entry):
    created = entry()
    url = f"/api/v1/entries/{created['id']}"
    ok = rm_client.patch(
        url, json={"version": 1, "risk": "high", "interim_controls": "Two-person checks"}
    )
    assert ok.status_code == 200
    assert (ok.get_json()["risk"], ok.get_json()["version"]) == ("high", 2)
    before = written()
    stale = rm_client.patch(url, json={"version": 1, "risk": "low"})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["current"]["risk"] == "high" and error["current"]["version"] == 2
    assert written() == before


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({}, {"version": "Missing data for required field."}),
        ({"version": "2"}, {"version": "Not a valid integer."}),
        ({"version": 1, "risk": "severe"}, {"risk": "Must be one of: low, medium, high."}),
        ({"version": 1, "status": "closed"}, {"status": "Unknown field."}),
        (
            {"version": 1, "decision": "d" * 4001},
            {"decision": "Must be between 0 and 4000 characters."},
        ),
    ],
)
def test_bad_patch_names_the_field(rm_client, entry, patch, fields):
    created = entry()
    before = written()
    response = rm_client.patch(f"/api/v1/entries/{created['id']}", json=patch)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert written() == before


def test_moving_due_date_needs_a_reason_and_shows_the_carry_forward(world, rm_client, entry):
    created = entry()
    url = f"/api/v1/entries/{created['id']}"
    new_date = (dates.london_today() + timedelta(days=21)).isoformat()
    before = written()
    refused = rm_client.patch(url, json={"version": 1, "due_date": new_date})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert (error["code"], error["rule"]) == ("rule", "carry_forward_needs_reason")
    assert error["fields"] == {"carry_forward_reason": "Give a reason."}
    assert written() == before
    moved = rm_client.patch(
        url,
        json={
            "version": 1,
            "due_date": new_date,
            "carry_forward_reason": "Agency trainer cancelled",
        },
    )
    data = moved.get_json()
    assert data["due_date"] == new_date
    assert data["original_due_date"] == created["due_date"]
    [cf] = data["carry_forwards"]
    assert (cf["from_date"], cf["to_date"], cf["reason"], cf["author_id"]) == (
        created["due_date"],
        new_date,
        "Agency trainer cancelled",
        str(world.users["registered_manager"].id),
    )


# ---- filters: CQC statement and early-warning signal ----------------------------------------


def test_filter_by_cqc_statement(rm_client, entry):
    safe = entry(statement_ids=["saf-2023:S1", "saf-2023:S2"])
    entry(statement_ids=["saf-2023:S2"])
    entry(statement_ids=[])
    listed = rm_client.get("/api/v1/entries?statement_id=saf-2023:S1").get_json()
    assert [e["id"] for e in listed["items"]] == [safe["id"]]
    assert rm_client.get("/api/v1/entries?statement_id=saf-2023:S2").get_json()["total"] == 2
