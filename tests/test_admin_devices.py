"""The managers' view of tablets over HTTP: whose they are, last sync, withdrawing one."""

import uuid

import pytest

from seed import factories as f
from server.accounts.permissions import ROLES
from server.audit.models import AuditEvent
from server.extensions import db
from server.syncing.models import Device, Receipt
from tests.support.sync_api import finding_create

pytestmark = pytest.mark.db


def register(client, installation: str) -> str:
    r = client.post(
        "/api/v1/sync/devices",
        json={
            "installation_id": installation,
            "label": f"Tablet {installation}",
            "protocol_version": 1,
        },
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


def push_finding(client, device_id, user, service, seq):
    """Push one finding create from ``device_id`` (tests.support.sync_api.finding_create)."""
    mutation = finding_create(device_id, user, service, seq)
    return client.post(
        "/api/v1/sync/push",
        json={"protocol_version": 1, "device_id": device_id, "mutations": [mutation]},
    )


@pytest.fixture
def tablets(world, client, login):
    """A home carer's synced tablet, and a tablet of a carer who works in Beech Court."""
    carer = world.users["senior_carer"]
    beech = f.make_user(world.provider, "care_worker", world.other, name="Beech Carer")
    db.session.commit()
    login(carer)
    home_tablet = register(client, "tablet-home")
    r = push_finding(client, home_tablet, carer, world.home, 7)
    assert r.json["results"][0]["status"] == "applied", r.get_json()
    client.post("/api/v1/auth/logout")
    login(beech)
    beech_tablet = register(client, "tablet-beech")
    client.post("/api/v1/auth/logout")
    return {
        "home": home_tablet,
        "beech": beech_tablet,
        "mutation": r.json["results"][0]["mutation_id"],
        "carer": carer,
        "beech_user": beech,
    }


def test_a_registered_manager_sees_their_staffs_tablets_with_last_sync(
    world, client, login, tablets
):
    login(world.users["registered_manager"])
    r = client.get("/api/v1/admin/devices")
    assert r.status_code == 200, r.get_json()
    items = r.get_json()["items"]
    assert [d["device_id"] for d in items] == [tablets["home"]]
    device = items[0]
    assert device["user"] == {
        "id": str(tablets["carer"].id),
        "display_name": tablets["carer"].display_name,
        "active": True,
    }
    assert device["last_acknowledged"].pop("at") is not None
    # The tablet numbered this change 7: the server never received its changes 1 to 6.
    assert device["last_acknowledged"] == {
        "mutation_id": tablets["mutation"],
        "seq": 7,
        "entity_type": "finding",
        "missing": 6,
    }
    assert device["last_seen_at"] is not None
    assert device["revoked"] is False and device["revoked_at"] is None
    assert device["label"] == "Tablet tablet-home"


def test_the_admin_sees_every_services_tablets_and_can_filter_by_service(
    world, client, login, tablets
):
    login(world.users["provider_admin"])
    every = client.get("/api/v1/admin/devices").get_json()["items"]
    assert {d["device_id"] for d in every} == {tablets["home"], tablets["beech"]}
    beech = client.get(f"/api/v1/admin/devices?service_id={world.other.id}").get_json()
    assert [d["device_id"] for d in beech["items"]] == [tablets["beech"]]
    assert beech["items"][0]["last_acknowledged"] == {
        "mutation_id": None,
        "seq": 0,
        "entity_type": None,
        "at": None,
        "missing": 0,
    }
    assert beech["items"][0]["last_seen_at"] is None


@pytest.mark.parametrize("role", ROLES)
def test_only_device_managers_list_tablets(world, client, login, tablets, role):
    login(world.users[role])
    r = client.get("/api/v1/admin/devices")
    allowed = role in ("registered_manager", "provider_admin")
    assert r.status_code == (200 if allowed else 403), r.get_json()
    if not allowed:
        assert r.get_json()["error"]["message"] == "Your role does not allow this (device.manage)."


def test_a_registered_manager_cannot_list_another_services_tablets(world, client, login, tablets):
    login(world.users["registered_manager"])
    assert client.get(f"/api/v1/admin/devices?service_id={world.other.id}").status_code == 403
    r = client.get(f"/api/v1/admin/devices?service_id={world.rival_service.id}")
    assert r.status_code == 404


def test_a_bad_service_filter_names_the_field(world, client, login):
    login(world.users["provider_admin"])
    r = client.get("/api/v1/admin/devices?service_id=home")
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"service_id": "Not a valid UUID."}


@pytest.mark.parametrize("manager", ["registered_manager", "provider_admin"])
def test_a_lost_tablet_is_revoked_and_refused_from_then_on(world, client, login, tablets, manager):
    login(world.users[manager])
    r = client.post(f"/api/v1/admin/devices/{tablets['home']}/revoke")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["revoked"] is True and body["revoked_by"] == str(world.users[manager].id)
    acked = body["last_acknowledged"]
    assert (acked["mutation_id"], acked["seq"], acked["entity_type"]) == (
        tablets["mutation"],
        7,
        "finding",
    )
    receipt = db.session.scalars(
        db.select(Receipt).where(Receipt.mutation_id == tablets["mutation"])
    ).one()
    assert acked["at"] == receipt.received_at.isoformat()
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == tablets["home"], AuditEvent.action == "revoke"
        )
    ).one()
    assert event.actor_id == world.users[manager].id
    listed = client.get("/api/v1/admin/devices").get_json()["items"]
    assert [d["revoked"] for d in listed if d["device_id"] == tablets["home"]] == [True]

    client.post("/api/v1/auth/logout")
    login(tablets["carer"])
    r = push_finding(client, tablets["home"], tablets["carer"], world.home, 8)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "device_revoked"


@pytest.mark.parametrize(
    "who, tablet, status",
    [
        ("registered_manager", "beech", 403),
        ("care_worker", "home", 403),
        ("deputy_manager", "home", 403),
        ("rival_admin", "home", 404),
    ],
)
def test_revoking_someone_elses_tablet_needs_the_right_role(
    world, client, login, tablets, who, tablet, status
):
    user = f.make_user(world.rival, "provider_admin") if who == "rival_admin" else world.users[who]
    db.session.commit()
    login(user)
    r = client.post(f"/api/v1/admin/devices/{tablets[tablet]}/revoke")
    assert r.status_code == status, r.get_json()
    db.session.expire_all()
    assert db.session.get(Device, uuid.UUID(tablets[tablet])).revoked_at is None


def test_an_unknown_tablet_is_not_found(world, client, login):
    login(world.users["provider_admin"])
    assert client.post(f"/api/v1/admin/devices/{uuid.uuid4()}/revoke").status_code == 404
    assert client.post("/api/v1/admin/devices/not-a-uuid/revoke").status_code == 404


def test_tablets_are_listed_per_person_and_a_tablet_in_step_misses_nothing(
    world, client, login, tablets
):
    carer = tablets["carer"]
    login(carer)
    second = register(client, "tablet-office")
    for seq in (1, 2):
        assert push_finding(client, second, carer, world.home, seq).status_code == 200
    client.post("/api/v1/auth/logout")
    login(world.users["registered_manager"])
    r = client.get(f"/api/v1/admin/devices?user_id={carer.id}").get_json()
    assert [d["device_id"] for d in r["items"]] == [tablets["home"], second]
    acked = r["items"][1]["last_acknowledged"]
    assert (acked["seq"], acked["missing"]) == (2, 0)
    beech = client.get(f"/api/v1/admin/devices?user_id={tablets['beech_user'].id}").get_json()
    assert beech["items"] == []  # not one of her services' staff
