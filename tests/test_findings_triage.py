"""Findings: triage into the log (dismiss, link, new draft) and the triage inbox."""

import uuid
from datetime import timedelta

import pytest

from seed import factories as f
from server.accounts.permissions import PERMISSIONS, ROLES
from server.audit.services import Actor
from server.common.types import utcnow
from server.extensions import db
from server.findings import services
from server.findings.models import Finding
from server.log.models import LogEntry
from tests.support import findings as shared
from tests.support.findings import record, rows

# pytest finds fixtures among a module's globals: this one comes from tests/support/findings.py.
quick_passwords = shared.quick_passwords

pytestmark = pytest.mark.db


# ---- triage ----------------------------------------------------------------------------


def triage(client, finding_ids, action, **extra):
    return client.post(
        "/api/v1/findings/triage",
        json={"finding_ids": [str(i) for i in finding_ids], "action": action, **extra},
    )


def test_dismiss_needs_a_reason(client, world, login):
    finding = record(world, world.users["care_worker"])
    login(world.users["duty_manager"])
    response = triage(client, [finding.id], "dismiss")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "reason": "Required when dismissing findings."
    }
    assert db.session.get(Finding, finding.id).triage_state == "new"


def test_dismiss_keeps_the_reason_and_who(client, world, login):
    finding = record(world, world.users["care_worker"])
    manager = world.users["duty_manager"]
    login(manager)
    response = triage(client, [finding.id], "dismiss", reason="Already fixed on the spot")
    assert response.status_code == 200
    got = response.get_json()["findings"][0]
    assert (got["triage_state"], got["dismissed_reason"], got["triaged_by"]) == (
        "dismissed",
        "Already fixed on the spot",
        str(manager.id),
    )
    again = triage(client, [finding.id], "dismiss", reason="Twice")
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {"finding_ids.0": "Already dismissed."}


def test_triage_into_a_new_draft_entry(client, world, login):
    worker = world.users["care_worker"]
    first = record(world, worker, risk="low", description="Tea round late")
    second = record(world, worker, risk="high", description="Fluids chart not filled in")
    login(world.users["deputy_manager"])
    response = triage(client, [first.id, second.id], "create_entry")
    assert response.status_code == 200, response.get_json()
    entry = db.session.get(LogEntry, uuid.UUID(response.get_json()["entry_id"]))
    assert entry.status == "draft"
    assert entry.concern == "Tea round late\nFluids chart not filled in"
    assert (entry.source, entry.risk) == ("walkaround", "high")
    for finding in (first, second):
        stored = db.session.get(Finding, finding.id)
        assert (stored.triage_state, stored.log_entry_id) == ("linked", entry.id)


def test_mixed_sources_make_an_entry_of_source_other_with_the_given_concern(client, world, login):
    worker = world.users["care_worker"]
    walk = record(world, worker)
    check = record(world, worker, kind="visibility_check")
    login(world.users["registered_manager"])
    response = triage(
        client, [walk.id, check.id], "create_entry", concern="Leadership not visible at lunchtime"
    )
    entry = db.session.get(LogEntry, uuid.UUID(response.get_json()["entry_id"]))
    assert (entry.source, entry.concern) == ("other", "Leadership not visible at lunchtime")


def test_link_to_an_existing_entry(client, world, login):
    from server.log.services import create_draft

    manager = world.users["deputy_manager"]
    entry = create_draft(Actor(manager), world.home, concern="Call bells", source="walkaround")
    finding = record(world, world.users["care_worker"])
    login(manager)
    response = triage(client, [finding.id], "link", entry_id=str(entry.id))
    assert response.status_code == 200
    assert response.get_json()["entry_id"] == str(entry.id)
    assert db.session.get(Finding, finding.id).log_entry_id == entry.id
    assert triage(client, [finding.id], "dismiss", reason="x").status_code == 422


def test_link_refuses_an_entry_of_another_service(client, world, login):
    from server.log.services import create_draft

    nominated = world.users["nominated_individual"]
    entry = create_draft(Actor(nominated), world.other, concern="Elsewhere", source="audit")
    finding = record(world, world.users["care_worker"])
    login(world.users["registered_manager"])
    response = triage(client, [finding.id], "link", entry_id=str(entry.id))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "entry_id": "This entry belongs to another service."
    }
    assert db.session.get(Finding, finding.id).triage_state == "new"


@pytest.mark.parametrize(
    "payload, status, fields",
    [
        ({"action": "link"}, 422, {"entry_id": "Required when linking findings."}),
        ({"action": "link", "entry_id": str(uuid.uuid4())}, 404, {"entry_id": "No such entry."}),
        ({"action": "shred"}, 422, {"action": "Must be one of: create_entry, link, dismiss."}),
        (
            {"action": "create_entry", "reason": "why"},
            422,
            {"reason": "Not used when the action is create_entry."},
        ),
        (
            {"action": "dismiss", "reason": "x" * 2001},
            422,
            {"reason": "Longer than maximum length 2000."},
        ),
        (
            {"action": "dismiss", "reason": "ok", "finding_ids": []},
            422,
            {"finding_ids": "Length must be between 1 and 200."},
        ),
        (
            {"action": "dismiss", "reason": "ok", "finding_ids": [str(uuid.uuid4())]},
            404,
            {"finding_ids.0": "No such finding."},
        ),
    ],
)
def test_bad_triage_requests_name_the_field(client, world, login, payload, status, fields):
    finding = record(world, world.users["care_worker"])
    login(world.users["registered_manager"])
    response = client.post(
        "/api/v1/findings/triage", json={"finding_ids": [str(finding.id)], **payload}
    )
    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields
    assert db.session.get(Finding, finding.id).triage_state == "new"
    assert rows(LogEntry) == 0


@pytest.mark.parametrize("role", ROLES)
def test_who_may_triage(client, world, login, role):
    finding = record(world, world.users["care_worker"])
    login(world.users[role])
    response = triage(client, [finding.id], "dismiss", reason="Not a concern")
    allowed = role in PERMISSIONS["finding.triage"][0]
    assert response.status_code == (200 if allowed else 403)
    assert db.session.get(Finding, finding.id).triage_state == ("dismissed" if allowed else "new")


def test_another_providers_finding_cannot_be_triaged(client, world, login):
    rival_rm = f.make_user(world.rival, "registered_manager", world.rival_service)
    theirs = record(world, rival_rm, service=world.rival_service)
    login(world.users["registered_manager"])
    response = triage(client, [theirs.id], "dismiss", reason="Not ours")
    assert response.status_code == 404
    assert db.session.get(Finding, theirs.id).triage_state == "new"


def test_findings_of_two_services_are_triaged_apart(client, world, login):
    manager = f.make_user(
        world.provider, "deputy_manager", world.home, extra_roles=[("deputy_manager", world.other)]
    )
    here = record(world, world.users["care_worker"])
    there = record(world, manager, service=world.other)
    login(manager)
    response = triage(client, [here.id, there.id], "dismiss", reason="Not a concern")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "finding_ids": "These findings belong to different services."
    }
    assert {db.session.get(Finding, x.id).triage_state for x in (here, there)} == {"new"}


# ---- the inbox -------------------------------------------------------------------------


def aged(finding: Finding, hours: float) -> None:
    finding.received_at = utcnow() - timedelta(hours=hours)
    db.session.commit()


def test_inbox_puts_findings_past_their_escalation_time_first(client, world, login):
    worker = world.users["care_worker"]
    fresh_high = record(world, worker, risk="high", area="Kitchen")
    late_high = record(world, worker, risk="high", area="Garden")
    late_low = record(world, worker, risk="low", area="Lounge")
    medium = record(world, worker, risk="medium", area="Lounge")
    done = record(world, worker, risk="high", area="Office")
    aged(fresh_high, 2)
    aged(late_high, 30)  # past 24 hours
    aged(late_low, 200)  # past 168 hours
    aged(medium, 10)  # within 72 hours
    services.dismiss(Actor(world.users["deputy_manager"]), [done], "Sorted")
    db.session.commit()
    login(world.users["duty_manager"])
    inbox = client.get(f"/api/v1/services/{world.home.id}/inbox").get_json()
    assert (inbox["total"], inbox["past_escalation_time"]) == (4, 2)
    assert [
        (g["area"], g["source"], g["count"], g["past_escalation_time"]) for g in inbox["groups"]
    ] == [
        ("Garden", "walkaround", 1, 1),
        ("Lounge", "walkaround", 2, 1),
        ("Kitchen", "walkaround", 1, 0),
    ]
    lounge = inbox["groups"][1]["findings"]
    assert [x["id"] for x in lounge] == [str(late_low.id), str(medium.id)]
    assert lounge[0]["past_escalation_time"] is True and lounge[0]["waiting_hours"] >= 200


def test_inbox_uses_the_providers_escalation_time(client, world, login):
    world.provider.thresholds = {"escalation_hours": {"high": 48, "medium": 72, "low": 168}}
    finding = record(world, world.users["care_worker"], risk="high")
    aged(finding, 30)
    login(world.users["registered_manager"])
    inbox = client.get(f"/api/v1/services/{world.home.id}/inbox").get_json()
    assert inbox["escalation_hours"]["high"] == 48
    assert inbox["groups"][0]["findings"][0]["past_escalation_time"] is False


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_inbox(client, world, login, role):
    login(world.users[role])
    response = client.get(f"/api/v1/services/{world.home.id}/inbox")
    assert response.status_code == (200 if role in PERMISSIONS["finding.read_all"][0] else 403)


def test_another_providers_inbox_is_not_found(client, world, login):
    login(world.users["nominated_individual"])
    assert client.get(f"/api/v1/services/{world.rival_service.id}/inbox").status_code == 404
