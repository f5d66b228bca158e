"""People administration over HTTP: accounts, roles per service, leavers, passwords."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from seed import factories as f
from server.accounts.models import Membership, User
from server.accounts.permissions import ROLES
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common import dates
from server.common.types import clock_at
from server.extensions import db
from server.log import services as log
from server.log.models import LogEntry
from server.syncing.models import Device

pytestmark = pytest.mark.db

PASSWORD = "correct horse battery"  # the factories' default
NEW_PASSWORD = "a new long passphrase"
GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"


@pytest.fixture
def other_client(app, client):
    """A separate browser, logged in as ``user``.

    Each of its requests runs in its own app context, as on a real server: the test's
    app context is otherwise shared by requests, and flask-login and flask-wtf cache the
    user and the CSRF token in its ``g``, which would hide whether a session still works.
    """

    class Browser(type(client)):
        def open(self, *args, **kwargs):
            with self.application.app_context():
                return super().open(*args, **kwargs)

    def _login(user, password=PASSWORD):
        c = Browser(app, app.response_class, use_cookies=True)
        r = c.post("/api/v1/auth/login", json={"email": user.email, "password": password})
        assert r.status_code == 200, r.get_json()
        c.csrf_token = r.get_json()["csrf_token"]
        return c

    return _login


def count(model) -> int:
    db.session.commit()  # end the read: other browsers wrote meanwhile
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def audit_actions(entity_id) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


def new_staff(world, **fields) -> dict:
    data = {
        "email": "Jo.Bloggs@Example.test",
        "display_name": "Jo Bloggs",
        "roles": [{"role": "care_worker", "service_id": str(world.home.id)}],
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not ...}


def open_entry(world, owner, status="open") -> LogEntry:
    """Make an entry owned by ``owner`` in the home service, as its registered manager."""
    actor = Actor(world.users["registered_manager"])
    entry = log.create_draft(
        actor,
        world.home,
        concern="Fluid charts are not completed after lunch",
        source="audit",
        decision=GOOD,
        owner_id=owner.id,
        due_date=dates.london_today() + timedelta(days=7),
        evidence_needed="Weekly MAR audit results",
    )
    if status != "draft":
        log.transition(actor, entry, "open")
    if status == "closed":
        entry.status = "closed"  # set up directly: the closing rules are tested elsewhere
    db.session.commit()
    return entry


# -- creating people ---------------------------------------------------------------------


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


def register_tablet(c, installation="tablet-0001") -> str:
    r = c.post(
        "/api/v1/sync/devices",
        json={"installation_id": installation, "label": "Lounge tablet", "protocol_version": 1},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


@pytest.mark.parametrize("manager", ["provider_admin", "registered_manager"])
def test_a_leaver_is_deactivated_and_their_open_entries_handed_over(
    world, login, client, other_client, manager
):
    leaver, heir = world.users["senior_carer"], world.users["care_coordinator"]
    entries = [open_entry(world, leaver, s) for s in ("open", "draft", "closed")]
    leaver_client = other_client(leaver)
    device = register_tablet(leaver_client)
    assert leaver_client.get("/api/v1/me").status_code == 200

    login(world.users[manager])
    r = client.post(
        f"/api/v1/admin/users/{leaver.id}/deactivate", json={"reassign_to": str(heir.id)}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["active"] is False and body["reassigned_to"] == str(heir.id)
    assert body["reassigned_entry_ids"] == [str(entries[0].id), str(entries[1].id)]
    assert body["revoked_device_ids"] == [device]

    db.session.commit()  # end the read: other browsers wrote meanwhile
    owners = [db.session.get(LogEntry, e.id).owner_id for e in entries]
    assert owners == [heir.id, heir.id, leaver.id]  # a closed entry keeps its history
    # A manager who runs the log reassigns as any owner change; the provider admin, who
    # manages people but not the log, hands over with the leaving recorded as the reason.
    action, extra = ("update", {}) if manager == "registered_manager" else (
        "hand_over", {"reason": [None, "The previous owner left the service."]})
    for entry in entries[:2]:
        event = db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.entity_id == str(entry.id), AuditEvent.action == action
            )
        ).one()
        assert event.changes == {"owner_id": [str(leaver.id), str(heir.id)], **extra}
        assert event.actor_id == world.users[manager].id
    assert db.session.get(Device, uuid.UUID(device)).revoked_by == world.users[manager].id
    assert audit_actions(leaver.id)[-1] == "deactivate"

    # Their session ends at once, their tablet is refused, and they cannot log in again.
    assert leaver_client.get("/api/v1/me").status_code == 401
    r = client.post("/api/v1/auth/logout")
    r = client.post("/api/v1/auth/login", json={"email": leaver.email, "password": PASSWORD})
    assert r.status_code == 401


def test_a_leaver_without_open_entries_needs_no_heir(world, login, client):
    leaver = world.users["care_worker"]
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{leaver.id}/deactivate", json={})
    assert r.status_code == 200 and r.get_json()["reassigned_entry_ids"] == []
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(User, leaver.id).active is False


@pytest.mark.parametrize(
    "heir, message",
    [
        (None, "Choose an active member of staff to take over their open entries."),
        ("leaver", "Choose an active member of staff other than the leaver."),
        ("unknown", "Choose an active member of staff other than the leaver."),
        ("inactive", "Choose an active member of staff other than the leaver."),
        ("rival", "Choose an active member of staff other than the leaver."),
        ("beech", "Choose someone who works in Ashdown House."),
        ("admin", "Choose someone who works in Ashdown House."),
    ],
)
def test_a_missing_or_unsuitable_heir_is_refused_and_nothing_changes(
    world, login, client, other_client, heir, message
):
    leaver = world.users["senior_carer"]
    entry = open_entry(world, leaver)
    candidates = {
        None: None,
        "leaver": leaver.id,
        "unknown": uuid.uuid4(),
        "inactive": f.make_user(world.provider, "care_worker", world.home).id,
        "rival": f.make_user(world.rival, "care_worker", world.rival_service).id,
        "beech": f.make_user(world.provider, "care_worker", world.other).id,
        "admin": world.users["provider_admin"].id,
    }
    db.session.get(User, candidates["inactive"]).active = False
    db.session.commit()
    leaver_client = other_client(leaver)
    device = register_tablet(leaver_client)
    events = count(AuditEvent)
    login(world.users["provider_admin"])
    r = client.post(
        f"/api/v1/admin/users/{leaver.id}/deactivate",
        json={"reassign_to": candidates[heir] and str(candidates[heir])},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"reassign_to": message}
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(LogEntry, entry.id).owner_id == leaver.id
    assert db.session.get(User, leaver.id).active is True
    assert db.session.get(Device, uuid.UUID(device)).revoked_at is None
    assert count(AuditEvent) == events
    assert leaver_client.get("/api/v1/me").status_code == 200


def test_nobody_deactivates_themselves(world, login, client):
    admin = world.users["provider_admin"]
    login(admin)
    assert client.post(f"/api/v1/admin/users/{admin.id}/deactivate", json={}).status_code == 403
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(User, admin.id).active


def test_a_registered_manager_cannot_deactivate_someone_who_also_works_elsewhere(
    world, login, client
):
    both = f.make_user(
        world.provider, "care_worker", world.home, extra_roles=[("care_worker", world.other)]
    )
    db.session.commit()
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{both.id}/deactivate", json={})
    assert r.status_code == 403
    db.session.commit()  # end the read: other browsers wrote meanwhile
    assert db.session.get(User, both.id).active


# -- passwords ---------------------------------------------------------------------------


def reset_code(client, login, world, user) -> str:
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{user.id}/reset-code")
    assert r.status_code == 200, r.get_json()
    client.post("/api/v1/auth/logout")
    return r.get_json()["token"]


def test_a_reset_code_works_once_and_ends_old_sessions(world, login, client, other_client):
    carer = world.users["care_worker"]
    old_session = other_client(carer)
    token = reset_code(client, login, world, carer)
    assert "reset_code_issued" in audit_actions(carer.id)
    assert token not in str(db.session.scalars(db.select(AuditEvent.changes)).all())
    r = client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 200 and r.get_json() == {"password_reset": True}
    assert old_session.get("/api/v1/me").status_code == 401
    login(carer, NEW_PASSWORD)
    client.post("/api/v1/auth/logout")
    again = client.post("/api/v1/auth/reset", json={"token": token, "new_password": "another one"})
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {"token": "Already used or no longer valid."}


def test_a_reset_code_expires_after_a_day(world, login, client):
    carer = world.users["care_worker"]
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with clock_at(start):
        token = reset_code(client, login, world, carer)
    with clock_at(start + timedelta(hours=24, seconds=1)):
        r = client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"token": "Expired."}
    login(carer)  # the old password still works


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"token": "nonsense", "new_password": NEW_PASSWORD}, "token", "Not a valid code."),
        (
            {"token": "TOKEN", "new_password": "short"},
            "new_password",
            "Use at least 10 characters.",
        ),
        (
            {"token": "TOKEN", "new_password": "EMAIL"},
            "new_password",
            "Choose something other than your email address.",
        ),
        ({"token": "TOKEN"}, "new_password", "Missing data for required field."),
    ],
)
def test_bad_reset_input_names_the_field_and_keeps_the_password(
    world, login, client, body, field, message
):
    carer = world.users["care_worker"]
    token = reset_code(client, login, world, carer)
    body = {k: {"TOKEN": token, "EMAIL": carer.email}.get(v, v) for k, v in body.items()}
    r = client.post("/api/v1/auth/reset", json=body)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {field: message}
    login(carer)


def test_people_change_their_own_password_and_stay_logged_in(world, login, other_client):
    carer = world.users["key_worker"]
    elsewhere, here = other_client(carer), other_client(carer)
    r = here.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 200, r.get_json()
    assert here.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert here.post("/api/v1/auth/logout").status_code == 200  # a write: CSRF still good
    assert here.get("/api/v1/me").status_code == 401
    login(carer, NEW_PASSWORD)
    assert audit_actions(carer.id) == ["password_change"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"current_password": "wrong password", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "too short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
    ],
)
def test_a_bad_password_change_names_the_field_and_keeps_the_old_one(
    world, login, client, body, field
):
    carer = world.users["key_worker"]
    login(carer)
    r = client.post("/api/v1/me/password", json=body)
    assert r.status_code == 422
    assert list(r.get_json()["error"]["fields"]) == [field]
    assert client.get("/api/v1/me").status_code == 200
    client.post("/api/v1/auth/logout")
    login(carer)
    assert audit_actions(carer.id) == []


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
