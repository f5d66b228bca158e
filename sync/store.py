"""The storage interface the engine writes through, and the errors a store may raise.

The server implements ``Store`` with SQLAlchemy, calling the same service functions as the
REST API (one write path); sync.memory implements it in memory for tests. Both must pass
tests/sync. Records cross this interface as plain dicts: ``id`` (str), ``version`` (int),
``deleted`` (bool), ``change_seq`` (int) and every field in its JSON kind (sync.policies),
exactly as a device would see it in a pull, so that the merge compares like with like.
"""

import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sync.types import Conflict, Mutation


class SyncActor(Protocol):
    """Who pushes: the session user and the device binding the push came through.

    The server's ``server.audit.services.Actor`` fits (``user_id``, ``device_id``). A
    mutation's ``device_id`` must equal ``str(actor.device_id)``; None skips that check.
    """

    @property
    def user_id(self) -> uuid.UUID: ...

    @property
    def device_id(self) -> str | None: ...


@dataclass(frozen=True)
class WriteContext:
    """Everything a store write needs besides the data: who, when (server time), why."""

    actor: Any  # a SyncActor; the server passes its own Actor through untouched
    now: datetime
    mutation: Mutation | None = None  # None for a manager's conflict resolution


@dataclass(frozen=True)
class Writer:
    """Who last wrote a field (or a record), from which device, at which server time."""

    author_id: uuid.UUID | None
    device_id: str | None
    at: datetime | None


@dataclass(frozen=True)
class Page:
    """One page of a pull: records changed after the cursor, tombstones included."""

    changes: list[dict]
    next_cursor: int
    has_more: bool


# ---- what a store raises --------------------------------------------------------------


class Refused(Exception):
    """The store refused a write; the engine turns it into Rejected with these details."""

    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.rule = rule


class InvalidChange(Refused):
    """A value is not acceptable (unknown risk level, missing required field…)."""


class RuleRefused(Refused):
    """A rule of the log refused the change; ``rule`` names it, ``message`` is its own."""

    code = "rule"

    def __init__(self, rule: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields, rule)


class NotFound(Refused):
    """A record the change refers to does not exist (or the author may not see it)."""

    code = "not_found"


class IdTaken(Refused):
    """A create names the id of another record (or of one its author may not read)."""

    code = "id_taken"


class NotPermitted(Refused):
    """The author may not make this change."""

    code = "forbidden"


class StaleWrite(Exception):
    """Another writer committed first (version moved on, or the receipt key exists).

    The engine rolls the unit back and applies the mutation again from a fresh read.
    """


class TransactionLost(Exception):
    """The database gave up the whole transaction (a deadlock, a serialisation failure):
    nothing the batch wrote stands, not even in units that ended well.

    The engine never catches it, and never goes on mutation by mutation in a transaction
    that is gone: its caller rolls everything back, and may run the whole batch again.
    """


# ---- the interface --------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One write the engine asks of a store: what to do to which record, on which version.

    ``op`` is ``create`` (a record with a client-generated id), ``append`` (a note or
    evidence added to its entry), ``update`` (set ``fields``), ``transition`` (``action``
    with ``reason`` through the log's rules), ``delete`` (make a tombstone) or ``restore``
    (bring one back: only a manager's conflict resolution does). ``version`` is the version
    the change applies to (None for create and append).
    """

    op: str
    entity_type: str
    entity_id: uuid.UUID
    ctx: WriteContext
    fields: dict = field(default_factory=dict)
    version: int | None = None
    action: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Receipt:
    """A mutation's stored outcome (``Outcome.to_dict()``), kept under its device and id."""

    device_id: str
    mutation_id: str
    seq: int
    outcome: dict
    ctx: WriteContext


class Store(Protocol):
    """What the engine needs from storage. Every write happens inside ``unit()``."""

    def unit(self) -> AbstractContextManager[None]:
        """Open a savepoint: commit it on exit, roll it back on error."""
        ...

    def read(self, entity_type: str, entity_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict | None]:
        """Return each record as a plain dict, tombstones included (None: no such record).

        The SQL store locks the rows (SELECT … FOR UPDATE) so the merge sees the latest
        committed copy; StaleWrite remains the safety net. Read outside any unit, it is the
        batch's read: the SQL store keeps those records loaded for the rest of the
        transaction and takes the change numbers the batch will need, in one go.
        """
        ...

    def authorise(self, actor: Any, mutation: Mutation, current: dict | None) -> None:
        """Raise Refused unless ``actor`` may make ``mutation`` to the record as it stands.

        ``current`` is what ``read`` just returned. The engine asks before any merge,
        conflict or write, with the same rules the desk applies: NotFound (or IdTaken for
        a create) when the actor may not read the record, so that its existence and values
        stay undisclosed; NotPermitted or RuleRefused when they may read but not do this.
        With ``current`` None a create is left to the checks of its write.
        """
        ...

    def write(self, changes: list[Change]) -> list["int | Refused"]:
        """Write ``changes`` in order, each through the same rules as the desk's; return,
        in order, each record's version after its change, or the Refused error of one the
        rules refused (which writes nothing; the rest are written).

        Raises StaleWrite, having written nothing, when a record's version moved on or the
        changes cannot be written together: the engine then writes each on its own. An
        update or transition of a record checks ``authorise`` for ``ctx.mutation`` first
        when the engine hands over more than one change.
        """
        ...

    def last_writer(
        self, entity_type: str, entity_id: uuid.UUID, field: str | None
    ) -> Writer | None:
        """Return who last set ``field`` (or changed the record at all when None)."""
        ...

    def receipts(self, device_id: str, mutation_ids: list[str]) -> dict[str, dict]:
        """Return the stored outcomes of those of ``mutation_ids`` seen before, by id."""
        ...

    def keep_receipts(self, receipts: list[Receipt]) -> None:
        """Store outcomes under (device_id, mutation_id), unique; StaleWrite if one is taken."""
        ...

    def conflict(self, conflict_id: uuid.UUID) -> Conflict | None:
        """Return one conflict, open or resolved."""
        ...

    def keep_conflict(self, conflict: Conflict, ctx: WriteContext) -> None:
        """Keep a new open conflict, or the resolution of one kept before (same id)."""
        ...


def write_one(store: Store, change: Change) -> int:
    """Write one change; return the record's new version, or raise the Refused it met."""
    (written,) = store.write([change])
    if isinstance(written, Refused):
        raise written
    return written


class ChangeFeed(Protocol):
    """Incremental pull in server change-sequence order (never device clocks)."""

    def pull(self, cursor: int, limit: int) -> Page:
        """Return records whose change_seq is after ``cursor``, oldest change first."""
        ...
