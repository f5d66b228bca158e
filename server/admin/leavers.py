"""Leavers: deactivate an account, handing each of its open entries to a named colleague.

Nothing may be left without an owner: every open entry of the leaver gets its new owner in
the same unit of work as the deactivation, either one colleague for all of them
(``reassign_to``) or one per entry (``reassignments``), or the whole step is refused. The
handover goes through the log's own services, so it is audited like any change of owner.
"""

import uuid
from dataclasses import dataclass, field

from server.accounts.models import User
from server.accounts.permissions import can
from server.admin.services import open_entries, require_manages
from server.audit import services as audit
from server.audit.services import Actor
from server.errors import Forbidden, Invalid
from server.extensions import db
from server.log import services as log
from server.log.models import LogEntry
from server.providers.models import Service
from server.providers.services import people_of
from server.syncing.models import Device
from server.syncing.services import revoke_device

LEFT = "The previous owner left the service."


@dataclass(frozen=True)
class Deactivation:
    user: User
    reassigned_to: uuid.UUID | None = None
    reassigned_entry_ids: list = field(default_factory=list)
    revoked_device_ids: list = field(default_factory=list)
    new_owners: dict = field(default_factory=dict)


def handover(caller, leaver: User) -> list[dict]:
    """Return the leaver's open entries, each with the colleagues who could take it over."""
    require_manages(caller, leaver, everywhere=True)
    services: dict[uuid.UUID, Service] = {}
    out = []
    for entry in open_entries(leaver.id):
        service = services.setdefault(entry.service_id, db.session.get(Service, entry.service_id))
        out.append(
            {
                "entry": entry,
                "service_name": service.name,
                "candidates": [p for p in _people(service) if p["id"] != leaver.id],
            }
        )
    return out


def _people(service: Service) -> list[dict]:
    return [p for p in people_of(service) if p["roles"] != ["provider_admin"]]


def _unowned(leaver: User, entries: list[LogEntry], targets: dict) -> None:
    """Refuse if some open entry would be left with nobody named to take it over."""
    missing = [e for e in entries if targets.get(e.id) is None]
    if not missing:
        return
    n = len(entries)
    if len(missing) == n and not any(targets.values()):
        raise Invalid(
            f"{leaver.display_name} owns {n} open entr{'y' if n == 1 else 'ies'}: "
            "name who takes them over.",
            {"reassign_to": "Choose an active member of staff to take over their open entries."},
        )
    raise Invalid(
        f"{len(missing)} of {leaver.display_name}'s open entries {'has' if len(missing) == 1 else 'have'}"
        " nobody named to take over.",
        {f"reassignments.{e.id}": "Choose who takes over this entry." for e in missing},
    )


def _colleague(leaver: User, target_id, where: str) -> User:
    """Return the active colleague ``target_id``, or refuse naming the field at ``where``."""
    target = db.session.get(User, target_id)
    if (
        target is None
        or target.provider_id != leaver.provider_id
        or not target.active
        or target.id == leaver.id
    ):
        raise Invalid(
            "The person taking over must be an active colleague, not the leaver.",
            {where: "Choose an active member of staff other than the leaver."},
        )
    return target


def _check_target(leaver: User, entry: LogEntry, target_id, where: str) -> User:
    """Return the colleague taking over ``entry``, or refuse naming the field at ``where``."""
    target = _colleague(leaver, target_id, where)
    service = db.session.get(Service, entry.service_id)
    if not can(target, "entry.read", service):
        raise Invalid(
            f"{target.display_name} has no role in {service.name}, where "
            f"{leaver.display_name} owns open entries.",
            {where: f"Choose someone who works in {service.name}."},
        )
    return target


def _targets(leaver: User, entries: list[LogEntry], reassign_to, reassignments: dict) -> dict:
    """Return {entry id: new owner} for every open entry, or refuse naming the field."""
    ids = {e.id for e in entries}
    if reassign_to is not None and not entries:
        _colleague(leaver, reassign_to, "reassign_to")
    for entry_id in reassignments:
        if entry_id not in ids:
            raise Invalid(
                f"{leaver.display_name} owns no open entry with this id.",
                {f"reassignments.{entry_id}": "Not an open entry of the leaver."},
            )
    chosen = {e.id: reassignments.get(e.id) or reassign_to for e in entries}
    _unowned(leaver, entries, chosen)
    out = {}
    for entry in entries:
        where = f"reassignments.{entry.id}" if reassignments.get(entry.id) else "reassign_to"
        out[entry.id] = _check_target(leaver, entry, chosen[entry.id], where)
    return out


def _hand_over(actor: Actor, entries: list[LogEntry], targets: dict) -> list[uuid.UUID]:
    # Check every entry before changing any, so that a refusal leaves nothing half done.
    for entry in entries:
        service = db.session.get(Service, entry.service_id)
        if not (
            can(actor.user, "entry.assign", service) or can(actor.user, "user.manage", service)
        ):
            raise Forbidden(
                f"The leaver owns open entries in {service.name}, which you do "
                "not manage. Ask the provider admin."
            )
    for entry in entries:
        service = db.session.get(Service, entry.service_id)
        target = targets[entry.id]
        if can(actor.user, "entry.assign", service):
            log.update_entry(actor, entry, entry.version, {"owner_id": target.id})
        else:
            log.hand_over(actor, entry, target.id, LEFT)
    return [e.id for e in entries]


def deactivate(
    actor: Actor, user: User, reassign_to=None, reassignments: dict | None = None
) -> Deactivation:
    """Deactivate a leaver: hand each open entry to its new owner (``reassignments``
    {entry id: user id}, else ``reassign_to``), end their sessions and withdraw their
    tablets, all in this one unit of work."""
    require_manages(actor.user, user, everywhere=True)
    if user.id == actor.user_id:
        raise Forbidden("You cannot deactivate your own account. Ask another administrator.")
    if not user.active:
        raise Invalid("This account is already deactivated.", {"user_id": "Already inactive."})
    entries = open_entries(user.id)
    targets = _targets(user, entries, reassign_to, reassignments or {})
    handed = _hand_over(actor, entries, targets) if entries else []
    devices = db.session.scalars(
        db.select(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))
    ).all()
    revoked = [revoke_device(actor.user, d.id).id for d in devices]
    user.active = False
    user.session_epoch += 1  # their sessions and reset codes stop working now
    owners = {e_id: t.id for e_id, t in targets.items()}
    # One colleague for everything (or named with nothing to hand over): say who.
    heir = reassign_to if all(o == reassign_to for o in owners.values()) else None
    audit.record(
        actor,
        "user",
        user.id,
        "deactivate",
        {
            "active": [True, False],
            "reassigned_to": heir,
            "entry_ids": handed,
            "new_owners": owners,
            "device_ids": revoked,
        },
    )
    db.session.flush()
    return Deactivation(user, heir, handed, revoked, owners)
