"""A new provider from nothing: `flask create-provider` makes the provider and its admin, who
sets a password with the one-time code and signs in; everything else is done in the app."""

import pytest

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.extensions import db
from server.providers.models import Provider
from tests.support.people import PASSWORD

pytestmark = pytest.mark.db


def _create(app, *args):
    return app.test_cli_runner().invoke(args=["create-provider", *args])


def test_new_provider_admin_sets_a_password_with_the_code_and_signs_in(app, client):
    result = _create(
        app, "Meadow View Care", "--admin-email", "Ops@Meadow.example", "--admin-name", "Priya Shah"
    )
    assert result.exit_code == 0, result.output
    assert (
        "Created Meadow View Care with provider admin Priya Shah <ops@meadow.example>."
        in result.output
    )
    code = result.output.strip().splitlines()[-1]
    provider = db.session.scalar(db.select(Provider).where(Provider.name == "Meadow View Care"))
    admin = db.session.scalar(db.select(User).where(User.email == "ops@meadow.example"))
    assert admin.provider_id == provider.id
    assert [(m.role, m.service_id) for m in admin.memberships] == [("provider_admin", None)]
    actions = set(
        db.session.scalars(
            db.select(AuditEvent.action).where(
                AuditEvent.entity_id.in_([str(provider.id), str(admin.id)])
            )
        )
    )
    assert {"created", "reset_code_issued"} <= actions

    reset = client.post(
        "/api/v1/auth/reset", json={"token": code, "new_password": "a long new password"}
    )
    assert reset.status_code in (200, 204), reset.get_json()
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "ops@meadow.example", "password": "a long new password"},
    )
    assert login.status_code == 200
    assert login.get_json()["display_name"] == "Priya Shah"


def test_an_email_another_provider_holds_makes_a_second_account_and_leaves_the_first(
    app, world, client
):
    theirs = world.users["provider_admin"]
    before = (theirs.id, theirs.password_hash, theirs.provider_id)
    result = _create(
        app, "Second Provider", "--admin-email", theirs.email.upper(), "--admin-name", "Someone"
    )
    assert result.exit_code == 0, result.output
    second = db.session.scalar(db.select(Provider).where(Provider.name == "Second Provider"))
    accounts = db.session.scalars(db.select(User).where(User.email == theirs.email)).all()
    assert sorted(str(u.provider_id) for u in accounts) == sorted(
        [str(world.provider.id), str(second.id)]
    )
    db.session.refresh(theirs)
    assert (theirs.id, theirs.password_hash, theirs.provider_id) == before
    login = client.post("/api/v1/auth/login", json={"email": theirs.email, "password": PASSWORD})
    assert login.status_code == 200
    assert login.get_json()["id"] == str(theirs.id)


def test_a_provider_without_an_admin_email_is_refused_and_nothing_is_created(app, world):
    result = _create(app, "Second Provider", "--admin-email", "nobody", "--admin-name", "Someone")
    assert result.exit_code == 1
    assert "admin_email: Give the admin's email address." in result.output
    assert db.session.scalar(db.select(Provider).where(Provider.name == "Second Provider")) is None
