"""The log's JSON API: transitions, notes, evidence, escalation, the as-you-type vague
check; permissions and isolation."""

import pytest

from seed import factories
from server.common import dates
from server.extensions import db
from server.log.models import LogEntry
from tests.support import log_api as shared
from tests.support.log_api import GOOD, act, body, count, written

# pytest finds fixtures among a module's globals: these come from tests/support/log_api.py.
entry, rm_client = shared.entry, shared.rm_client

pytestmark = pytest.mark.db


# ---- transitions --------------------------------------------------------------------------


def test_vague_decision_blocks_opening_through_the_api(rm_client, entry):
    created = entry(decision="Remind staff about fluids")
    before = written()
    response = act(rm_client, created, "open")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["rule"] == "vague_decision"
    assert error["fields"]["decision"].startswith('"Remind staff" is a conversation')
    assert error["flags"][0]["phrase"] == "Remind staff"
    assert written() == before
    ok = act(rm_client, created, "open", override_reason="Family asked for this wording")
    assert ok.status_code == 200
    assert ok.get_json()["vague_override_reason"] == "Family asked for this wording"


def test_walk_an_entry_to_closure(world, rm_client, entry, login):
    created = entry()
    opened = act(rm_client, created, "open").get_json()
    assert opened["status"] == "open"
    refused = act(rm_client, dict(opened, version=opened["version"]), "start")
    assert refused.status_code == 200
    started = refused.get_json()
    done = act(rm_client, started, "mark_done").get_json()
    assert done["status"] == "awaiting_check"
    no_evidence = act(rm_client, done, "close")
    assert no_evidence.status_code == 422
    assert no_evidence.get_json()["error"]["message"] == (
        "Closure needs evidence from records, audits, feedback or practice checks. Verbal "
        "reassurance alone is not enough: add a care record, audit, feedback, observation, "
        "handover record, incident trend, governance minutes, staff practice check or "
        "training record."
    )
    evidence = rm_client.post(
        f"/api/v1/entries/{done['id']}/evidence",
        json={
            "type": "audit",
            "location": "MAR audit folder, June",
            "evidence_date": dates.london_today().isoformat(),
            "checked_by": str(world.users["deputy_manager"].id),
        },
    )
    assert evidence.status_code == 201
    closed = act(rm_client, done, "close")
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed"
    assert closed.get_json()["evidence"][0]["location"] == "MAR audit folder, June"
    history = rm_client.get(f"/api/v1/entries/{done['id']}/history").get_json()
    assert [e["action"] for e in history["items"]] == [
        "create",
        "open",
        "start",
        "mark_done",
        "evidence",
        "close",
    ]
    assert history["items"][1]["changes"]["status"] == ["draft", "open"]
    assert history["items"][0]["channel"] == "desk"


@pytest.mark.parametrize(
    ("payload", "status", "fields"),
    [
        (
            {"action": "archive", "version": 1},
            422,
            {
                "action": "Must be one of: open, start, mark_done, send_back, close, sign_off, "
                "challenge, reopen."
            },
        ),
        ({"version": 1}, 422, {"action": "Missing data for required field."}),
        ({"action": "open"}, 422, {"version": "Missing data for required field."}),
        ({"action": "open", "version": 1, "reason": 5}, 422, {"reason": "Not a valid string."}),
        ({"action": "open", "version": 7}, 409, {"version": "The current version is 1."}),
        (
            {"action": "start", "version": 1},
            422,
            {"action": "Not possible while the entry is a draft."},
        ),
    ],
)
def test_bad_transition_requests(rm_client, entry, payload, status, fields):
    created = entry()
    before = written()
    response = rm_client.post(f"/api/v1/entries/{created['id']}/transitions", json=payload)
    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields
    assert written() == before


def test_high_risk_close_goes_to_sign_off_then_provider_signs(world, rm_client, entry, login):
    created = entry(risk="high", interim_controls="Sensor mat in place")
    entry_id = created["id"]
    current = act(rm_client, created, "open").get_json()
    current = act(rm_client, current, "mark_done").get_json()
    rm_client.post(
        f"/api/v1/entries/{entry_id}/evidence",
        json={
            "type": "observation",
            "location": "Observation record 14",
            "evidence_date": dates.london_today().isoformat(),
            "checked_by": str(world.users["registered_manager"].id),
        },
    )
    current = act(rm_client, current, "close").get_json()
    assert current["status"] == "awaiting_sign_off"
    current = rm_client.post(
        f"/api/v1/entries/{entry_id}/escalation",
        json={
            "decision": "not_escalated",
            "reason": "Managed in the home",
            "version": current["version"],
        },
    ).get_json()
    ni = login(world.users["nominated_individual"])
    signed = act(ni, current, "sign_off").get_json()
    assert (signed["status"], signed["signed_off_by"]) == (
        "closed",
        str(world.users["nominated_individual"].id),
    )


# ---- notes, evidence, escalation ----------------------------------------------------------


def test_notes_are_appended_and_listed_oldest_first(rm_client, entry):
    created = entry()
    url = f"/api/v1/entries/{created['id']}/notes"
    for text in ("Spoke to night staff", "Charts checked"):
        assert rm_client.post(url, json={"body": text}).status_code == 201
    notes = rm_client.get(url).get_json()
    assert [n["body"] for n in notes["items"]] == ["Spoke to night staff", "Charts checked"]
    before = written()
    for bad, message in (
        ({}, "Missing data for required field."),
        ({"body": "  "}, "Must be between 1 and 4000 characters."),
        ({"body": "n" * 4001}, "Must be between 1 and 4000 characters."),
        ({"body": ["a"]}, "Not a valid string."),
    ):
        response = rm_client.post(url, json=bad)
        assert response.status_code == 422
        assert response.get_json()["error"]["fields"] == {"body": message}
    assert written() == before


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (
            {"type": "gut_feeling"},
            {
                "type": "Must be one of: care_record, audit, feedback, "
                "observation, handover_record, incident_trend, "
                "governance_minutes, staff_practice_check, "
                "training_record, verbal_reassurance."
            },
        ),
        (
            {"evidence_date": "2099-01-01"},
            {"evidence_date": "Use the date the evidence was made or checked."},
        ),
        ({"location": ""}, {"location": "Must be between 1 and 300 characters."}),
        ({"checked_by": None}, {"checked_by": "Field may not be null."}),
    ],
)
def test_bad_evidence_names_the_field(world, rm_client, entry, change, fields):
    created = entry()
    data = {
        "type": "audit",
        "location": "Office",
        "evidence_date": "2024-05-01",
        "checked_by": str(world.users["deputy_manager"].id),
        **change,
    }
    before = written()
    response = rm_client.post(f"/api/v1/entries/{created['id']}/evidence", json=data)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
    assert written() == before


def test_escalation_records_who_and_why(world, rm_client, entry):
    created = entry(risk="high")
    url = f"/api/v1/entries/{created['id']}/escalation"
    bad = rm_client.post(url, json={"decision": "later", "reason": "x", "version": 1})
    assert bad.get_json()["error"]["fields"] == {
        "decision": "Must be one of: escalated, not_escalated."
    }
    ok = rm_client.post(
        url, json={"decision": "escalated", "reason": "Repeat medicine errors", "version": 1}
    ).get_json()
    assert (ok["escalated"], ok["escalation_reason"], ok["escalation_by"]) == (
        True,
        "Repeat medicine errors",
        str(world.users["registered_manager"].id),
    )


def test_vague_check_as_you_type(rm_client):
    flagged = rm_client.get("/api/v1/vague-check?decision=Monitor%20the%20fluid%20charts")
    data = flagged.get_json()
    assert data["passes"] is False
    assert data["flags"][0]["phrase"] == "Monitor"
    clean = rm_client.get("/api/v1/vague-check", query_string={"decision": GOOD}).get_json()
    assert clean == {"passes": True, "flags": []}


# ---- permissions and isolation ------------------------------------------------------------


def test_roles_that_may_not_create_get_403_and_nothing_is_written(world, login):
    allowed = set()
    for role, user in world.users.items():
        client = login(user)
        response = client.post("/api/v1/entries", json=body(world))
        assert response.status_code in (201, 403), response.get_json()
        if response.status_code == 201:
            allowed.add(role)
        else:
            assert response.get_json()["error"]["code"] == "forbidden"
    assert allowed == {
        "care_coordinator",
        "duty_manager",
        "deputy_manager",
        "registered_manager",
        "nominated_individual",
        "provider_quality_lead",
    }
    assert count(LogEntry) == len(allowed)


def test_floor_owner_may_start_but_not_open_through_the_api(world, entry, login):
    created = entry()
    carer = login(world.users["senior_carer"])
    refused = act(carer, created, "open")
    assert refused.status_code == 403
    assert db.session.get(LogEntry, LogEntry.id.type.python_type(created["id"])).status == "draft"
    opened = act(login(world.users["duty_manager"]), created, "open").get_json()
    assert act(login(world.users["senior_carer"]), opened, "start").status_code == 200


def test_another_providers_entry_is_404_everywhere(world, entry, login):
    created = entry()
    rival = factories.make_user(world.rival, "registered_manager", world.rival_service)
    db.session.commit()
    client = login(rival)
    url = f"/api/v1/entries/{created['id']}"
    before = written()
    responses = [
        client.get(url),
        client.patch(url, json={"version": 1, "risk": "low"}),
        client.post(url + "/transitions", json={"action": "open", "version": 1}),
        client.get(url + "/notes"),
        client.post(url + "/notes", json={"body": "Hi"}),
        client.get(url + "/evidence"),
        client.get(url + "/history"),
        client.post(url + "/escalation", json={"decision": "escalated", "reason": "x"}),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert all(r.get_json()["error"]["code"] == "not_found" for r in responses)
    assert written() == before


def test_another_service_of_the_same_provider_is_403(world, entry, login):
    created = entry()
    other_rm = factories.make_user(world.provider, "registered_manager", world.other)
    db.session.commit()
    client = login(other_rm)
    assert client.get(f"/api/v1/entries/{created['id']}").status_code == 403
    assert client.get("/api/v1/entries").get_json()["total"] == 0
    response = client.post("/api/v1/entries", json=body(world))
    assert response.status_code == 403


def test_unknown_entry_id_is_404(rm_client):
    assert rm_client.get("/api/v1/entries/not-a-uuid").status_code == 404
    missing = rm_client.get("/api/v1/entries/0b7d6f0e-8c1a-4a57-9a57-1f0f2c3d4e5f")
    assert missing.get_json()["error"]["message"] == "There is no such entry."


def test_every_log_route_is_in_the_openapi_document(rm_client):
    paths = rm_client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/entries",
        "/entries/{entry_id}",
        "/entries/{entry_id}/transitions",
        "/entries/{entry_id}/notes",
        "/entries/{entry_id}/evidence",
        "/entries/{entry_id}/escalation",
        "/entries/{entry_id}/history",
        "/vague-check",
    ):
        assert path in paths
    listing = paths["/entries"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listing["schema"]["properties"]["items"]["type"] == "array"
