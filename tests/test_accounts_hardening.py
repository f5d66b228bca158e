"""Accounts (issue 13, point 4): sign-in tells nothing by its work, throttles per account
and per client address with Retry-After, refuses common passwords, and a manager cannot
take over a person they do not manage everywhere, nor learn or take an email another
provider holds."""

import pytest

from seed import factories as f
from server import trust_proxies
from server.accounts import services as accounts
from server.accounts.models import LoginFailure, Membership, User
from server.admin.services import EMAIL_TAKEN
from server.audit.models import AuditEvent
from server.extensions import db
from tests.support.admin import NEW_PASSWORD, audit_actions, count, new_staff
from tests.support.people import PASSWORD

pytestmark = pytest.mark.db


@pytest.fixture
def hashes(monkeypatch):
    """Record the stored hash of every password check sign-in makes."""
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return checked


def sign_in(client, email, password, address="127.0.0.1", headers=None):
    return client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


# ---- the same work for unknown and known emails --------------------------------------------


def test_an_unknown_email_costs_one_password_hash_like_a_known_one(world, client, app, hashes):
    method = app.config["PASSWORD_HASH_METHOD"]
    known = sign_in(client, world.users["care_worker"].email, "not the password")
    unknown = sign_in(client, "nobody.here@example.test", "not the password")
    assert known.status_code == unknown.status_code == 401
    assert known.get_json() == unknown.get_json()
    assert len(hashes) == 2
    assert all(stored.startswith(method + "$") for stored in hashes)


def test_a_deactivated_account_costs_one_password_hash_too(world, client, hashes):
    leaver = world.users["care_worker"]
    leaver.active = False
    db.session.commit()
    r = sign_in(client, leaver.email, PASSWORD)
    assert r.status_code == 401
    assert r.get_json()["error"]["message"] == accounts.BAD_LOGIN
    assert hashes == [leaver.password_hash]


# ---- throttling: per account and per address, with Retry-After ------------------------------


def test_a_locked_account_answers_429_with_retry_after_in_seconds(world, client, app):
    carer = world.users["senior_carer"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, carer.email, "wrong").status_code == 401
    r = sign_in(client, carer.email, PASSWORD, address="10.9.9.9")
    assert r.status_code == 429
    wait = int(r.headers["Retry-After"])
    assert 290 <= wait <= app.config["LOGIN_LOCK_SECONDS"]
    assert r.get_json()["error"]["retry_after"] == wait
    assert r.get_json()["error"]["message"] == "Too many failed attempts. Try again in 5 minutes."


def test_failures_from_one_address_over_many_accounts_lock_that_address(world, client, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for role in ("care_worker", "key_worker", "duty_manager"):
        assert sign_in(client, world.users[role].email, "guess", "192.0.2.7").status_code == 401
    manager = world.users["registered_manager"]
    r = sign_in(client, manager.email, PASSWORD, "192.0.2.7")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # Another address, and the accounts themselves, are not locked.
    assert sign_in(client, manager.email, PASSWORD, "192.0.2.8").status_code == 200
    db.session.expire_all()
    address = db.session.get(LoginFailure, "address 192.0.2.7")
    assert address.count == 3 and address.locked_until is not None


def test_a_right_password_does_not_clear_its_address_count(world, client, app):
    sign_in(client, world.users["care_worker"].email, "guess", "192.0.2.9")
    assert (
        sign_in(client, world.users["key_worker"].email, PASSWORD, "192.0.2.9").status_code == 200
    )
    db.session.expire_all()
    assert db.session.get(LoginFailure, "address 192.0.2.9").count == 1


@pytest.mark.parametrize(
    ("proxies", "counted"),
    [
        (0, "address 127.0.0.1"),
        (1, "address 203.0.113.5"),
    ],
)
def test_the_client_address_comes_from_a_trusted_proxy_only(world, client, app, proxies, counted):
    app.config["TRUSTED_PROXIES"] = proxies
    trust_proxies(app)
    r = sign_in(
        client,
        world.users["care_worker"].email,
        "guess",
        headers={"X-Forwarded-For": "203.0.113.5"},
    )
    assert r.status_code == 401
    db.session.expire_all()
    keys = set(db.session.scalars(db.select(LoginFailure.key)))
    assert keys == {world.users["care_worker"].email, counted}


# ---- passwords -----------------------------------------------------------------------------


def _reset_code(client, login, world, user) -> str:
    login(world.users["registered_manager"])
    r = client.post(f"/api/v1/admin/users/{user.id}/reset-code")
    assert r.status_code == 200, r.get_json()
    client.post("/api/v1/auth/logout")
    return r.get_json()["token"]


@pytest.mark.parametrize("password", ["password12", "Password1234", "qwertyuiop"])
def test_a_common_password_is_refused_naming_the_field(world, login, client, password):
    carer = world.users["care_worker"]
    token = _reset_code(client, login, world, carer)
    r = client.post("/api/v1/auth/reset", json={"token": token, "new_password": password})
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["fields"] == {"new_password": "Too common: choose a less common password."}
    assert error["message"].startswith("This password is one of the most common passwords")
    login(carer)  # the old password still works
    r = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": password}
    )
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == error["fields"]


def test_an_uncommon_password_of_ten_characters_is_still_accepted(world, login, client):
    token = _reset_code(client, login, world, world.users["care_worker"])
    r = client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert r.status_code == 200, r.get_json()


# ---- reset codes and emails across services and providers ---------------------------------


def test_a_reset_code_needs_a_manager_of_every_service_the_person_works_in(world, login, client):
    person = f.make_user(world.provider, "care_worker", world.home)
    person.memberships.append(Membership(role="registered_manager", service_id=world.other.id))
    db.session.commit()
    login(world.users["registered_manager"])  # manages Ashdown House only
    r = client.post(f"/api/v1/admin/users/{person.id}/reset-code")
    assert r.status_code == 403
    assert r.get_json()["error"]["message"] == (
        "This person does not work only in services you manage. Ask the provider admin."
    )
    assert "reset_code_issued" not in audit_actions(person.id)
    client.post("/api/v1/auth/logout")
    login(world.users["provider_admin"])
    assert client.post(f"/api/v1/admin/users/{person.id}/reset-code").status_code == 200


def test_an_email_another_provider_holds_is_no_answer_at_all(world, login, client):
    # Emails are unique per provider (tests/test_emails_per_provider.py): an address held
    # elsewhere is created as any new one; only one's own provider's refuses, by name.
    elsewhere = f.make_user(world.rival, "care_worker", world.rival_service)
    db.session.commit()
    login(world.users["provider_admin"])
    held = client.post("/api/v1/admin/users", json=new_staff(world, email=elsewhere.email))
    assert held.status_code == 201, held.get_json()
    users, events = count(User), count(AuditEvent)
    own = client.post(
        "/api/v1/admin/users", json=new_staff(world, email=world.users["care_worker"].email)
    )
    assert own.status_code == 422
    assert own.get_json()["error"]["message"] == EMAIL_TAKEN
    assert "provider" not in str(own.get_json()).lower()
    assert (count(User), count(AuditEvent)) == (users, events)
