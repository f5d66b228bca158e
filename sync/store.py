"""The storage interface the engine writes through, and the errors a store may raise.

The server implements ``Store`` with SQLAlchemy, calling the same service functions as the
REST API (one write path); sync.memory implements it in memory for tests. Both must pass
tests/sync. Records cross this interface as plain dicts: ``id`` (str), ``version`` (int),
``deleted`` (bool), ``change_seq`` (int) and every field in its JSON kind (sync.policies),
exactly as a device would see it in a pull, so that the merge compares like with like.
"""

import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
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

    code = "invalid"


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


class Store(Protocol):
    """What the engine needs from storage. Every write happens inside ``unit()``."""

    BULK_CREATES: tuple[str, ...]
    """Entity types whose plain creates ``create_many`` writes together."""

    BULK_UPDATES: tuple[str, ...]
    """Entity types whose plain updates ``update_many`` writes together."""

    def unit(self) -> AbstractContextManager[None]:
        """Open a savepoint for one mutation: commit it on exit, roll it back on error."""
        ...

    def get(self, entity_type: str, entity_id: uuid.UUID) -> dict | None:
        """Return the plain record, tombstones included, or None if it never existed.

        The SQL store should lock the row (SELECT … FOR UPDATE) so the merge sees the
        latest committed copy; StaleWrite remains the safety net.
        """
        ...

    def reserve(self, count: int) -> None:
        """Expect about ``count`` changed records in this batch: a hint, called outside any
        unit (the SQL store takes their change sequence numbers in one go)."""
        ...

    def existing(self, entity_type: str, entity_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Return which of ``entity_ids`` exist as ``get`` would see them, in one read.

        The SQL store loads and locks them there, so that the ``get`` of each mutation that
        follows in the same transaction needs no query of its own.
        """
        ...

    def authorise(self, actor: Any, mutation: Mutation, current: dict | None) -> None:
        """Raise Refused unless ``actor`` may make ``mutation`` to the record as it stands.

        ``current`` is what ``get`` just returned. The engine asks before any merge,
        conflict or write, with the same rules the desk applies: NotFound (or IdTaken for
        a create) when the actor may not read the record, so that its existence and values
        stay undisclosed; NotPermitted or RuleRefused when they may read but not do this.
        With ``current`` None a create is left to the checks of its write.
        """
        ...

    def last_writer(
        self, entity_type: str, entity_id: uuid.UUID, field: str | None
    ) -> Writer | None:
        """Return who last set ``field`` (or changed the record at all when None)."""
        ...

    def create(
        self, entity_type: str, entity_id: uuid.UUID, fields: dict, ctx: WriteContext
    ) -> dict:
        """Create a record with a client-generated id; set server-owned fields; return it."""
        ...

    def create_many(
        self, entity_type: str, items: list[tuple[uuid.UUID, dict, WriteContext]]
    ) -> list["int | Refused"]:
        """Create many new records at once, each as ``create`` would (types in BULK_CREATES).

        Returns, in order, each new record's version, or the Refused error of one the rules
        refused (which writes nothing). Raises StaleWrite, having written nothing, when the records cannot
        be written together; the engine then applies each mutation on its own.
        """
        ...

    def update_many(
        self, entity_type: str, items: list[tuple[uuid.UUID, dict, int, WriteContext]]
    ) -> list["int | Refused"]:
        """Update many records at once, each as ``update`` would (types in BULK_UPDATES).

        ``items`` are (entity_id, fields, expected_version, ctx). Each is authorised
        first, as ``authorise`` would for ``ctx.mutation``. Returns, in order, each
        record's version after the update, or the Refused error of one the rules refused
        (which writes nothing). Raises StaleWrite, having written nothing, when a version
        moved on or the records cannot be written together; the engine then applies each
        mutation on its own.
        """
        ...

    def append(
        self, entity_type: str, entity_id: uuid.UUID, fields: dict, ctx: WriteContext
    ) -> dict:
        """Add an append-only record (note, evidence) to its entry; return it."""
        ...

    def update(
        self,
        entity_type: str,
        entity_id: uuid.UUID,
        fields: dict,
        expected_version: int,
        ctx: WriteContext,
    ) -> dict:
        """Set fields if the version is still ``expected_version``, else raise StaleWrite."""
        ...

    def transition(
        self,
        entity_type: str,
        entity_id: uuid.UUID,
        action: str,
        reason: str | None,
        expected_version: int,
        ctx: WriteContext,
    ) -> dict:
        """Move the record's state through the log's rules (RuleRefused when they say no)."""
        ...

    def delete(
        self, entity_type: str, entity_id: uuid.UUID, expected_version: int, ctx: WriteContext
    ) -> dict:
        """Make the record a tombstone; return it."""
        ...

    def restore(
        self, entity_type: str, entity_id: uuid.UUID, expected_version: int, ctx: WriteContext
    ) -> dict:
        """Bring a tombstone back (only a manager's conflict resolution does this)."""
        ...

    def get_receipt(self, device_id: str, mutation_id: str) -> dict | None:
        """Return the stored outcome (``Outcome.to_dict()``) of a mutation seen before."""
        ...

    def get_receipts(self, device_id: str, mutation_ids: list[str]) -> dict[str, dict]:
        """Return the stored outcomes of those of ``mutation_ids`` seen before, by id."""
        ...

    def put_receipt(
        self, device_id: str, mutation_id: str, seq: int, outcome: dict, ctx: WriteContext
    ) -> None:
        """Store an outcome under (device_id, mutation_id), unique; StaleWrite if taken."""
        ...

    def put_receipts(self, receipts: list[tuple[str, str, int, dict, WriteContext]]) -> None:
        """Store many (device_id, mutation_id, seq, outcome, ctx) at once, as put_receipt."""
        ...

    def add_conflict(self, conflict: Conflict) -> None:
        """Keep a new open conflict."""
        ...

    def get_conflict(self, conflict_id: uuid.UUID) -> Conflict | None:
        """Return one conflict, open or resolved."""
        ...

    def list_conflicts(
        self,
        *,
        status: str | None = None,
        entity_type: str | None = None,
        entity_id: uuid.UUID | None = None,
    ) -> list[Conflict]:
        """Return conflicts, oldest first, optionally filtered."""
        ...

    def resolve_conflict(
        self, conflict_id: uuid.UUID, resolution: dict, ctx: WriteContext
    ) -> Conflict:
        """Mark a conflict resolved with ``resolution``; return it."""
        ...


class ChangeFeed(Protocol):
    """Incremental pull in server change-sequence order (never device clocks)."""

    def pull(self, cursor: int, limit: int) -> Page:
        """Return records whose change_seq is after ``cursor``, oldest change first."""
        ...
