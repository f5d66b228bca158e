"""People: create staff, find them, give and change their roles per service.

The provider admin manages everyone of the provider, in every service and across it; a
registered manager manages the staff of their own services only, and never provider-wide
roles. Leavers are in server.admin.leavers.
"""

import secrets
import uuid
from types import SimpleNamespace

from sqlalchemy import func, or_

from server.accounts import credentials
from server.accounts.models import Membership, User
from server.accounts.permissions import (
    PROVIDER_ROLES,
    can,
    is_provider_wide,
    service_ids_for,
)
from server.accounts.services import hash_password
from server.admin import passwords
from server.audit import services as audit
from server.audit.services import Actor
from server.common.access import as_uuid, get_service
from server.errors import Forbidden, Invalid, NotFound
from server.extensions import db
from server.log.models import LogEntry
from server.providers.models import Service

MANAGE = "user.manage"
NOT_YOURS = "This person does not work only in services you manage. Ask the provider admin."
# An email is one account's within a provider; another provider may hold the same address
# for its own person, so this check never looks beyond the caller's provider: an address held
# elsewhere gets the same answer as any new one (docs/permissions.md).
EMAIL_TAKEN = "Someone in your organisation already has this email address."


def managed_services(caller) -> set[uuid.UUID] | None:
    """Return the services where ``caller`` manages staff; None means all of the provider."""
    ids = service_ids_for(caller, MANAGE)
    if ids == []:
        raise Forbidden(f"Your role does not allow this ({MANAGE}).", action=MANAGE)
    return None if ids is None else set(ids)


def require_manages(caller, user: User, everywhere: bool = False) -> None:
    """Raise unless ``caller`` manages ``user``: some (or, ``everywhere``, all) of their
    services are the caller's, and the user holds no provider-wide role."""
    scope = managed_services(caller)
    if scope is None:
        return
    if is_provider_wide(user):
        raise Forbidden("Only the provider admin manages people with provider-wide roles.")
    theirs = {m.service_id for m in user.memberships}
    if not theirs & scope or (everywhere and not theirs <= scope):
        raise Forbidden(NOT_YOURS)


def get_staff(caller, user_id) -> User:
    """Return a user of the caller's provider whom the caller manages."""
    user = db.session.get(User, as_uuid(user_id, "person"))
    if user is None or user.provider_id != caller.provider_id:
        raise NotFound("There is no such person.")
    require_manages(caller, user)
    return user


def list_staff(caller, service_id=None, active: bool | None = None, q: str | None = None):
    """Return a select of the people the caller manages, by name; ``q`` searches name and
    email."""
    scope = managed_services(caller)
    query = db.select(User).where(User.provider_id == caller.provider_id)
    if service_id is not None:
        scope = {get_service(caller, service_id, MANAGE).id}
    if scope is not None:
        members = db.select(Membership.user_id).where(Membership.service_id.in_(scope))
        wide = db.select(Membership.user_id).where(Membership.service_id.is_(None))
        query = query.where(User.id.in_(members), User.id.not_in(wide))
    if active is not None:
        query = query.where(User.active.is_(active))
    # Each word must be in the name or the email: "jo blog" finds Jo Bloggs.
    for word in (q or "").lower().split():
        query = query.where(
            or_(
                func.lower(User.display_name).contains(word, autoescape=True),
                User.email.contains(word, autoescape=True),
            )
        )
    return query.order_by(User.display_name, User.id)


def _check_role(caller, scope, role: str, service_id, where: str) -> None:
    """Refuse a role the caller may not give, naming the field at ``where``."""
    if role in PROVIDER_ROLES:
        if service_id is not None:
            raise Invalid(
                "A provider-wide role is not held in one service.",
                {f"{where}service_id": "Send null for a provider-wide role."},
            )
        if scope is not None:
            raise Forbidden(
                "Only the provider admin can give provider-wide roles.",
                {f"{where}role": "Provider-wide role."},
            )
        return
    if service_id is None:
        raise Invalid(
            "A service role needs its service.",
            {f"{where}service_id": "Choose the service for this role."},
        )
    _check_service(caller, scope, service_id, where)


def _check_service(caller, scope, service_id, where: str) -> None:
    service = db.session.get(Service, service_id)
    if service is None or service.provider_id != caller.provider_id:
        raise Invalid("There is no such service.", {f"{where}service_id": "No such service."})
    if scope is not None and service_id not in scope:
        raise Forbidden(
            "You can only give roles in services you manage.",
            {f"{where}service_id": "Not a service you manage."},
        )


def email_taken(provider_id, email: str) -> bool:
    """Whether someone of this provider (never another) has ``email`` already."""
    query = db.select(User.id).where(
        User.provider_id == provider_id, User.email == email.strip().lower()
    )
    return db.session.scalar(query) is not None


def create_staff(
    actor: Actor, *, email: str, display_name: str, roles: list[dict], id=None
) -> tuple[User, passwords.ResetCode]:
    """Create a member of staff with roles and a reset code to set their first password."""
    scope = managed_services(actor.user)
    email = email.strip().lower()
    display_name = (display_name or "").strip()
    if not display_name:
        raise Invalid("The display name is required.", {"display_name": "Write their name."})
    if email_taken(actor.user.provider_id, email):
        raise Invalid(EMAIL_TAKEN, {"email": "Already used by another account."})
    if id is not None and db.session.get(User, id) is not None:
        raise Invalid("This id cannot be used for a new person.", {"id": "Choose another id."})
    if not roles:
        raise Invalid("Give the person at least one role.", {"roles": "Give at least one role."})
    pairs = list(dict.fromkeys((r["role"], r.get("service_id")) for r in roles))
    for index, (role, service_id) in enumerate(pairs):
        _check_role(actor.user, scope, role, service_id, f"roles.{index}.")
    user = User(
        id=id or uuid.uuid4(),
        provider_id=actor.user.provider_id,
        email=email,
        display_name=display_name,
        # Nobody knows this password: the person sets theirs with the reset code.
        password_hash=hash_password(secrets.token_urlsafe(32)),
    )
    user.memberships = [Membership(role=r, service_id=s) for r, s in pairs]
    db.session.add(user)
    db.session.flush()
    given = [{"role": r, "service_id": s} for r, s in pairs]
    changes = {"email": email, "display_name": display_name, "roles": given}
    audit.record(actor, "user", user.id, "create", changes)
    return user, passwords.issue_reset(actor, user)


def open_entries(user_id) -> list[LogEntry]:
    return list(
        db.session.scalars(
            db.select(LogEntry)
            .where(
                LogEntry.owner_id == user_id,
                LogEntry.status != "closed",
                LogEntry.deleted_at.is_(None),
            )
            .order_by(LogEntry.created_at, LogEntry.id)
        )
    )


def _orphaned_by(user: User, memberships: list) -> list[LogEntry]:
    """Return the open entries ``user`` owns that they could no longer read with these roles."""
    after = SimpleNamespace(active=True, provider_id=user.provider_id, memberships=memberships)
    return [
        e
        for e in open_entries(user.id)
        if not can(after, "entry.read", db.session.get(Service, e.service_id))
    ]


def set_roles(actor: Actor, user: User, service_id, roles: list[str]) -> User:
    """Set ``user``'s roles in one service (or across the provider when ``service_id`` is
    None); an empty list takes them out of it."""
    scope = managed_services(actor.user)
    require_manages(actor.user, user)
    if user.id == actor.user_id:
        raise Forbidden("You cannot change your own roles. Ask another administrator.")
    if service_id is not None:
        _check_service(actor.user, scope, service_id, "")
    elif scope is not None:
        raise Forbidden(
            "Only the provider admin can change provider-wide roles.",
            {"service_id": "Choose a service you manage."},
        )
    wanted = list(dict.fromkeys(roles))
    for index, role in enumerate(wanted):
        if (role in PROVIDER_ROLES) != (service_id is None):
            raise Invalid(
                "Provider-wide roles are set with service_id null, service roles "
                "with their service.",
                {f"roles.{index}": "Not a role of this scope."},
            )
    kept = [m for m in user.memberships if m.service_id != service_id or m.role in wanted]
    new = [
        Membership(role=r, service_id=service_id)
        for r in wanted
        if not any(m.role == r and m.service_id == service_id for m in kept)
    ]
    orphaned = _orphaned_by(user, kept + new)
    if orphaned:
        raise Invalid(
            f"{user.display_name} owns {len(orphaned)} open entr"
            f"{'y' if len(orphaned) == 1 else 'ies'} they could no longer read. Reassign "
            "them first, or deactivate the account with someone to take them over.",
            {"roles": "Would leave open entries with an owner who cannot see them."},
        )
    old = sorted(m.role for m in user.memberships if m.service_id == service_id)
    if old and not wanted:
        # Taken out of a service: their tablets' sync credentials end now (sign in again).
        credentials.end_for("removed_from_service", user_id=user.id)
    # Keep unchanged rows so that removing and re-adding a role never clashes on flush.
    user.memberships = kept + new
    if old != sorted(wanted):
        changes = {"service_id": service_id, "roles": [old, sorted(wanted)]}
        audit.record(actor, "user", user.id, "roles", changes, service_id)
    db.session.flush()
    return user


def issue_reset_code(actor: Actor, user: User) -> passwords.ResetCode:
    """Issue a one-time code with which ``user`` sets a new password: only by someone who
    manages them in every service they work in, as the code signs in as them everywhere."""
    require_manages(actor.user, user, everywhere=True)
    return passwords.issue_reset(actor, user)
