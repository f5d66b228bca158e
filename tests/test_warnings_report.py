"""Early warnings per service and per provider, isolation between providers, and the
endpoint."""

import uuid
from datetime import timedelta

import pytest

from server.common.types import utcnow
from server.extensions import db
from server.log import signal_scope
from server.oversight.warnings import warnings_report
from tests.support.early_warnings import NOW, at, early_warnings, make_entry, make_finding, of

pytestmark = pytest.mark.db


# ---- per service, per provider, and isolation -------------------------------------------


def test_warnings_are_per_service_and_summed_for_the_provider(world):
    make_entry(world, status="draft", owner_id=None, created_at=at(3))
    make_entry(world, world.other, status="draft", owner_id=None, created_at=at(3))
    make_entry(world, world.other, status="draft", owner_id=None, created_at=at(4))
    found = of(world, "no_owner")
    assert [(w.service_id, w.count) for w in found] == [(world.home.id, 1), (world.other.id, 2)]
    report = warnings_report(world.provider, now=NOW)
    counts = {s["service_id"]: s["counts"] for s in report["services"]}
    assert report["counts"]["no_owner"] == 3
    assert counts[world.other.id]["no_owner"] == 2
    assert counts[world.home.id]["carried_forward"] == 0
    only_home = of(world, "no_owner", service_ids=[world.home.id])
    assert [w.service_id for w in only_home] == [world.home.id]


def test_another_providers_records_are_never_counted(world):
    make_entry(world, world.rival_service, status="draft", owner_id=None, created_at=at(3))
    for days in (1, 2, 3):
        make_finding(world, world.rival_service, received_at=at(days))
    assert early_warnings(world.provider, now=NOW) == []
    assert early_warnings(world.provider, service_ids=[world.rival_service.id], now=NOW) == []
    assert [w.signal for w in early_warnings(world.rival, now=NOW)] == [
        "repeat_findings",
        "no_owner",
    ]


def test_refs_are_capped_but_the_count_is_whole(world, monkeypatch):
    monkeypatch.setattr(signal_scope, "REF_LIMIT", 2)
    for days in (2, 3, 4):
        make_entry(world, status="draft", owner_id=None, created_at=at(days))
    [warning] = of(world, "no_owner")
    assert warning.count == 3 and len(warning.refs) == 2
    assert warning.reason.startswith("3 entries not yet closed have no named owner")


# ---- the endpoint -----------------------------------------------------------------------


def test_endpoint_shows_the_managers_services_with_reasons_and_records(client, world, login):
    entry = make_entry(
        world, status="draft", owner_id=None, created_at=utcnow() - timedelta(days=2)
    )
    make_entry(
        world, world.other, status="draft", owner_id=None, created_at=utcnow() - timedelta(days=2)
    )
    db.session.commit()
    body = login(world.users["registered_manager"]).get("/api/v1/early-warnings").get_json()
    assert [s["service_name"] for s in body["services"]] == ["Ashdown House"]
    assert body["counts"]["no_owner"] == 1
    assert body["thresholds"]["carry_forward_limit"] == 2
    assert body["warnings"] == [
        {
            "signal": "no_owner",
            "service_id": str(world.home.id),
            "count": 1,
            "reason": "1 entry not yet closed has no named owner (drafts count once they are "
            "more than a day old).",
            "refs": [{"type": "log_entry", "id": str(entry.id)}],
        }
    ]


def test_endpoint_gives_provider_leaders_every_service(client, world, login):
    make_entry(
        world, world.other, status="draft", owner_id=None, created_at=utcnow() - timedelta(days=2)
    )
    db.session.commit()
    body = login(world.users["nominated_individual"]).get("/api/v1/early-warnings").get_json()
    assert [s["service_name"] for s in body["services"]] == ["Ashdown House", "Beech Court"]
    assert body["counts"]["no_owner"] == 1
    one = client.get(f"/api/v1/early-warnings?service_id={world.home.id}").get_json()
    assert [s["service_name"] for s in one["services"]] == ["Ashdown House"]
    assert one["warnings"] == []


def test_endpoint_names_ten_records_per_warning_unless_asked_but_counts_them_all(
    client, world, login
):
    for days in range(2, 14):  # 12 ownerless entries
        make_entry(world, status="draft", owner_id=None, created_at=utcnow() - timedelta(days=days))
    db.session.commit()
    client = login(world.users["registered_manager"])
    [warning] = client.get("/api/v1/early-warnings").get_json()["warnings"]
    assert warning["count"] == 12 and len(warning["refs"]) == 10
    [warning] = client.get("/api/v1/early-warnings?refs=0").get_json()["warnings"]
    assert warning["count"] == 12 and warning["refs"] == []
    r = client.get("/api/v1/early-warnings?refs=51")
    assert r.status_code == 422
    assert "refs" in r.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "role",
    [
        "care_worker",
        "senior_carer",
        "key_worker",
        "care_coordinator",
        "duty_manager",
        "provider_admin",
    ],
)
def test_endpoint_refuses_roles_without_oversight(client, world, login, role):
    response = login(world.users[role]).get("/api/v1/early-warnings")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Your role does not allow seeing early warnings and review cadence (oversight.read)."
    )


def test_endpoint_bad_or_foreign_service(client, world, login):
    login(world.users["registered_manager"])
    bad = client.get("/api/v1/early-warnings?service_id=nope")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"service_id": "Not a valid UUID."}
    assert (
        client.get(f"/api/v1/early-warnings?service_id={world.rival_service.id}").status_code == 404
    )
    assert client.get(f"/api/v1/early-warnings?service_id={uuid.uuid4()}").status_code == 404
    assert client.get(f"/api/v1/early-warnings?service_id={world.other.id}").status_code == 403


def test_endpoint_needs_login(client, world):
    assert client.get("/api/v1/early-warnings").status_code == 401
