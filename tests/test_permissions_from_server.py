"""The PWA asks the server what the person may do (issue 14, point 4).

/me and every pull page carry the person's permitted actions per service, made from the
one permission table; each log entry (pulled, or read over REST) carries the status
actions open to them (tests/test_pwa_holds_no_rules.py: so the PWA needs no copy).
"""

import uuid

import pytest

from server.accounts.abilities import actions_for, permitted
from server.accounts.permissions import PERMISSIONS, ROLE_LABELS, ROLES, can
from server.extensions import db
from server.log.allowed import allowed_transitions
from server.log.transitions import TRANSITIONS
from server.syncing.pull import pull
from tests.support import log_api as shared
from tests.support.log_api import act
from tests.support.people import PASSWORD

entry, rm_client = shared.entry, shared.rm_client

STATUSES = ("draft", "open", "in_progress", "awaiting_check", "awaiting_sign_off", "closed")

pytestmark = pytest.mark.db


def test_me_carries_the_actions_of_the_permission_table_per_service(world, login):
    carer = world.users["senior_carer"]
    me = login(carer).get("/api/v1/me").get_json()
    assert me["permissions"] == {
        "provider": [],
        "services": {str(world.home.id): actions_for({"senior_carer"})},
    }
    assert "finding.create" in me["permissions"]["services"][str(world.home.id)]
    assert "finding.read_all" not in me["permissions"]["services"][str(world.home.id)]
    assert me["roles"] == [
        {
            "role": r,
            "label": ROLE_LABELS[r],
            "provider_wide": r
            in ("nominated_individual", "provider_quality_lead", "provider_admin"),
        }
        for r in ROLES
    ]


def test_a_provider_wide_role_is_permitted_in_every_service_of_its_provider(world, login):
    lead = world.users["nominated_individual"]
    me = login(lead).get("/api/v1/me").get_json()
    ids = {str(world.home.id), str(world.other.id)}
    assert set(me["permissions"]["services"]) == ids
    assert str(world.rival_service.id) not in me["permissions"]["services"]
    assert me["permissions"]["provider"] == actions_for({"nominated_individual"})
    for action in PERMISSIONS:
        assert (action in me["permissions"]["services"][str(world.home.id)]) == can(
            lead, action, world.home
        )


def test_sign_in_answers_with_the_permissions_too(world, client):
    user = world.users["duty_manager"]
    answer = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    ).get_json()
    assert answer["permissions"] == permitted(user)


def test_a_closed_account_may_do_nothing(world):
    user = world.users["care_worker"]
    user.active = False
    assert permitted(user) == {"provider": [], "services": {}}


@pytest.mark.parametrize("status", STATUSES)
def test_allowed_transitions_follow_the_status_machine_and_the_table(world, status):
    for role, user in world.users.items():
        actions = set(actions_for({role}))
        for owner in (None, user.id):
            got = allowed_transitions(user.id, actions, status, owner, world.home.id)
            want = [
                name
                for name, step in TRANSITIONS.items()
                if status in step.sources
                and (
                    can(user, step.permission, world.home) or (step.owner_may and owner == user.id)
                )
            ]
            assert got == want, (role, status, owner)


def test_rest_entry_carries_the_readers_transitions(world, rm_client, entry, login):
    created = entry()
    assert created["transitions"] == ["open"]
    opened = act(rm_client, created, "open").get_json()
    assert opened["transitions"] == ["start", "mark_done"]
    carer = login(world.users["care_worker"])
    seen = carer.get(f"/api/v1/entries/{created['id']}").get_json()
    assert seen["transitions"] == []


def test_a_pull_carries_permissions_and_each_entrys_transitions(world, rm_client, entry):
    owner = world.users["senior_carer"]
    created = entry(owner_id=str(owner.id))
    act(rm_client, created, "open")
    db.session.expire_all()
    for user, expected in (
        (owner, ["start", "mark_done"]),  # the owner may take the owner's steps
        (world.users["care_worker"], []),  # a colleague on the floor may not
        (world.users["registered_manager"], ["start", "mark_done"]),
    ):
        body = pull(user, 0, 100)
        assert body["permissions"] == permitted(user)
        mine = [c for c in body["changes"] if c["id"] == created["id"]]
        assert [c["record"]["transitions"] for c in mine] == [expected], user.email


def test_an_entry_read_outside_a_request_offers_no_transitions(world, rm_client, entry):
    from server.log.allowed import for_entry
    from server.log.models import LogEntry

    created = entry()
    assert for_entry(db.session.get(LogEntry, uuid.UUID(created["id"]))) == []
