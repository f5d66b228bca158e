"""A new provider from nothing: `flask create-provider` makes the provider and its admin, who
sets a password with the one-time code and signs in; everything else is done in the app."""

import pytest

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.extensions import db
from server.providers.models import Provider

pytestmark = pytest.mark.db


def _create(app, *args):
    return app.test_cli_runner().invoke(args=["create-provider", *args])


def test_new_provider_admin_sets_a_password_with_the_code_and_signs_in(app, client):
    result = _create(app, "Meadow View Care", "--admin-email", "Ops@Meadow.example",
                     "--admin-name", "Priya Shah")
    assert result.exit_code == 0, result.output
    assert "Created Meadow View Care with provider admin Priya Shah <ops@meadow.example>." \
        in result.output
    code = result.output.strip().splitlines()[-1]
    provider = db.session.scalar(db.select(Provider).where(Provider.name == "Meadow View Care"))
    admin = db.session.scalar(db.select(User).where(User.email == "ops@meadow.example"))
    assert admin.provider_id == provider.id
    assert [(m.role, m.service_id) for m in admin.memberships] == [("provider_admin", None)]
    actions = set(db.session.scalars(db.select(AuditEvent.action)
                                      .where(AuditEvent.entity_id.in_([str(provider.id), str(admin.id)]))))
    assert {"created", "reset_code_issued"} <= actions

    reset = client.post("/api/v1/auth/reset",
                        json={"token": code, "new_password": "a long new password"})
    assert reset.status_code in (200, 204), reset.get_json()
    login = client.post("/api/v1/auth/login",
                        json={"email": "ops@meadow.example", "password": "a long new password"})
    assert login.status_code == 200
    assert login.get_json()["display_name"] == "Priya Shah"


def test_an_email_already_in_use_is_refused_and_nothing_is_created(app, world):
    taken = world.users["provider_admin"].email
    result = _create(app, "Second Provider", "--admin-email", taken, "--admin-name", "Someone")
    assert result.exit_code == 1
    assert "admin_email: Someone already signs in with this email address." in result.output
    assert db.session.scalar(db.select(Provider).where(Provider.name == "Second Provider")) is None
