"""Sessions that end: logout, a revoked tablet, idle timeout and lifetime, on every node."""

from datetime import timedelta

import pytest

from server.accounts.session_models import UserSession
from server.common.types import clock_at, utcnow
from server.extensions import db
from tests.support import sessions as helpers
from tests.support.sessions import copy_of, pull, register

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: this one comes from tests/support/sessions.py.
browser = helpers.browser


def _sessions(user) -> list[UserSession]:
    """The user's sign-ins (a tablet's device credential is tests/test_device_credential.py's)."""
    db.session.rollback()  # a fresh read: the requests ran in other app contexts
    return db.session.scalars(
        db.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.kind != "device_credential")
        .order_by(UserSession.created_at)
    ).all()


def test_a_cookie_copied_before_logout_is_refused_after_it(world, app, browser):
    manager = world.users["registered_manager"]
    desk = browser(manager)
    copied = copy_of(desk, app)
    assert copied.get("/api/v1/me").get_json()["email"] == manager.email
    r = desk.post("/api/v1/auth/logout")
    assert r.status_code == 200 and r.get_json() == {"logged_out": True}
    r = copied.get("/api/v1/me")
    assert r.status_code == 401
    assert r.get_json()["error"] == {
        "code": "unauthenticated",
        "message": "Please log in.",
        "fields": {},
    }
    assert copied.get("/api/v1/entries").status_code == 401
    [record] = _sessions(manager)
    assert record.ended_reason == "logout" and record.ended_at is not None


def test_logout_ends_only_that_session(world, browser):
    carer = world.users["care_worker"]
    tablet, phone = browser(carer), browser(carer)
    tablet.post("/api/v1/auth/logout")
    assert tablet.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 200


def test_revoking_a_tablet_ends_its_session_at_once(world, app, browser):
    carer, manager = world.users["care_worker"], world.users["registered_manager"]
    tablet = browser(carer)
    device_id = register(tablet, "lost-tablet")
    assert pull(tablet, device_id).status_code == 200
    elsewhere = browser(carer)  # the carer's own phone, never synced through the tablet
    r = browser(manager).post(f"/api/v1/admin/devices/{device_id}/revoke")
    assert r.status_code == 200, r.get_json()
    # The thief holding the tablet can neither pull, nor register a new installation, nor
    # ask who they are.
    assert pull(tablet, device_id).status_code == 401
    r = tablet.post(
        "/api/v1/sync/devices",
        json={"installation_id": "fresh-install", "label": "Tablet", "protocol_version": 1},
    )
    assert r.status_code == 401
    assert tablet.get("/api/v1/me").status_code == 401
    assert elsewhere.get("/api/v1/me").status_code == 200
    ended = [s.ended_reason for s in _sessions(carer)]
    assert ended == ["device_revoked", None]


def test_a_session_bound_by_a_push_ends_with_its_tablet(world, browser):
    # The app registers a tablet once; a later sign-in on it only pushes and pulls.
    carer = world.users["care_worker"]
    first = browser(carer)
    device_id = register(first, "ward-tablet")
    first.post("/api/v1/auth/logout")
    later = browser(carer)
    r = later.post(
        "/api/v1/sync/push", json={"protocol_version": 1, "device_id": device_id, "mutations": []}
    )
    assert r.status_code == 200, r.get_json()
    browser(carer).post(f"/api/v1/devices/{device_id}/revoke")
    assert later.get("/api/v1/me").status_code == 401


def test_one_sign_in_is_never_shared_by_two_tablets(world, app, browser):
    carer = world.users["care_worker"]
    tablet = browser(carer)
    register(tablet, "tablet-a")
    r = tablet.post(
        "/api/v1/sync/devices",
        json={"installation_id": "tablet-b", "label": "Tablet", "protocol_version": 1},
    )
    assert r.status_code == 401
    assert r.get_json()["error"]["message"] == (
        "This sign-in belongs to another tablet. Please log in again."
    )
    assert tablet.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role, idle", [("registered_manager", 30), ("care_worker", 120)])
def test_an_idle_session_ends_after_the_providers_idle_timeout(world, browser, role, idle):
    user = world.users[role]
    start = utcnow()
    with clock_at(start):
        b = browser(user)
    with clock_at(start + timedelta(minutes=idle - 2)):
        assert b.get("/api/v1/me").status_code == 200  # activity: the idle clock restarts
    with clock_at(start + timedelta(minutes=2 * idle - 3)):
        assert b.get("/api/v1/me").status_code == 200
    with clock_at(start + timedelta(minutes=3 * idle)):
        assert b.get("/api/v1/me").status_code == 401


def test_the_idle_timeout_is_a_provider_setting(world, browser):
    world.provider.settings = {"desk_idle_minutes": 5}
    db.session.commit()
    start = utcnow()
    with clock_at(start):
        b = browser(world.users["deputy_manager"])
    with clock_at(start + timedelta(minutes=6)):
        assert b.get("/api/v1/me").status_code == 401


def test_background_sync_does_not_keep_a_session_awake(world, browser):
    carer = world.users["care_worker"]
    start = utcnow()
    with clock_at(start):
        b = browser(carer)
        device_id = register(b, "shared-tablet")
    for minutes in (30, 60, 90):
        with clock_at(start + timedelta(minutes=minutes)):
            r = pull(b, device_id, headers={"X-Careloop-Background": "1"})
            assert r.status_code == 200
    with clock_at(start + timedelta(minutes=121)):
        assert b.get("/api/v1/me").status_code == 401


def test_a_session_ends_at_its_lifetime_however_busy(world, browser):
    start = utcnow()
    with clock_at(start):
        b = browser(world.users["registered_manager"])
    for minutes in range(20, 12 * 60, 20):
        with clock_at(start + timedelta(minutes=minutes)):
            assert b.get("/api/v1/me").status_code == 200, minutes
    with clock_at(start + timedelta(hours=12, seconds=1)):
        assert b.get("/api/v1/me").status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(world, browser):
    manager = world.users["registered_manager"]
    start = utcnow()
    with clock_at(start):
        b = browser(manager)
    with clock_at(start + timedelta(seconds=30)):
        b.get("/api/v1/me")
    assert _sessions(manager)[0].last_seen_at == start
    with clock_at(start + timedelta(seconds=90)):
        b.get("/api/v1/me")
    assert _sessions(manager)[0].last_seen_at == start + timedelta(seconds=90)


def test_the_csrf_token_is_new_after_sign_in(world, browser):
    b = browser()
    before = b.csrf_token
    r = b.post(
        "/api/v1/auth/login",
        json={"email": world.users["care_worker"].email, "password": "correct horse battery"},
    )
    after = r.get_json()["csrf_token"]
    assert after != before
    r = b.post(
        "/api/v1/me/password",
        headers={"X-CSRF-Token": before},
        json={"current_password": "x", "new_password": "y"},
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf"


def test_a_password_change_keeps_this_session_and_ends_the_others(world, browser):
    carer = world.users["care_worker"]
    here, there = browser(carer), browser(carer)
    r = here.post(
        "/api/v1/me/password",
        json={
            "current_password": "correct horse battery",
            "new_password": "a brand new passphrase",
        },
    )
    assert r.status_code == 200, r.get_json()
    assert here.get("/api/v1/me").status_code == 200
    assert there.get("/api/v1/me").status_code == 401


def test_me_says_which_kind_of_session_it_is(world, browser):
    assert (
        browser(world.users["registered_manager"]).get("/api/v1/me").get_json()["session_kind"]
        == "desk"
    )
    assert (
        browser(world.users["care_worker"]).get("/api/v1/me").get_json()["session_kind"]
        == "device_sync"
    )


def test_the_provider_leads_change_the_sign_in_settings(world, browser):
    ni = browser(world.users["nominated_individual"])
    r = ni.patch(
        "/api/v1/provider/sign-in-settings",
        json={"desk_idle_minutes": 15, "second_factor_required": True},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["settings"] == {
        "desk_idle_minutes": 15,
        "desk_lifetime_hours": 12,
        "device_sync_idle_minutes": 120,
        "device_sync_lifetime_hours": 14,
        "device_credential_idle_days": 14,
        "second_factor_required": True,
        "tablet_lock_minutes": 5,
    }
    r = ni.patch("/api/v1/provider/sign-in-settings", json={"desk_idle_minutes": 1})
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {
        "desk_idle_minutes": "Must be greater than or equal to 5 and less than or equal to 240."
    }
    manager = browser(world.users["registered_manager"])
    assert manager.get("/api/v1/provider/sign-in-settings").status_code == 403  # owes enrolment
    db.session.rollback()  # read what the requests committed
    world.provider.settings = {}
    db.session.commit()
    manager = browser(world.users["registered_manager"])
    assert (
        manager.get("/api/v1/provider/sign-in-settings").get_json()["settings"]["desk_idle_minutes"]
        == 30
    )
    r = manager.patch("/api/v1/provider/sign-in-settings", json={"desk_idle_minutes": 60})
    assert r.status_code == 403


def test_a_sign_in_clears_that_persons_month_old_sessions(world, browser):
    carer, other = world.users["care_worker"], world.users["key_worker"]
    start = utcnow() - timedelta(days=45)
    with clock_at(start):
        browser(carer).post("/api/v1/auth/logout")
        browser(other)
    with clock_at(start + timedelta(days=20)):
        browser(carer)
    browser(carer)
    assert len(_sessions(carer)) == 2  # the 45-day-old one went; the 25-day-old one stays
    assert len(_sessions(other)) == 1


def test_signing_in_over_a_session_ends_it(world, app, browser):
    carer = world.users["care_worker"]
    shared = browser(carer)
    copied = copy_of(shared, app)
    r = shared.post(
        "/api/v1/auth/login",
        json={"email": world.users["key_worker"].email, "password": "correct horse battery"},
    )
    assert r.status_code == 200
    assert shared.get("/api/v1/me").get_json()["email"] == world.users["key_worker"].email
    assert copied.get("/api/v1/me").status_code == 401
    assert [s.ended_reason for s in _sessions(carer)] == ["replaced"]


def test_a_session_owing_an_enrolment_may_still_sign_in_as_someone_else(world, browser):
    world.provider.settings = {"second_factor_required": True}
    db.session.commit()
    b = browser(world.users["registered_manager"])
    r = b.post(
        "/api/v1/auth/login",
        json={"email": world.users["care_worker"].email, "password": "correct horse battery"},
    )
    assert r.status_code == 200, r.get_json()
    b.csrf_token = r.get_json()["csrf_token"]
    assert b.get("/api/v1/services").status_code == 200
