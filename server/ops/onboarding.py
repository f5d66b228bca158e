"""Start a new provider from nothing: the provider and its first provider admin.

Everything after this first step is done in the app by that admin: services, people,
roles, set-up (docs/deployment.md, "Setting up a new provider"). The admin gets a
one-time set-up code instead of a password, so no password is ever typed into a shell
or kept in its history.
"""

import secrets

from server.accounts.models import Membership, User
from server.accounts.services import hash_password
from server.admin.passwords import ResetCode, issue_reset
from server.audit.services import Actor, record
from server.errors import Invalid
from server.extensions import db
from server.providers.models import Provider


def create_provider(
    name: str, admin_email: str, admin_name: str
) -> tuple[Provider, User, ResetCode]:
    """Create the provider and its provider admin; return them with the admin's set-up code."""
    name, admin_name = name.strip(), admin_name.strip()
    email = admin_email.strip().lower()
    errors = {}
    if not name:
        errors["name"] = "Give the provider's name."
    if not admin_name:
        errors["admin_name"] = "Give the admin's name."
    if "@" not in email:
        errors["admin_email"] = "Give the admin's email address."
    # No check against other providers' people: an email is unique per provider, and a new
    # provider has nobody yet. Someone may run two providers with one address.
    if errors:
        raise Invalid("The provider could not be created.", errors)
    provider = Provider(name=name, thresholds={})
    db.session.add(provider)
    db.session.flush()
    # A random password nobody knows: the admin sets their own with the set-up code.
    admin = User(
        provider_id=provider.id,
        email=email,
        display_name=admin_name,
        password_hash=hash_password(secrets.token_urlsafe(32)),
    )
    admin.memberships = [Membership(role="provider_admin", service_id=None)]
    db.session.add(admin)
    db.session.flush()
    actor = Actor(admin, "cli")
    record(actor, "provider", provider.id, "created", {"name": name})
    record(
        actor,
        "user",
        admin.id,
        "created",
        {"email": email, "display_name": admin_name, "roles": ["provider_admin"]},
    )
    return provider, admin, issue_reset(actor, admin)
