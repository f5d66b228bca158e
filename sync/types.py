"""The wire types of sync: mutations, their outcomes and conflict records.

Every type is a small frozen dataclass with ``to_dict``/``from_dict`` to and from plain JSON
values, because the server stores outcomes (receipts) and conflicts as JSON. Field values
inside ``changes`` travel in their JSON kind (see sync.policies): UUIDs as lowercase
strings, dates as ``YYYY-MM-DD``, datetimes as ISO 8601 with an offset.
"""

import functools
import types
import typing
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar


def _out(value):
    """A field's JSON value: UUIDs as text, datetimes in ISO 8601, tuples as lists, nested
    wire types as their dicts, a dict as a copy."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_out(v) for v in value]
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, _Wire):
        return value.to_dict()
    return value


def _reader(hint) -> typing.Callable:
    """How a field of type ``hint`` is read back from its JSON value."""
    if isinstance(hint, types.UnionType) and type(None) in hint.__args__:
        (inner,) = (h for h in hint.__args__ if h is not type(None))
        read = _reader(inner)
        return lambda value: None if value is None else read(value)
    if hint is uuid.UUID:
        return uuid.UUID
    if hint is datetime:
        return datetime.fromisoformat
    if hint == Outcome:
        return outcome_from_dict
    if isinstance(hint, type) and issubclass(hint, _Wire):
        return hint.from_dict
    if typing.get_origin(hint) is tuple:
        item = _reader(typing.get_args(hint)[0])
        return lambda values: tuple(map(item, values or ()))
    if typing.get_origin(hint) is dict:
        return lambda value: dict(value or {})
    return lambda value: value


@functools.cache
def _plan(cls) -> tuple[tuple[str, ...], tuple]:
    """The keys ``to_dict`` writes (an outcome's class-wide ``status`` first) and each
    field's reader."""
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls))
    status = ("status",) if "status" not in names and hasattr(cls, "status") else ()
    return status + names, tuple((name, _reader(hints[name])) for name in names)


class _Wire:
    """``to_dict`` and ``from_dict`` of a wire type, field by field as its dataclass
    declares them; ``from_dict`` trusts its data (sync.validate checks input), and a field
    it lacks takes its default."""

    def to_dict(self) -> dict:
        return {name: _out(getattr(self, name)) for name in _plan(type(self))[0]}

    @classmethod
    def from_dict(cls, data: dict):
        return cls(**{name: read(data[name]) for name, read in _plan(cls)[1] if name in data})


@dataclass(frozen=True)
class Transition(_Wire):
    """A named move of a record's state, e.g. ``mark_done``, with the user's reason."""

    action: str
    reason: str | None = None


@dataclass(frozen=True)
class Mutation(_Wire):
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


# ---- outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Written(_Wire):
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


@dataclass(frozen=True)
class Applied(_Written):
    """The mutation applied against the version the device saw (``fields`` changed)."""

    status: ClassVar[str] = "applied"


@dataclass(frozen=True)
class Merged(_Written):
    """The record had moved on since the device's base; its fields merged without conflict."""

    status: ClassVar[str] = "merged"


@dataclass(frozen=True)
class ConflictRecorded(_Wire):
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
        return super().to_dict() | {"conflict_id": str(self.conflict_id)}


@dataclass(frozen=True)
class Rejected(_Wire):
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


@dataclass(frozen=True)
class Duplicate(_Wire):
    """The mutation was seen before; ``first`` is the stored outcome of its first arrival."""

    status: ClassVar[str] = "duplicate"
    mutation_id: str
    first: "Outcome"


Outcome = Applied | Merged | ConflictRecorded | Rejected | Duplicate

_OUTCOMES = {cls.status: cls for cls in (Applied, Merged, ConflictRecorded, Rejected, Duplicate)}


def outcome_from_dict(data: dict) -> Outcome:
    """Rebuild any outcome from its ``to_dict`` form."""
    return _OUTCOMES[data["status"]].from_dict(data)


# ---- conflicts ------------------------------------------------------------------------

# The pseudo-field of a conflict about the whole record (a delete against an edit).
RECORD = "_record"


@dataclass(frozen=True)
class Conflict(_Wire):
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
