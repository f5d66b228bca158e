"""Two-step sign-in: TOTP codes computed with pyotp on the test's side too, recovery codes,
and a provider setting that requires it for desk and admin roles."""

import re
from datetime import timedelta

import pyotp
import pytest

from server.accounts.permissions import FLOOR, ROLES
from server.accounts.session_models import RecoveryCode, SecondFactor
from server.audit.models import AuditEvent
from server.common.types import clock_at, utcnow
from server.extensions import db
from tests.support import sessions as helpers
from tests.support.people import PASSWORD
from tests.support.sessions import enrol

pytestmark = pytest.mark.db

browser = helpers.browser


def fresh(statement):
    """Read what the requests (other app contexts) committed."""
    db.session.rollback()
    return db.session.scalars(statement).all()


def password_step(b, user):
    return b.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})


def _require(world):
    world.provider.settings = {"second_factor_required": True}
    db.session.commit()


def test_enrolment_then_sign_in_takes_a_code(world, browser):
    manager = world.users["registered_manager"]
    secret, codes = enrol(browser(manager))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{5}(-[0-9a-f]{5}){3}", c) for c in codes)
    # Only hashes are kept.
    stored = fresh(db.select(RecoveryCode.code_hash))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert "second_factor_enrolled" in fresh(
        db.select(AuditEvent.action).where(AuditEvent.entity_id == str(manager.id))
    )

    b = browser()
    r = password_step(b, manager)
    assert r.status_code == 200
    assert r.get_json() == {
        "second_factor_required": True,
        "csrf_token": r.get_json()["csrf_token"],
    }
    b.csrf_token = r.get_json()["csrf_token"]
    # Half signed in: nothing answers yet.
    assert b.get("/api/v1/me").status_code == 401
    assert b.get("/api/v1/entries").status_code == 401
    # The code goes with the clock: a step after the one used at enrolment.
    with clock_at(utcnow() + timedelta(seconds=30)):
        code = pyotp.TOTP(secret).at(utcnow())
        r = b.post("/api/v1/auth/second-factor", json={"code": code})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["email"] == manager.email
        b.csrf_token = r.get_json()["csrf_token"]
        assert b.get("/api/v1/me").status_code == 200


def test_a_wrong_code_is_refused_and_five_end_the_attempt(world, browser):
    carer = world.users["care_worker"]
    secret, _ = enrol(browser(carer))
    b = browser()
    b.csrf_token = password_step(b, carer).get_json()["csrf_token"]
    right = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=60))
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        r = b.post("/api/v1/auth/second-factor", json={"code": wrong})
        assert r.status_code == 422
        assert r.get_json()["error"]["fields"] == {"code": "Not the current code."}
    r = b.post("/api/v1/auth/second-factor", json={"code": wrong})
    assert r.status_code == 401
    assert r.get_json()["error"]["message"] == "Too many wrong codes. Please log in again."
    # Even the right code is no use now: the password step must come again.
    with clock_at(utcnow() + timedelta(seconds=60)):
        r = b.post("/api/v1/auth/second-factor", json={"code": right})
    assert r.status_code == 401


def test_the_same_code_never_works_twice(world, browser):
    carer = world.users["care_worker"]
    secret, _ = enrol(browser(carer))
    later = utcnow() + timedelta(seconds=30)
    with clock_at(later):
        code = pyotp.TOTP(secret).at(later)
        first, second = browser(), browser()
        for b in (first, second):
            b.csrf_token = password_step(b, carer).get_json()["csrf_token"]
        assert first.post("/api/v1/auth/second-factor", json={"code": code}).status_code == 200
        assert second.post("/api/v1/auth/second-factor", json={"code": code}).status_code == 422


def test_a_recovery_code_works_once(world, browser):
    manager = world.users["registered_manager"]
    _, codes = enrol(browser(manager))
    b = browser()
    b.csrf_token = password_step(b, manager).get_json()["csrf_token"]
    r = b.post("/api/v1/auth/second-factor", json={"recovery_code": codes[3].upper()})
    assert r.status_code == 200, r.get_json()
    b.csrf_token = r.get_json()["csrf_token"]
    assert b.get("/api/v1/me/second-factor").get_json() == {
        "enrolled": True,
        "required": False,
        "recovery_codes_left": 9,
    }
    again = browser()
    again.csrf_token = password_step(again, manager).get_json()["csrf_token"]
    r = again.post("/api/v1/auth/second-factor", json={"recovery_code": codes[3]})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {
        "recovery_code": "Not a recovery code of yours, or already used."
    }
    assert len(fresh(db.select(RecoveryCode.id).where(RecoveryCode.used_at.is_not(None)))) == 1


@pytest.mark.parametrize("role", ROLES)
def test_a_required_second_factor_applies_to_desk_and_admin_roles_only(world, browser, role):
    _require(world)
    user = world.users[role]
    b = browser(user)
    me = b.get("/api/v1/me").get_json()
    required = role not in FLOOR
    assert me["second_factor_enrolment_required"] is required
    r = b.get("/api/v1/services")
    if not required:
        assert r.status_code == 200
        return
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "second_factor_enrolment_required"
    assert b.get("/api/v1/me/second-factor").get_json() == {
        "enrolled": False,
        "required": True,
        "recovery_codes_left": 0,
    }
    enrol(b)
    assert b.get("/api/v1/services").status_code == 200
    # Next time, the sign-in takes a code.
    assert password_step(browser(), user).get_json()["second_factor_required"] is True


def test_a_floor_worker_may_enrol_and_then_gives_a_code(world, browser):
    carer = world.users["senior_carer"]
    b = browser(carer)
    assert b.get("/api/v1/me/second-factor").get_json()["required"] is False
    enrol(b)
    assert password_step(browser(), carer).get_json()["second_factor_required"] is True


def test_a_confirmed_second_factor_cannot_be_replaced_without_the_old_one(world, browser):
    b = browser(world.users["registered_manager"])
    enrol(b)
    r = b.post("/api/v1/me/second-factor/setup")
    assert r.status_code == 422
    assert r.get_json()["error"]["message"] == "Two-step sign-in is already on for your account."
    assert len(fresh(db.select(SecondFactor.user_id))) == 1


def test_a_wrong_first_code_does_not_turn_it_on(world, browser):
    b = browser(world.users["registered_manager"])
    b.post("/api/v1/me/second-factor/setup")
    r = b.post("/api/v1/me/second-factor/confirm", json={"code": "12345"})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"code": "Not the current code."}
    assert b.get("/api/v1/me/second-factor").get_json()["enrolled"] is False
    assert (
        password_step(browser(), world.users["registered_manager"])
        .get_json()
        .get("second_factor_required")
        is None
    )


def test_a_floor_worker_may_turn_it_off_again_with_a_code(world, browser):
    carer = world.users["care_worker"]
    b = browser(carer)
    secret, _ = enrol(b)
    later = utcnow() + timedelta(seconds=30)
    with clock_at(later):
        r = b.post("/api/v1/me/second-factor/turn-off", json={"code": pyotp.TOTP(secret).at(later)})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"enrolled": False, "required": False, "recovery_codes_left": 0}
    assert password_step(browser(), carer).get_json()["email"] == carer.email


def test_where_it_is_required_it_cannot_be_turned_off(world, browser):
    _require(world)
    b = browser(world.users["registered_manager"])
    secret, _ = enrol(b)
    later = utcnow() + timedelta(seconds=30)
    with clock_at(later):
        r = b.post("/api/v1/me/second-factor/turn-off", json={"code": pyotp.TOTP(secret).at(later)})
    assert r.status_code == 422
    assert r.get_json()["error"]["message"] == (
        "Your provider requires two-step sign-in for your role: it stays on."
    )


def test_a_manager_resets_a_lost_second_factor_and_its_sessions_end(world, browser):
    carer = world.users["senior_carer"]
    holder = browser(carer)
    enrol(holder)
    r = browser(world.users["care_worker"]).post(
        f"/api/v1/admin/users/{carer.id}/second-factor/reset"
    )
    assert r.status_code == 403
    r = browser(world.users["registered_manager"]).post(
        f"/api/v1/admin/users/{carer.id}/second-factor/reset"
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["enrolled"] is False
    assert holder.get("/api/v1/me").status_code == 401
    assert password_step(browser(), carer).get_json()["email"] == carer.email
    assert "second_factor_reset" in fresh(
        db.select(AuditEvent.action).where(AuditEvent.entity_id == str(carer.id))
    )


def test_a_subject_access_export_shows_sessions_and_second_factor_but_no_secret(world, browser):
    from server.ops.subject_access import export_user

    carer = world.users["care_worker"]
    secret, codes = enrol(browser(carer))
    db.session.rollback()
    data = export_user(carer)
    assert [s["kind"] for s in data["sessions"]] == ["device_sync", "device_sync"]
    assert data["second_factor"][0]["confirmed_at"] is not None
    assert len(data["recovery_codes"]) == 10
    text = str(data)
    assert secret not in text and not any(c in text for c in codes)
    assert "secret" not in data["second_factor"][0]
