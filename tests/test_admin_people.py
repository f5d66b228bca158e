"""People administration over HTTP: accounts and roles per service."""

import uuid

import pytest

from seed import factories as f
from server.accounts.models import Membership, User
from server.accounts.permissions import ROLES
from server.audit.models import AuditEvent
from server.extensions import db
from tests.support.admin import (
    NEW_PASSWORD,
    audit_actions,
    count,
    new_staff,
    open_entry,
)

pytestmark = pytest.mark.db


def test_the_admin_creates_a_person_who_sets_their_password_with_the_code(world, login, client):
    login(world.users["provider_admin"])
    r = client.post(
        "/api/v1/admin/users",
        json=new_staff(
            world,
            roles=[
                {"role": "care_worker", "service_id": str(world.home.id)},
                {"role": "senior_carer", "service_id": str(world.other.id)},
            ],
        ),
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["email"] == "jo.bloggs@example.test" and body["active"] is True
    assert sorted((x["role"], x["service_id"]) for x in body["roles"]) == sorted(
        [("care_worker", str(world.home.id)), ("senior_carer", str(world.other.id))]
    )
    user = db.session.get(User, uuid.UUID(body["id"]))
    assert user.provider_id == world.provider.id and user.display_name == "Jo Bloggs"
    assert audit_actions(user.id) == ["create", "reset_code_issued"]

    client.post("/api/v1/auth/logout")
    r = client.post(
        "/api/v1/auth/reset", json={"token": body["reset"]["token"], "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 200, r.get_json()
    r = client.post(
        "/api/v1/auth/login", json={"email": "jo.bloggs@example.test", "password": NEW_PASSWORD}
    )
    assert r.status_code == 200 and r.get_json()["display_name"] == "Jo Bloggs"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"email": ...}, "email", "Missing data for required field."),
        ({"email": "not-an-email"}, "email", "Not a valid email address."),
        ({"display_name": "   "}, "display_name", "Write their name."),
        ({"roles": []}, "roles", "Give at least one role."),
        ({"roles": [{"role": "chef", "service_id": None}]}, "roles.0.role", None),
        (
            {"roles": [{"role": "care_worker", "service_id": None}]},
            "roles.0.service_id",
            "Choose the service for this role.",
        ),
        (
            {"roles": [{"role": "provider_admin", "service_id": "HOME"}]},
            "roles.0.service_id",
            "Send null for a provider-wide role.",
        ),
        (
            {"roles": [{"role": "care_worker", "service_id": "RIVAL"}]},
            "roles.0.service_id",
            "No such service.",
        ),
    ],
)
def test_bad_input_to_create_names_the_field_and_writes_nothing(
    world, login, client, fields, field, message
):
    ids = {"HOME": str(world.home.id), "RIVAL": str(world.rival_service.id)}
    for role in fields.get("roles") or []:
        role["service_id"] = ids.get(role["service_id"], role["service_id"])
    login(world.users["provider_admin"])
    users, events = count(User), count(AuditEvent)
    r = client.post("/api/v1/admin/users", json=new_staff(world, **fields))
    assert r.status_code == 422, r.get_json()
    assert list(r.get_json()["error"]["fields"]) == [field]
    if message:
        assert r.get_json()["error"]["fields"][field] == message
    assert (count(User), count(AuditEvent)) == (users, events)


def test_an_email_already_used_is_refused(world, login, client):
    login(world.users["provider_admin"])
    taken = world.users["care_worker"].email.upper()
    r = client.post("/api/v1/admin/users", json=new_staff(world, email=taken))
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"email": "Already used by another account."}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_admin_and_the_registered_manager_create_staff(world, login, client, role):
    login(world.users[role])
    users = count(User)
    r = client.post("/api/v1/admin/users", json=new_staff(world))
    allowed = role in ("provider_admin", "registered_manager")
    assert r.status_code == (201 if allowed else 403), r.get_json()
    assert count(User) == users + allowed


@pytest.mark.parametrize(
    "roles, field, message",
    [
        (
            [{"role": "care_worker", "service_id": "OTHER"}],
            "roles.0.service_id",
            "You can only give roles in services you manage.",
        ),
        (
            [{"role": "nominated_individual", "service_id": None}],
            "roles.0.role",
            "Only the provider admin can give provider-wide roles.",
        ),
    ],
)
def test_a_registered_manager_creates_staff_only_in_their_own_service(
    world, login, client, roles, field, message
):
    for role in roles:
        role["service_id"] = role["service_id"] and str(world.other.id)
    login(world.users["registered_manager"])
    users = count(User)
    r = client.post("/api/v1/admin/users", json=new_staff(world, roles=roles))
    assert r.status_code == 403
    assert r.get_json()["error"]["message"] == message
    assert list(r.get_json()["error"]["fields"]) == [field]
    assert count(User) == users


# -- reading people ----------------------------------------------------------------------


def test_a_registered_manager_lists_only_their_services_staff(world, login, client):
    beech = f.make_user(world.provider, "care_worker", world.other, name="Beech Carer")
    db.session.commit()
    login(world.users["registered_manager"])
    names = {u["display_name"] for u in client.get("/api/v1/admin/users").get_json()["items"]}
    home_staff = {
        u.display_name
        for r, u in world.users.items()
        if r not in ("nominated_individual", "provider_quality_lead", "provider_admin")
    }
    assert names == home_staff
    r = client.get(f"/api/v1/admin/users?service_id={world.other.id}")
    assert r.status_code == 403
    client.post("/api/v1/auth/logout")
    login(world.users["provider_admin"])
    r = client.get(f"/api/v1/admin/users?service_id={world.other.id}").get_json()
    assert [u["display_name"] for u in r["items"]] == [beech.display_name]
    assert r["total"] == 1


def test_another_providers_person_is_not_found(world, login, client):
    stranger = f.make_user(world.rival, "care_worker", world.rival_service)
    db.session.commit()
    login(world.users["provider_admin"])
    base = f"/api/v1/admin/users/{stranger.id}"
    assert client.get(base).status_code == 404
    calls = [
        ("put", "/roles", {"service_id": None, "roles": []}),
        ("post", "/deactivate", {}),
        ("post", "/reset-code", None),
    ]
    for method, path, body in calls:
        r = getattr(client, method)(base + path, json=body)
        assert r.status_code == 404, (path, r.get_json())
        assert r.get_json()["error"]["message"] == "There is no such person."
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert stranger.active and [m.role for m in stranger.memberships] == ["care_worker"]


def test_a_registered_manager_cannot_manage_another_services_staff(world, login, client):
    beech = f.make_user(world.provider, "care_worker", world.other)
    db.session.commit()
    login(world.users["registered_manager"])
    base = f"/api/v1/admin/users/{beech.id}"
    assert client.get(base).status_code == 403
    r = client.put(
        base + "/roles", json={"service_id": str(world.other.id), "roles": ["senior_carer"]}
    )
    assert r.status_code == 403
    assert client.post(base + "/deactivate", json={}).status_code == 403
    assert client.post(base + "/reset-code").status_code == 403
    r = client.get(f"/api/v1/admin/users/{world.users['nominated_individual'].id}")
    assert r.status_code == 403
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert beech.active and [m.role for m in beech.memberships] == ["care_worker"]
    assert audit_actions(beech.id) == []


# -- roles -------------------------------------------------------------------------------


def roles_of(user) -> set:
    db.session.commit()  # end the read: other browsers wrote meanwhile
    return {(m.role, m.service_id) for m in db.session.get(User, user.id).memberships}


@pytest.mark.parametrize("manager", ["provider_admin", "registered_manager"])
def test_roles_are_given_and_changed_per_service(world, login, client, manager):
    carer = world.users["care_worker"]
    login(world.users[manager])
    r = client.put(
        f"/api/v1/admin/users/{carer.id}/roles",
        json={"service_id": str(world.home.id), "roles": ["senior_carer", "key_worker"]},
    )
    assert r.status_code == 200, r.get_json()
    assert roles_of(carer) == {("senior_carer", world.home.id), ("key_worker", world.home.id)}
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_id == str(carer.id), AuditEvent.action == "roles"
        )
    ).one()
    assert event.changes["roles"] == [["care_worker"], ["key_worker", "senior_carer"]]
    assert event.actor_id == world.users[manager].id


def test_the_admin_gives_provider_wide_roles_and_roles_in_any_service(world, login, client):
    carer = world.users["care_worker"]
    login(world.users["provider_admin"])
    base = f"/api/v1/admin/users/{carer.id}/roles"
    assert (
        client.put(
            base, json={"service_id": str(world.other.id), "roles": ["care_worker"]}
        ).status_code
        == 200
    )
    assert (
        client.put(base, json={"service_id": None, "roles": ["provider_quality_lead"]}).status_code
        == 200
    )
    assert roles_of(carer) == {
        ("care_worker", world.home.id),
        ("care_worker", world.other.id),
        ("provider_quality_lead", None),
    }


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"service_id": None, "roles": ["nominated_individual"]}, 403, "service_id"),
        ({"service_id": "OTHER", "roles": ["care_worker"]}, 403, "service_id"),
        ({"service_id": "HOME", "roles": ["provider_admin"]}, 422, "roles.0"),
        ({"service_id": "HOME", "roles": ["chef"]}, 422, "roles.0"),
        ({"service_id": "HOME"}, 422, "roles"),
        ({"roles": ["care_worker"]}, 422, "service_id"),
    ],
)
def test_bad_or_forbidden_role_changes_name_the_field_and_change_nothing(
    world, login, client, body, status, field
):
    ids = {"HOME": str(world.home.id), "OTHER": str(world.other.id)}
    if body.get("service_id"):
        body["service_id"] = ids[body["service_id"]]
    carer = world.users["care_worker"]
    login(world.users["registered_manager"])
    r = client.put(f"/api/v1/admin/users/{carer.id}/roles", json=body)
    assert r.status_code == status, r.get_json()
    assert list(r.get_json()["error"]["fields"]) == [field]
    assert roles_of(carer) == {("care_worker", world.home.id)}


def test_nobody_changes_their_own_roles(world, login, client):
    admin = world.users["provider_admin"]
    login(admin)
    r = client.put(f"/api/v1/admin/users/{admin.id}/roles", json={"service_id": None, "roles": []})
    assert r.status_code == 403
    assert roles_of(admin) == {("provider_admin", None)}


def test_taking_away_roles_from_an_owner_of_open_entries_is_refused(world, login, client):
    carer = world.users["senior_carer"]
    open_entry(world, carer)
    login(world.users["registered_manager"])
    r = client.put(
        f"/api/v1/admin/users/{carer.id}/roles",
        json={"service_id": str(world.home.id), "roles": []},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {
        "roles": "Would leave open entries with an owner who cannot see them."
    }
    assert roles_of(carer) == {("senior_carer", world.home.id)}


# -- leavers -----------------------------------------------------------------------------


def test_membership_rows_are_not_duplicated_when_a_role_is_kept(world, login, client):
    carer = world.users["care_worker"]
    login(world.users["provider_admin"])
    r = client.put(
        f"/api/v1/admin/users/{carer.id}/roles",
        json={"service_id": str(world.home.id), "roles": ["care_worker"]},
    )
    assert r.status_code == 200
    assert count(Membership) == len(ROLES)
    assert "roles" not in audit_actions(carer.id)


def test_people_are_found_by_words_of_their_name_or_email_on_the_server(world, login, client):
    f.make_user(
        world.provider, "care_worker", world.home, name="Jo Bloggs", email="jo.b@example.test"
    )
    f.make_user(
        world.provider, "care_worker", world.home, name="Joanne Smith", email="j.smith@example.test"
    )
    f.make_user(world.provider, "care_worker", world.other, name="Ann 100%_Bloggs")
    db.session.commit()
    login(world.users["registered_manager"])

    def found(q):
        r = client.get("/api/v1/admin/users", query_string={"q": q, "per_page": 1})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    body = found("jo")
    assert body["total"] == 2 and body["has_more"] is True
    assert [u["display_name"] for u in body["items"]] == ["Jo Bloggs"]
    assert found("BLOGGS jo")["total"] == 1  # every word, any case; Beech Court is not hers
    assert found("smith@")["items"][0]["display_name"] == "Joanne Smith"
    assert found("%")["total"] == 0  # a wildcard is a plain character
    assert client.get("/api/v1/admin/users?q=" + "x" * 121).status_code == 422
