"""What a person may do, as the PWA is told it (in /me and every pull page).

Derived from the one permission table (server/accounts/permissions.py): the actions the
person's roles allow in each service they work in, the actions a provider-wide role allows
everywhere, and the roles' names for the people screens. The tablet shows screens, buttons
and forms from these; the server still checks every read and write.
"""

from sqlalchemy import select

from server.accounts.permissions import PERMISSIONS, PROVIDER_ROLES, ROLE_LABELS, ROLES
from server.extensions import db
from server.providers.models import Provider, Service


def actions_for(roles: set[str]) -> list[str]:
    """Return the actions, in table order, that any of ``roles`` allows."""
    return [action for action, (allowed, _what) in PERMISSIONS.items() if roles & set(allowed)]


def _roles_by_service(user) -> tuple[set[str], dict[str, set[str]]]:
    """Return the user's provider-wide roles and {service id: the roles held there}."""
    wide = {m.role for m in user.memberships if m.service_id is None}
    held: dict[str, set[str]] = {}
    if wide:
        ids = db.session.scalars(select(Service.id).where(Service.provider_id == user.provider_id))
        held = {str(i): set(wide) for i in ids}
    for m in user.memberships:
        if m.service_id is not None:
            held.setdefault(str(m.service_id), set(wide)).add(m.role)
    return wide, held


def permitted(user) -> dict:
    """Return {"provider": [actions allowed everywhere], "services": {id: [actions]}}.

    "provider" lists what a provider-wide role allows (in every service of the provider,
    and the provider's own settings); "services" lists, per service the person works in,
    what their roles there (provider-wide ones included) allow. A closed account may do
    nothing.
    """
    if user is None or not user.active:
        return {"provider": [], "services": {}}
    wide, held = _roles_by_service(user)
    return {
        "provider": actions_for(wide),
        "services": {sid: actions_for(roles) for sid, roles in sorted(held.items())},
    }


def role_catalogue() -> list[dict]:
    """Every role, in the table's order, with its label and whether it is provider-wide."""
    return [
        {"role": role, "label": ROLE_LABELS[role], "provider_wide": role in PROVIDER_ROLES}
        for role in ROLES
    ]


def me_fields(user) -> dict:
    """The fields /me (and a sign-in) adds for the tablet: permissions, the roles' names,
    and how soon the tablet locks when nobody touches it (the provider's setting)."""
    provider = db.session.get(Provider, user.provider_id)
    return {
        "permissions": permitted(user),
        "roles": role_catalogue(),
        "tablet_lock_minutes": provider.setting("tablet_lock_minutes"),
    }
