"""Walkarounds recorded through the API: with findings, with none, refused whole, kept once."""

import uuid

import pytest

from seed import factories as f
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.extensions import db
from server.findings import services
from server.findings.models import Finding, Walkaround
from tests.support import findings as shared
from tests.support.findings import body, rows

# pytest finds fixtures among a module's globals: this one comes from tests/support/findings.py.
quick_passwords = shared.quick_passwords

pytestmark = pytest.mark.db


def walk_body(world, **changes) -> dict:
    data = {
        "service_id": str(world.home.id),
        "kind": "walkaround",
        "started_at": "2025-03-03T12:00:00+00:00",
        "ended_at": "2025-03-03T12:40:00+00:00",
        "areas": ["Dining room", "Lunchtime"],
        "notes": "Lunchtime walk",
    }
    data.update(changes)
    return data


def test_a_walkaround_with_its_findings(client, world, login):
    worker = world.users["senior_carer"]
    login(worker)
    findings = [
        {k: v for k, v in body(world, area="Dining room").items() if k != "service_id"},
        {
            k: v
            for k, v in body(
                world, kind="positive_practice", follow_up_needed=False, area="Lunchtime"
            ).items()
            if k != "service_id"
        },
    ]
    response = client.post("/api/v1/walkarounds", json=walk_body(world, findings=findings))
    assert response.status_code == 201, response.get_json()
    got = response.get_json()
    assert (got["conducted_by"], got["finding_count"], got["follow_up_count"]) == (
        str(worker.id),
        2,
        1,
    )
    assert {x["walkaround_id"] for x in got["findings"]} == {got["id"]}
    detail = client.get(f"/api/v1/walkarounds/{got['id']}").get_json()
    assert detail == got


def test_a_walkaround_that_found_nothing(client, world, login):
    login(world.users["care_worker"])
    response = client.post("/api/v1/walkarounds", json=walk_body(world))
    assert response.status_code == 201
    got = response.get_json()
    assert (got["finding_count"], got["follow_up_count"], got["findings"]) == (0, 0, [])


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"areas": ["Roof"]}, "areas.0", "Roof is not one of this service's areas or routines."),
        (
            {"ended_at": "2025-03-03T11:00:00+00:00"},
            "ended_at",
            "The walkaround cannot end before it started.",
        ),
        ({"kind": "stroll"}, "kind", "Must be one of: walkaround, visibility_round."),
        ({"areas": "Lounge"}, "areas", "Not a valid list."),
        ({"notes": "n" * 4001}, "notes", "Longer than maximum length 4000."),
        (
            {"findings": [{"kind": "walkaround_issue", "area": "Roof", "description": "x"}]},
            "findings.0.area",
            "Roof is not one of this service's areas or routines.",
        ),
        ({"findings": ["call bell"]}, "findings.0", "Must be an object."),
        (
            {"findings": [{"kind": "walkaround_issue", "area": "Lounge"}]},
            "findings.0.description",
            "Missing data for required field.",
        ),
    ],
)
def test_a_bad_walkaround_writes_nothing(client, world, login, changes, field, message):
    login(world.users["care_worker"])
    response = client.post("/api/v1/walkarounds", json=walk_body(world, **changes))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {field: message}
    assert (rows(Walkaround), rows(Finding), rows(AuditEvent)) == (0, 0, 0)


def test_a_repeated_walkaround_is_recorded_once(client, world, login):
    login(world.users["care_worker"])
    walk_id = str(uuid.uuid4())
    finding = {k: v for k, v in body(world, id=str(uuid.uuid4())).items() if k != "service_id"}
    first = client.post(
        "/api/v1/walkarounds", json=walk_body(world, id=walk_id, findings=[finding])
    )
    again = client.post(
        "/api/v1/walkarounds", json=walk_body(world, id=walk_id, findings=[finding])
    )
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert (rows(Walkaround), rows(Finding)) == (1, 1)


def test_a_finding_names_a_walkaround_of_its_own_service(client, world, login):
    nominated = Actor(world.users["nominated_individual"])
    elsewhere = services.record_walkaround(nominated, world.other, {"areas": []})
    db.session.commit()
    login(world.users["care_worker"])
    response = client.post("/api/v1/findings", json=body(world, walkaround_id=str(elsewhere.id)))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "walkaround_id": "No walkaround of this service has this id."
    }


def test_walkarounds_are_listed_for_who_may_see_them(client, world, login):
    mine = services.record_walkaround(Actor(world.users["care_worker"]), world.home, {})
    services.record_walkaround(Actor(world.users["senior_carer"]), world.home, {})
    services.record_walkaround(Actor(world.users["nominated_individual"]), world.other, {})
    db.session.commit()
    login(world.users["care_worker"])
    listed = client.get("/api/v1/walkarounds").get_json()
    assert [w["id"] for w in listed["items"]] == [str(mine.id)]
    assert listed["items"][0]["finding_count"] == 0
    login(world.users["registered_manager"])
    assert client.get("/api/v1/walkarounds").get_json()["total"] == 2
    login(world.users["provider_quality_lead"])
    assert client.get("/api/v1/walkarounds").get_json()["total"] == 3
    query = client.get(f"/api/v1/walkarounds?service_id={world.other.id}").get_json()
    assert query["total"] == 1
    assert client.get("/api/v1/walkarounds?kind=jog").status_code == 422


def test_a_colleagues_or_another_providers_walkaround_is_not_shown(client, world, login):
    colleague = services.record_walkaround(Actor(world.users["senior_carer"]), world.home, {})
    rival_rm = f.make_user(world.rival, "registered_manager", world.rival_service)
    theirs = services.record_walkaround(Actor(rival_rm), world.rival_service, {})
    db.session.commit()
    login(world.users["care_worker"])
    assert client.get(f"/api/v1/walkarounds/{colleague.id}").status_code == 403
    login(world.users["nominated_individual"])
    assert client.get(f"/api/v1/walkarounds/{colleague.id}").status_code == 200
    assert client.get(f"/api/v1/walkarounds/{theirs.id}").status_code == 404
