"""An email is unique per provider (issue 13, point 4 and finding 7): one provider's admin
can neither learn nor take an address another provider's person has, and a person with
accounts at two providers signs in to the one they choose."""

import json
import uuid
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy.exc import IntegrityError

from seed import factories as f
from server.accounts import services as accounts
from server.accounts.models import LoginFailure, User
from server.admin.services import EMAIL_TAKEN
from server.audit.models import AuditEvent
from server.common.types import clock_at, utcnow
from server.extensions import db
from tests.support import sessions as helpers
from tests.support.admin import count, new_staff
from tests.support.people import PASSWORD
from tests.support.sessions import enrol

pytestmark = pytest.mark.db

browser = helpers.browser
OTHER_PASSWORD = "another long phrase"


def sign_in(client, email, password, provider_id=None):
    body = {"email": email, "password": password}
    if provider_id is not None:
        body["provider_id"] = str(provider_id)
    return client.post("/api/v1/auth/login", json=body)


def snapshot(user: User) -> tuple:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    return (
        fresh.provider_id,
        fresh.email,
        fresh.display_name,
        fresh.password_hash,
        fresh.active,
        fresh.session_epoch,
        sorted((m.role, str(m.service_id)) for m in fresh.memberships),
    )


def twin(world, password=PASSWORD) -> tuple[User, User]:
    """The same address at both providers: Brightwater's care worker and a rival's."""
    ours = world.users["care_worker"]
    theirs = f.make_user(
        world.rival, "registered_manager", world.rival_service, email=ours.email, password=password
    )
    db.session.commit()
    return ours, theirs


# ---- an admin never learns or takes another provider's address ----------------------------


def test_an_address_another_provider_holds_is_created_like_any_new_one(world, login, client):
    theirs = f.make_user(
        world.rival, "care_worker", world.rival_service, email="sam.carer@example.test"
    )
    db.session.commit()
    before = snapshot(theirs)
    rival_events = count(AuditEvent)
    login(world.users["provider_admin"])

    held = client.post("/api/v1/admin/users", json=new_staff(world, email="Sam.Carer@example.test"))
    fresh = client.post(
        "/api/v1/admin/users",
        json=new_staff(world, email="nobody.has.this@example.test", display_name="Someone New"),
    )

    assert held.status_code == 201, held.get_json()
    assert fresh.status_code == 201, fresh.get_json()
    assert held.get_json().keys() == fresh.get_json().keys()
    assert held.get_json()["email"] == "sam.carer@example.test"
    ours = db.session.get(User, uuid.UUID(held.get_json()["id"]))
    assert ours.provider_id == world.provider.id and ours.id != theirs.id
    # The rival's person is untouched, and nothing was recorded against them.
    assert snapshot(theirs) == before
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_id == str(theirs.id))
        )
        == 0
    )
    assert count(AuditEvent) > rival_events


def test_an_address_taken_in_ones_own_provider_is_refused_by_name_and_names_no_provider(
    world, login, client
):
    f.make_user(
        world.rival, "care_worker", world.rival_service, email=world.users["care_worker"].email
    )
    db.session.commit()
    login(world.users["provider_admin"])
    users, events = count(User), count(AuditEvent)
    r = client.post(
        "/api/v1/admin/users", json=new_staff(world, email=world.users["care_worker"].email.upper())
    )
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["message"] == EMAIL_TAKEN
    assert error["fields"] == {"email": "Already used by another account."}
    text = str(r.get_json()).lower()
    assert "elsewhere" not in text and "brightwater" not in text and "provider" not in text
    assert (count(User), count(AuditEvent)) == (users, events)


def test_the_database_holds_an_address_once_per_provider(world):
    ours = world.users["care_worker"]
    f.make_user(world.rival, "care_worker", world.rival_service, email=ours.email)
    db.session.commit()
    with pytest.raises(IntegrityError):
        f.make_user(world.provider, "care_worker", world.home, email=ours.email)
    db.session.rollback()


# ---- signing in with an address two providers hold -----------------------------------------


def test_each_person_signs_in_to_their_own_provider_with_their_own_password(world, browser):
    ours, theirs = twin(world, password=OTHER_PASSWORD)
    mine = sign_in(browser(), ours.email, PASSWORD)
    assert mine.status_code == 200, mine.get_json()
    assert (mine.get_json()["id"], mine.get_json()["provider_id"]) == (
        str(ours.id),
        str(world.provider.id),
    )
    rivals = sign_in(browser(), theirs.email, OTHER_PASSWORD)
    assert rivals.status_code == 200, rivals.get_json()
    assert (rivals.get_json()["id"], rivals.get_json()["provider_id"]) == (
        str(theirs.id),
        str(world.rival.id),
    )
    wrong = sign_in(browser(), ours.email, "neither of their passwords")
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["message"] == accounts.BAD_LOGIN


def test_one_password_for_both_asks_which_provider_and_signs_in_to_none(world, browser):
    ours, theirs = twin(world)
    b = browser()
    r = sign_in(b, ours.email, PASSWORD)
    assert r.status_code == 200
    assert r.get_json() == {
        "choose_provider": sorted(
            [
                {"id": str(world.provider.id), "name": "Brightwater Care"},
                {"id": str(world.rival.id), "name": "Elsewhere Care Ltd"},
            ],
            key=lambda p: p["name"],
        )
    }
    assert b.get("/api/v1/me").status_code == 401

    r = sign_in(b, ours.email, PASSWORD, provider_id=world.rival.id)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["id"] == str(theirs.id)
    b.csrf_token = r.get_json()["csrf_token"]
    assert b.get("/api/v1/me").get_json()["id"] == str(theirs.id)

    other = browser()
    r = sign_in(other, ours.email, PASSWORD, provider_id=world.provider.id)
    assert r.get_json()["id"] == str(ours.id)


def test_choosing_a_provider_does_not_let_the_password_of_another_in(world, browser):
    stranger = f.make_provider("Nobody's Care")
    ours, _theirs = twin(world, password=OTHER_PASSWORD)
    r = sign_in(browser(), ours.email, OTHER_PASSWORD, provider_id=world.provider.id)
    assert r.status_code == 401
    assert r.get_json()["error"]["message"] == accounts.BAD_LOGIN
    r = sign_in(browser(), ours.email, PASSWORD, provider_id=stranger.id)
    assert r.status_code == 401
    assert r.get_json()["error"]["message"] == accounts.BAD_LOGIN


def test_a_deactivated_twin_is_not_offered(world, browser):
    ours, theirs = twin(world)
    theirs.active = False
    db.session.commit()
    r = sign_in(browser(), ours.email, PASSWORD)
    assert r.status_code == 200
    assert r.get_json()["id"] == str(ours.id)


def test_each_account_is_checked_once_and_an_unknown_address_once(world, monkeypatch):
    ours, theirs = twin(world, password=OTHER_PASSWORD)
    checked = []
    real = accounts.check_password_hash
    monkeypatch.setattr(
        accounts,
        "check_password_hash",
        lambda stored, password: checked.append(stored) or real(stored, password),
    )
    assert accounts.authenticate(ours.email, OTHER_PASSWORD) == [theirs]
    assert sorted(checked) == sorted([ours.password_hash, theirs.password_hash])
    checked.clear()
    with pytest.raises(accounts.Unauthenticated):
        accounts.authenticate("nobody.at.all@example.test", PASSWORD)
    assert len(checked) == 1


def test_failures_are_counted_once_for_the_address_across_providers(world, browser):
    ours, _theirs = twin(world)
    assert sign_in(browser(), ours.email, "wrong guess here").status_code == 401
    db.session.rollback()
    assert db.session.get(LoginFailure, ours.email).count == 1


def test_two_step_sign_in_works_with_the_chosen_account(world, browser):
    ours, theirs = twin(world)
    b = browser()
    r = sign_in(b, theirs.email, PASSWORD, provider_id=world.rival.id)
    b.csrf_token = r.get_json()["csrf_token"]
    secret, _codes = enrol(b)

    b = browser()
    r = sign_in(b, theirs.email, PASSWORD, provider_id=world.rival.id)
    assert r.get_json() == {
        "second_factor_required": True,
        "csrf_token": r.get_json()["csrf_token"],
    }
    b.csrf_token = r.get_json()["csrf_token"]
    with clock_at(utcnow() + timedelta(seconds=30)):
        r = b.post("/api/v1/auth/second-factor", json={"code": pyotp.TOTP(secret).at(utcnow())})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["id"] == str(theirs.id)
    # The Brightwater account has no second factor: it signs straight in.
    r = sign_in(browser(), ours.email, PASSWORD, provider_id=world.provider.id)
    assert r.get_json()["id"] == str(ours.id)
    assert "second_factor_required" not in r.get_json()


# ---- the operator's subject access export ------------------------------------------------


def test_subject_access_asks_the_operator_which_provider(app, world, tmp_path):
    ours, theirs = twin(world)
    outfile = tmp_path / "export.json"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["subject-access", ours.email, str(outfile)])
    assert result.exit_code == 1
    assert f"Accounts at 2 providers have the email address {ours.email}" in result.output
    assert f"{world.rival.id} (Elsewhere Care Ltd)" in result.output
    assert f"{world.provider.id} (Brightwater Care)" in result.output
    assert not outfile.exists()

    result = runner.invoke(
        args=["subject-access", ours.email, str(outfile), "--provider", str(world.rival.id)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(outfile.read_text())
    assert data["account"]["id"] == str(theirs.id)
    assert data["provider"]["name"] == "Elsewhere Care Ltd"


def test_subject_access_at_a_provider_without_the_address_is_refused(app, world, tmp_path):
    ours = world.users["care_worker"]
    result = app.test_cli_runner().invoke(
        args=[
            "subject-access",
            ours.email,
            str(tmp_path / "x.json"),
            "--provider",
            str(world.rival.id),
        ]
    )
    assert result.exit_code == 1
    assert f"No account has the email address {ours.email} at that provider." in result.output
