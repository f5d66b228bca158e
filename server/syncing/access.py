"""May this sync actor do this mutation to this record as it stands now? The desk's checks.

The engine asks before any merge, conflict or write (sync.store.Store.authorise), so a
mutation the desk would refuse records nothing: no conflict, no change, only its receipt.
Every rule here is the desk's own function (the permission table, the findings' and the
log's guards); nothing is decided twice. A record the actor may not read answers exactly
as one that does not exist, so a refusal discloses neither its values nor that it exists.
"""

from server.accounts.permissions import require
from server.audit.services import Actor
from server.errors import Forbidden, Invalid
from server.extensions import db
from server.findings.services import may_read, require_editable
from server.findings.withdrawal import require_withdrawable
from server.log import guards
from server.log.models import LogEntry
from server.log.services import require_edit
from server.log.transitions import ACTIONS, TRANSITIONS
from server.providers.models import Service
from server.syncing.writes import require_deletable, require_walk_editable
from sync import store as port
from sync.merge import id_taken_message, not_found_message
from sync.policies import FLOOR_TRANSITIONS, FLOOR_WORK

_AUTHOR = {"finding": "recorded_by", "walkaround": "conducted_by"}


def readable(user, entity_type: str, record) -> bool:
    """Whether ``user`` may read ``record`` at the desk (tombstones as if they were live)."""
    if entity_type in _AUTHOR:
        service = db.session.get(Service, record.service_id)
        return may_read(user, record, _AUTHOR[entity_type], service)
    if entity_type in ("note", "evidence"):
        record = db.session.get(LogEntry, record.entry_id)
    return guards.may(Actor(user), "entry.read", record)


def authorise(actor: Actor, mutation, entity_type: str, record, entry=None) -> None:
    """Raise the engine's Refused unless ``actor`` may make ``mutation`` to ``record``.

    ``record`` is the loaded row (another provider's is never loaded), or None when no such
    record exists: a create then goes through its service's own checks when it is written,
    and an append is checked against ``entry``, the entry it hangs off (None: none).
    """
    if record is None:
        if entry is not None:
            _append(actor, entry)
        return
    if not readable(actor.user, entity_type, record):
        if mutation.op in ("create", "append"):
            raise port.IdTaken(*id_taken_message(entity_type))
        message, fields = not_found_message(entity_type)
        raise port.NotFound(message, fields)
    op = mutation.op
    if op in ("create", "append"):
        if record.deleted_at is None:
            return  # a repeat of the same values, or an id taken: the merge says which
        op = "update"  # on a tombstone the create becomes a conflict, as an edit would
    _CHECKS[entity_type][op](actor, mutation, record)


def require_floor_work(actor: Actor, mutation, record) -> None:
    """Refuse, under a device credential, what is not floor work (sync.policies.FLOOR_WORK):
    of the transitions, only those named in FLOOR_TRANSITIONS, on a record of the actor's
    own (an action they own, a finding they recorded)."""
    floor = mutation.op in FLOOR_WORK.get(mutation.entity_type, ())
    if floor and mutation.op == "transition":
        actions, whose = FLOOR_TRANSITIONS[mutation.entity_type]
        floor = (
            mutation.transition.action in actions
            and record is not None
            and getattr(record, whose) == actor.user_id
        )
    if not floor:
        raise Forbidden(
            "This change needs a live sign-in at the desk: a tablet's sync credential "
            "sends floor work only.",
            action="desk_session",
        )


def _append(actor, entry) -> None:
    """A note or evidence: the entry must be one the actor reads, and may annotate."""
    if not readable(actor.user, "log_entry", entry):
        raise port.NotFound(
            "There is no log entry with this id.", {"entry_id": "No live log entry has this id."}
        )
    guards.require_on_entry(actor, "entry.annotate", entry, owner_may=True)


def _finding_update(actor, mutation, finding) -> None:
    require_editable(actor, finding, db.session.get(Service, finding.service_id))


def _walk_update(actor, mutation, walk) -> None:
    require_walk_editable(actor, walk, db.session.get(Service, walk.service_id))


def _entry_update(actor, mutation, entry) -> None:
    require_edit(actor, entry, dict(mutation.changes))


def _finding_transition(actor, mutation, finding) -> None:
    if mutation.transition.action == "withdraw":
        require_withdrawable(actor, finding)  # its recorder alone, while it is new
        return
    require(actor.user, "finding.triage", db.session.get(Service, finding.service_id))


def _entry_transition(actor, mutation, entry) -> None:
    step = TRANSITIONS.get(mutation.transition.action)
    if step is None:
        raise Invalid(
            f"Unknown action: {mutation.transition.action!r}.",
            {"transition.action": f"Must be one of: {', '.join(ACTIONS)}."},
        )
    guards.require_on_entry(actor, step.permission, entry, owner_may=step.owner_may)


def _deletion(entity_type: str):
    def check(actor, mutation, record) -> None:
        require_deletable(actor, entity_type, record, rules=False)

    return check


def _append_only(actor, mutation, record) -> None:
    raise port.InvalidChange("Notes and evidence are never changed once added.")


_CHECKS = {
    "finding": {
        "update": _finding_update,
        "transition": _finding_transition,
        "delete": _deletion("finding"),
    },
    "walkaround": {"update": _walk_update, "delete": _deletion("walkaround")},
    "log_entry": {
        "update": _entry_update,
        "transition": _entry_transition,
        "delete": _deletion("log_entry"),
    },
    "note": {"update": _append_only},
    "evidence": {"update": _append_only},
}
