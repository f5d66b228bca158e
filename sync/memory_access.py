"""Who may do what in the in-memory store: a stand-in for the server's checks
(server.syncing.access), over plain records.

The role table is passed in (tests give the server's ``PERMISSIONS``), with each user's
roles per service (None: across the provider). Without an Access the store lets everyone
do everything, as the engine's own tests need.
"""

from dataclasses import dataclass, field

from sync.memory_rules import ENTRY_STEP_PERMISSIONS
from sync.merge import id_taken_message, not_found_message
from sync.store import IdTaken, InvalidChange, NotFound, NotPermitted

_AUTHOR = {"finding": "recorded_by", "walkaround": "conducted_by"}


@dataclass
class Access:
    """The permission table (action -> roles) and who holds which role where."""

    permissions: dict[str, tuple[str, ...]]
    roles: dict[str, dict[str | None, set[str]]] = field(default_factory=dict)

    def can(self, user_id, action: str, service_id) -> bool:
        held = self.roles.get(str(user_id), {})
        mine = held.get(None, set()) | held.get(str(service_id), set())
        return bool(mine & set(self.permissions[action][0]))

    def holds_role(self, user_id, service_id) -> bool:
        held = self.roles.get(str(user_id), {})
        return bool(held.get(None) or held.get(str(service_id)))

    def readable(self, user_id, entity_type: str, record: dict, entry: dict | None) -> bool:
        """Whether the user may read the record (a note or evidence: its ``entry``)."""
        if entity_type in ("note", "evidence"):
            entity_type, record = "log_entry", entry or {}
        service_id = record.get("service_id")
        if entity_type in _AUTHOR:
            own = record.get(_AUTHOR[entity_type]) == str(user_id)
            return self.can(user_id, "service.read", service_id) and (
                own or self.can(user_id, "finding.read_all", service_id)
            )
        return self.can(user_id, "entry.read", service_id)

    def authorise(self, user_id, mutation, current: dict | None, entry: dict | None) -> None:
        """Raise what server.syncing.access.authorise raises for the same case."""
        if current is None:
            if entry is not None:
                self._append(user_id, entry)
            return
        kind = mutation.entity_type
        if not self.readable(user_id, kind, current, entry):
            if mutation.op in ("create", "append"):
                raise IdTaken(*id_taken_message(kind))
            raise NotFound(*not_found_message(kind))
        op = mutation.op
        if op in ("create", "append"):
            if not current.get("deleted"):
                return
            op = "update"
        if kind in ("note", "evidence"):
            raise InvalidChange("Notes and evidence are never changed once added.")
        if op == "delete":
            self._delete(user_id, kind, current)
        elif kind == "log_entry":
            self._entry(user_id, mutation, op, current)
        elif op == "transition" and mutation.transition.action == "withdraw":
            self._withdraw(user_id, kind, current)
        elif op == "transition" or not self._may_edit(user_id, kind, current):
            self._require(user_id, "finding.triage", current)

    @staticmethod
    def _withdraw(user_id, kind: str, record: dict) -> None:
        """A finding is withdrawn by its recorder alone, while it is new (as the server)."""
        if record.get(_AUTHOR[kind]) != str(user_id):
            raise NotPermitted("Only the person who recorded this finding may withdraw it.")
        if record.get("triage_state") != "new":
            raise NotPermitted("This finding has been triaged; ask a manager to change it.")

    def _append(self, user_id, entry: dict) -> None:
        if not self.readable(user_id, "log_entry", entry, None):
            raise NotFound(
                "There is no log entry with this id.",
                {"entry_id": "No live log entry has this id."},
            )
        owner = entry.get("owner_id") == str(user_id)
        if not (owner and self.holds_role(user_id, entry.get("service_id"))):
            self._require(user_id, "entry.annotate", entry)

    def _require(self, user_id, action: str, record: dict) -> None:
        if not self.can(user_id, action, record.get("service_id")):
            raise NotPermitted(f"Your role does not allow this ({action}).")

    def _may_edit(self, user_id, kind: str, record: dict) -> bool:
        service_id = record.get("service_id")
        if self.can(user_id, "finding.triage", service_id):
            return True
        own = record.get(_AUTHOR[kind]) == str(user_id)
        if kind == "walkaround":
            return own
        return (
            own
            and self.can(user_id, "finding.create", service_id)
            and (record.get("triage_state") == "new")
        )

    def _entry(self, user_id, mutation, op: str, entry: dict) -> None:
        service_id = entry.get("service_id")
        if op == "update":
            if set(mutation.changes) <= {"owner_id"} and self.can(
                user_id, "entry.assign", service_id
            ):
                return
            self._require(user_id, "entry.edit", entry)
            return
        step = ENTRY_STEP_PERMISSIONS.get(mutation.transition.action)
        if step is None:
            raise InvalidChange(f"Unknown action: {mutation.transition.action!r}.")
        action, owner_may = step
        owner = entry.get("owner_id") == str(user_id)
        if owner_may and owner and self.holds_role(user_id, service_id):
            return
        self._require(user_id, action, entry)

    def _delete(self, user_id, kind: str, record: dict) -> None:
        service_id = record.get("service_id")
        if kind == "log_entry":
            if self.can(user_id, "entry.edit", service_id):
                return
        elif self.can(user_id, "finding.triage", service_id) or (
            record.get(_AUTHOR[kind]) == str(user_id) and record.get("triage_state", "new") == "new"
        ):
            return
        raise NotPermitted("You may only delete what you recorded, before it is triaged.")
