"""The wire types of sync: mutations, their outcomes and conflict records.

Every type is a small frozen dataclass with ``to_dict``/``from_dict`` to and from plain JSON
values, because the server stores outcomes (receipts) and conflicts as JSON. Field values
inside ``changes`` travel in their JSON kind (see sync.policies): UUIDs as lowercase
strings, dates as ``YYYY-MM-DD``, datetimes as ISO 8601 with an offset.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


def _uuid(value) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _str(value) -> str | None:
    return None if value is None else str(value)


def _time(value) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class Transition:
    """A named move of a record's state, e.g. ``mark_done``, with the user's reason."""

    action: str
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"action": self.action, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict) -> "Transition":
        return cls(action=data["action"], reason=data.get("reason"))


@dataclass(frozen=True)
class Mutation:
    """One change made on a device, kept there until the server acknowledges it.

    ``device_time`` is kept for the record and never used for ordering: the server's change
    sequence orders everything. Treat ``changes`` and ``base_values`` as read-only.
    """

    mutation_id: str
    device_id: str
    seq: int
    entity_type: str
    entity_id: uuid.UUID
    op: str
    author_id: uuid.UUID
    base_version: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    base_values: dict[str, Any] = field(default_factory=dict)
    device_time: datetime | None = None
    transition: Transition | None = None

    def to_dict(self) -> dict:
        return {
            "mutation_id": self.mutation_id,
            "device_id": self.device_id,
            "seq": self.seq,
            "entity_type": self.entity_type,
            "entity_id": str(self.entity_id),
            "op": self.op,
            "author_id": str(self.author_id),
            "base_version": self.base_version,
            "changes": dict(self.changes),
            "base_values": dict(self.base_values),
            "device_time": _iso(self.device_time),
            "transition": self.transition.to_dict() if self.transition else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Mutation":
        """Rebuild a mutation from ``to_dict`` output (trusted data; use validate for input)."""
        transition = data.get("transition")
        return cls(
            mutation_id=data["mutation_id"],
            device_id=data["device_id"],
            seq=data["seq"],
            entity_type=data["entity_type"],
            entity_id=uuid.UUID(data["entity_id"]),
            op=data["op"],
            author_id=uuid.UUID(data["author_id"]),
            base_version=data.get("base_version"),
            changes=dict(data.get("changes") or {}),
            base_values=dict(data.get("base_values") or {}),
            device_time=_time(data.get("device_time")),
            transition=Transition.from_dict(transition) if transition else None,
        )


# ---- outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Written:
    """Shared shape of Applied and Merged (neither is an instance of the other)."""

    status: ClassVar[str]
    mutation_id: str
    entity_type: str
    entity_id: uuid.UUID
    version: int
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        # A push asks twice (its receipt, then its answer): the id is written out once.
        # Each call still returns a new dict and a new list.
        known = self.__dict__.get("_dict")
        if known is None:
            known = {
                "status": self.status,
                "mutation_id": self.mutation_id,
                "entity_type": self.entity_type,
                "entity_id": str(self.entity_id),
                "version": self.version,
            }
            object.__setattr__(self, "_dict", known)
        return known | {"fields": list(self.fields)}

    @classmethod
    def from_dict(cls, data: dict):
        return cls(
            mutation_id=data["mutation_id"],
            entity_type=data["entity_type"],
            entity_id=uuid.UUID(data["entity_id"]),
            version=data["version"],
            fields=tuple(data.get("fields") or ()),
        )


@dataclass(frozen=True)
class Applied(_Written):
    """The mutation applied against the version the device saw (``fields`` changed)."""

    status: ClassVar[str] = "applied"


@dataclass(frozen=True)
class Merged(_Written):
    """The record had moved on since the device's base; its fields merged without conflict."""

    status: ClassVar[str] = "merged"


@dataclass(frozen=True)
class ConflictRecorded:
    """Some changes could not merge: each is kept in a conflict; ``applied`` did merge."""

    status: ClassVar[str] = "conflict"
    mutation_id: str
    entity_type: str
    entity_id: uuid.UUID
    version: int | None
    conflict_ids: tuple[uuid.UUID, ...]
    fields: tuple[str, ...]
    applied: tuple[str, ...] = ()

    @property
    def conflict_id(self) -> uuid.UUID:
        return self.conflict_ids[0]

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "mutation_id": self.mutation_id,
            "entity_type": self.entity_type,
            "entity_id": str(self.entity_id),
            "version": self.version,
            "conflict_id": str(self.conflict_id),
            "conflict_ids": [str(c) for c in self.conflict_ids],
            "fields": list(self.fields),
            "applied": list(self.applied),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ConflictRecorded":
        return cls(
            mutation_id=data["mutation_id"],
            entity_type=data["entity_type"],
            entity_id=uuid.UUID(data["entity_id"]),
            version=data.get("version"),
            conflict_ids=tuple(uuid.UUID(c) for c in data["conflict_ids"]),
            fields=tuple(data["fields"]),
            applied=tuple(data.get("applied") or ()),
        )


@dataclass(frozen=True)
class Rejected:
    """The mutation was refused; ``reason`` names the field or rule, ``fields`` says why.

    ``retry`` is true only for a passing condition (the server was busy): the device may
    send the same mutation again. Otherwise the device keeps it for the user to see.
    """

    status: ClassVar[str] = "rejected"
    mutation_id: str | None
    code: str
    reason: str
    fields: dict[str, str] = field(default_factory=dict)
    rule: str | None = None
    retry: bool = False

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "mutation_id": self.mutation_id,
            "code": self.code,
            "reason": self.reason,
            "fields": dict(self.fields),
            "rule": self.rule,
            "retry": self.retry,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Rejected":
        return cls(
            mutation_id=data.get("mutation_id"),
            code=data["code"],
            reason=data["reason"],
            fields=dict(data.get("fields") or {}),
            rule=data.get("rule"),
            retry=bool(data.get("retry", False)),
        )


@dataclass(frozen=True)
class Duplicate:
    """The mutation was seen before; ``first`` is the stored outcome of its first arrival."""

    status: ClassVar[str] = "duplicate"
    mutation_id: str
    first: "Outcome"

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "mutation_id": self.mutation_id,
            "first": self.first.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Duplicate":
        return cls(mutation_id=data["mutation_id"], first=outcome_from_dict(data["first"]))


Outcome = Applied | Merged | ConflictRecorded | Rejected | Duplicate

_OUTCOMES = {cls.status: cls for cls in (Applied, Merged, ConflictRecorded, Rejected, Duplicate)}


def outcome_from_dict(data: dict) -> Outcome:
    """Rebuild any outcome from its ``to_dict`` form."""
    return _OUTCOMES[data["status"]].from_dict(data)


# ---- conflicts ------------------------------------------------------------------------

CONFLICT_KINDS = ("field", "edit_vs_delete", "delete_vs_edit", "transition")
CONFLICT_STATUSES = ("open", "resolved")
# The pseudo-field of a conflict about the whole record (a delete against an edit).
RECORD = "_record"


@dataclass(frozen=True)
class Conflict:
    """Two values for one field (or an edit against a delete) kept for a manager to decide.

    ``kept_*`` is the side committed first, which stays in the record; ``other_*`` is the
    later side, kept here. Times are server times.
    """

    id: uuid.UUID
    kind: str
    entity_type: str
    entity_id: uuid.UUID
    field: str
    base_value: Any
    kept_value: Any
    kept_author: uuid.UUID | None
    kept_device: str | None
    kept_at: datetime | None
    other_value: Any
    other_author: uuid.UUID
    other_device: str
    other_at: datetime
    mutation_id: str
    service_id: uuid.UUID | None = None
    status: str = "open"
    resolution: dict | None = None

    def to_dict(self) -> dict:
        return {
            "id": str(self.id),
            "kind": self.kind,
            "entity_type": self.entity_type,
            "entity_id": str(self.entity_id),
            "field": self.field,
            "base_value": self.base_value,
            "kept_value": self.kept_value,
            "kept_author": _str(self.kept_author),
            "kept_device": self.kept_device,
            "kept_at": _iso(self.kept_at),
            "other_value": self.other_value,
            "other_author": str(self.other_author),
            "other_device": self.other_device,
            "other_at": _iso(self.other_at),
            "mutation_id": self.mutation_id,
            "service_id": _str(self.service_id),
            "status": self.status,
            "resolution": self.resolution,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Conflict":
        return cls(
            id=uuid.UUID(data["id"]),
            kind=data["kind"],
            entity_type=data["entity_type"],
            entity_id=uuid.UUID(data["entity_id"]),
            field=data["field"],
            base_value=data.get("base_value"),
            kept_value=data.get("kept_value"),
            kept_author=_uuid(data.get("kept_author")),
            kept_device=data.get("kept_device"),
            kept_at=_time(data.get("kept_at")),
            other_value=data.get("other_value"),
            other_author=uuid.UUID(data["other_author"]),
            other_device=data["other_device"],
            other_at=datetime.fromisoformat(data["other_at"]),
            mutation_id=data["mutation_id"],
            service_id=_uuid(data.get("service_id")),
            status=data.get("status", "open"),
            resolution=data.get("resolution"),
        )
