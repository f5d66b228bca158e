"""The tablet's idle lock is a provider setting, sent to the tablet with /me."""

import pytest

from seed import factories as f
from server.extensions import db
from tests.support import sessions as helpers

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: this one comes from tests/support/sessions.py.
browser = helpers.browser


def test_the_tablet_lock_is_five_minutes_until_the_provider_changes_it(world, browser):
    carer = browser(world.users["care_worker"])
    assert carer.get("/api/v1/me").get_json()["tablet_lock_minutes"] == 5

    ni = browser(world.users["nominated_individual"])
    r = ni.patch("/api/v1/provider/sign-in-settings", json={"tablet_lock_minutes": 2})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["settings"]["tablet_lock_minutes"] == 2
    assert carer.get("/api/v1/me").get_json()["tablet_lock_minutes"] == 2
    # Another provider's tablets keep their own setting.
    db.session.rollback()  # the requests ran in other app contexts
    elsewhere = f.make_user(world.rival, "care_worker", world.rival_service)
    db.session.commit()
    assert browser(elsewhere).get("/api/v1/me").get_json()["tablet_lock_minutes"] == 5


@pytest.mark.parametrize("minutes", [0, 61, 2.5])
def test_the_tablet_lock_must_be_whole_minutes_from_1_to_60(world, browser, minutes):
    ni = browser(world.users["nominated_individual"])
    r = ni.patch("/api/v1/provider/sign-in-settings", json={"tablet_lock_minutes": minutes})
    assert r.status_code == 422
    assert list(r.get_json()["error"]["fields"]) == ["tablet_lock_minutes"]
    db.session.rollback()  # read what the requests committed
    assert "tablet_lock_minutes" not in (world.provider.settings or {})
