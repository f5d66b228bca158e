"""Writes that only devices make: walkaround edits, tombstones and a manager's restore."""

from server.accounts.permissions import can
from server.audit import services as audit
from server.common.types import utcnow
from server.errors import Conflict, Forbidden, RuleBroken
from server.extensions import db
from server.findings.checks import refuse_unknown
from server.providers.models import Service

_AUTHOR = {"finding": "recorded_by", "walkaround": "conducted_by"}
WALK_EDITABLE = ("ended_at", "notes", "areas")


def _service(record) -> Service:
    return db.session.get(Service, record.service_id)


def update_walkaround(actor, walk, base_version: int, changes: dict):
    """Change a walkaround's end time, notes or areas (its walker, or a triaging manager)."""
    service = _service(walk)
    require_walk_editable(actor, walk, service)
    if walk.version != base_version:
        raise Conflict("This walkaround changed since you loaded it.")
    refuse_unknown(changes, WALK_EDITABLE)  # its walker, service and times never change
    changed = audit.apply_changes(walk, changes)
    if changed:
        audit.record(actor, "walkaround", walk.id, "update", changed, service_id=service.id)
        db.session.flush()
    return walk


def require_walk_editable(actor, walk, service: Service) -> None:
    """Raise Forbidden unless the actor did this walkaround or triages findings."""
    if walk.conducted_by != actor.user_id and not can(actor.user, "finding.triage", service):
        raise Forbidden("Only the person who did this walkaround may change it.")


def _may_delete(actor, entity_type: str, record, service: Service) -> bool:
    if entity_type == "log_entry":
        return can(actor.user, "entry.edit", service)
    if can(actor.user, "finding.triage", service):
        return True
    own = getattr(record, _AUTHOR[entity_type]) == actor.user_id
    return own and getattr(record, "triage_state", "new") == "new"


def require_deletable(actor, entity_type: str, record, *, rules: bool = True) -> Service:
    """Raise unless the actor may delete this record as it stands; return its service.

    ``rules`` False asks only whether their role lets them (the log's rule that only a
    draft is deleted is left to the delete itself: a conflict may wait for it).
    """
    service = _service(record)
    if rules and entity_type == "log_entry" and record.status != "draft":
        raise RuleBroken(
            "only_drafts_deleted", "Only a draft entry can be deleted; an open one must be closed."
        )
    if not _may_delete(actor, entity_type, record, service):
        raise Forbidden("You may only delete what you recorded, before it is triaged.")
    return service


def delete_record(actor, entity_type: str, record) -> None:
    """Make a record a tombstone: it disappears from devices and lists, its history stays."""
    service = require_deletable(actor, entity_type, record)
    record.deleted_at = utcnow()
    audit.record(
        actor, entity_type, record.id, "delete", {"deleted": [False, True]}, service_id=service.id
    )
    db.session.flush()


def restore_record(actor, entity_type: str, record) -> None:
    """Bring a tombstone back: a manager's conflict resolution chose the edit."""
    service = _service(record)
    record.deleted_at = None
    audit.record(
        actor, entity_type, record.id, "restore", {"deleted": [True, False]}, service_id=service.id
    )
    db.session.flush()


__all__ = [
    "delete_record",
    "require_deletable",
    "require_walk_editable",
    "restore_record",
    "update_walkaround",
]
