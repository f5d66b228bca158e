"""Checks shared by the log's services: permissions on an entry, versions, owners, reasons."""

import uuid

from server.accounts.models import User
from server.accounts.permissions import can, require, roles_in
from server.errors import Conflict, Invalid, RuleBroken
from server.extensions import db
from server.providers.models import Service

STALE = "This entry was changed by someone else since you opened it. Here is the current copy."


def service_of(entry) -> Service:
    return db.session.get(Service, entry.service_id)


def is_owner(actor, entry) -> bool:
    return entry.owner_id is not None and entry.owner_id == actor.user_id


def require_on_entry(actor, action: str, entry, owner_may: bool = False) -> Service:
    """Raise Forbidden unless the actor may do ``action`` on ``entry``; owners may too
    when ``owner_may`` (while they still hold a role in the entry's service)."""
    service = service_of(entry)
    if owner_may and is_owner(actor, entry) and roles_in(actor.user, service):
        return service
    require(actor.user, action, service)
    return service


def may(actor, action: str, entry) -> bool:
    return can(actor.user, action, service_of(entry))


def check_version(entry, base_version) -> None:
    """Refuse a write based on a version of the entry that is no longer current."""
    if base_version is not None and base_version != entry.version:
        from server.log.schemas import dump_entry

        raise Conflict(
            STALE,
            {"version": f"The current version is {entry.version}."},
            current=dump_entry(entry),
        )


def require_independent_sign_off(actor, entry) -> None:
    """Refuse a sign-off by whoever recorded the closure or checked its evidence: the
    sign-off is a second pair of eyes on both (DESIGN.md rule 3)."""
    if actor.user_id == closer_of(entry):
        raise RuleBroken(
            "sign_off_not_independent",
            (
                "You recorded this closure, so someone else must sign it off: another nominated "
                "individual or provider quality lead."
            ),
            {"action": "You closed this entry."},
        )
    if any(ref.checked_by == actor.user_id for ref in entry.evidence if ref.deleted_at is None):
        raise RuleBroken(
            "sign_off_not_independent",
            (
                "You checked evidence for this closure, so someone else must sign it off: "
                "another nominated individual or provider quality lead."
            ),
            {"action": "You checked this entry's evidence."},
        )


def closer_of(entry) -> uuid.UUID | None:
    """Return who recorded the entry's latest closure: the audit trail, never edited, holds
    it (a high-risk closure sets no closed_by until it is signed off)."""
    from server.audit.models import AuditEvent

    return db.session.scalar(
        db.select(AuditEvent.actor_id)
        .where(
            AuditEvent.entity_type == "log_entry",
            AuditEvent.entity_id == str(entry.id),
            AuditEvent.action == "close",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def _staff_of(service: Service, user_id) -> User | None:
    """The active user ``user_id`` names, if they can read ``service``'s log."""
    try:
        user = db.session.get(
            User, user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
        )
    except ValueError:
        return None
    return user if user is not None and can(user, "entry.read", service) else None


def owner_for(service: Service, owner_id) -> uuid.UUID | None:
    """Return ``owner_id`` if it names an active user who can read ``service``'s log."""
    if owner_id is None:
        return None
    user = _staff_of(service, owner_id)
    if user is None:
        raise Invalid(
            "The owner must be an active member of staff with a role in this service.",
            {"owner_id": "Choose an active member of staff who works in this service."},
        )
    return user.id


def checker_for(service: Service, user_id) -> uuid.UUID:
    """Return ``user_id`` if it names an active user who can read ``service``'s log."""
    user = _staff_of(service, user_id)
    if user is None:
        raise Invalid(
            "The person who checked the evidence must be an active member of staff with a "
            "role in this service.",
            {"checked_by": "Choose an active member of staff who works in this service."},
        )
    return user.id


def reason_for(reason: str | None, rule: str, message: str, field: str = "reason") -> str:
    """Return the stripped reason, or refuse the change with ``rule``."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken(rule, message, {field: "Give a reason."})
    return reason


def one_of(value, allowed, field: str, what: str):
    if value not in allowed:
        raise Invalid(
            f"Unknown {what}: {value!r}.", {field: f"Must be one of: {', '.join(allowed)}."}
        )
    return value


def not_blank(value, field: str, what: str) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str) or not value:
        raise Invalid(f"The {what} is required.", {field: f"Write the {what}."})
    return value
