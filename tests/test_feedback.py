"""Feedback as people give it: no question needed, who said it, risk apart from the tone,
a safeguarding flag that means high risk, and the service's own safeguarding steps."""

import uuid

import pytest

from server.extensions import db
from server.findings.models import Finding
from server.providers.models import Service
from tests.support import findings as shared
from tests.support.findings import feedback, rows
from tests.support.services_api import audit_events, fresh
from tests.support.sync_api import finding_create, push, register

quick_passwords = shared.quick_passwords

pytestmark = pytest.mark.db

COMPLAINT = "Mum's laundry keeps going missing and nobody has called me back."
SAFEGUARDING_IS_HIGH = (
    "A possible safeguarding concern is high risk. Untick it to choose a lower risk."
)


def test_unprompted_feedback_needs_no_question(client, world, login):
    login(world.users["key_worker"])
    response = client.post(
        "/api/v1/findings",
        json=feedback(
            world,
            question_id=None,
            answer=COMPLAINT,
            description=f"A relative or friend said: {COMPLAINT}",
            risk="medium",
        ),
    )
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert (got["question_id"], got["question"]) == (None, None)
    assert (got["respondent_type"], got["answer"], got["risk"]) == ("relative", COMPLAINT, "medium")
    stored = db.session.get(Finding, uuid.UUID(got["id"]))
    assert stored.description == f"A relative or friend said: {COMPLAINT}"
    assert stored.safeguarding_concern is False


def test_a_safeguarding_concern_is_high_risk(client, world, login):
    login(world.users["key_worker"])
    low = client.post(
        "/api/v1/findings", json=feedback(world, safeguarding_concern=True, risk="medium")
    )
    assert low.status_code == 422
    assert low.get_json()["error"]["fields"] == {"risk": SAFEGUARDING_IS_HIGH}
    assert rows(Finding) == 0

    high = client.post(
        "/api/v1/findings", json=feedback(world, safeguarding_concern=True, risk="high")
    )
    assert high.status_code == 201
    got = high.get_json()
    assert (got["safeguarding_concern"], got["risk"]) == (True, "high")

    # While it is flagged, the risk cannot be lowered; unflagged, it can.
    url = f"/api/v1/findings/{got['id']}"
    lowered = client.patch(url, json={"base_version": 1, "risk": "low"})
    assert lowered.status_code == 422
    assert lowered.get_json()["error"]["fields"] == {"risk": SAFEGUARDING_IS_HIGH}
    both = client.patch(url, json={"base_version": 1, "risk": "low", "safeguarding_concern": False})
    assert both.status_code == 200, both.get_json()
    assert (both.get_json()["risk"], both.get_json()["safeguarding_concern"]) == ("low", False)


def _push_feedback(client, world, **changes):
    device = register(client)
    values = {
        "kind": "feedback",
        "source": "feedback",
        "respondent_type": "professional",
        "answer": "The district nurse found the dressing not changed since Monday.",
        "sentiment": "negative",
    }
    mutation = finding_create(
        device, world.users["key_worker"], world.home, 1, **(values | changes)
    )
    response = push(client, device, [mutation])
    assert response.status_code == 200, response.get_json()
    return mutation["entity_id"], response.get_json()["results"][0]


def test_a_tablet_pushes_feedback_with_no_question_and_the_flag(client, world, login):
    login(world.users["key_worker"])
    entity_id, result = _push_feedback(client, world, risk="high", safeguarding_concern=True)
    assert result["status"] == "applied", result
    stored = db.session.get(Finding, uuid.UUID(entity_id))
    assert (stored.question_id, stored.respondent_type) == (None, "professional")
    assert (stored.safeguarding_concern, stored.risk) == (True, "high")


def test_a_pushed_flag_with_a_lower_risk_is_refused_by_name(client, world, login):
    login(world.users["key_worker"])
    _, result = _push_feedback(client, world, risk="low", safeguarding_concern=True)
    assert result["status"] == "rejected"
    assert result["fields"] == {"changes.risk": SAFEGUARDING_IS_HIGH}
    assert rows(Finding) == 0


def test_an_old_tablets_queued_feedback_is_still_accepted(client, world, login):
    """Queued by the release before this one: a question, no flag, risk from the tone."""
    login(world.users["key_worker"])
    entity_id, result = _push_feedback(
        client,
        world,
        question_id="vis-1",
        respondent_type="relative",
        risk="medium",
        description='Relative asked "Did you see a senior member of staff?": Not this week',
    )
    assert result["status"] == "applied", result
    stored = db.session.get(Finding, uuid.UUID(entity_id))
    assert stored.question == "Did you see a senior member of staff during the busy times today?"
    assert stored.safeguarding_concern is False


def test_the_published_schema_has_the_flag_and_no_required_question(client, world, login):
    login(world.users["key_worker"])
    schema = client.get("/api/v1/schemas/finding.json").get_json()
    assert schema["properties"]["safeguarding_concern"]["type"] == "boolean"
    assert "question_id" not in schema.get("required", [])


def test_the_manager_writes_the_safeguarding_steps_and_the_tablet_gets_them(client, world, login):
    steps = "Keep the person safe.\nPhone the safeguarding lead on 0100 000 000."
    login(world.users["registered_manager"])
    url = f"/api/v1/services/{world.home.id}"
    response = client.patch(url, json={"base_version": 1, "safeguarding_steps": steps})
    assert response.status_code == 200, response.get_json()
    assert fresh(Service, world.home.id).safeguarding_steps == steps
    [event] = audit_events("service")
    assert event.changes == {"safeguarding_steps": ["", steps]}
    history = client.get(f"{url}/history?about=safeguarding_steps").get_json()
    assert history["items"][0]["summary"] == "Changed the safeguarding steps"

    # What the tablet fetches with the service for its offline forms.
    login(world.users["care_worker"])
    assert client.get(url).get_json()["safeguarding_steps"] == steps
    refused = client.patch(url, json={"base_version": 2, "safeguarding_steps": "Nothing."})
    assert refused.status_code == 403
