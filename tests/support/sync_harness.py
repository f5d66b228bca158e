"""What the sync suite needs from a store besides the Store protocol, one class per store.

The suite runs against every harness in tests/sync/conftest.py (HARNESSES): this memory
one and the SQL one (sql_harness.py). Each provides ``store``, ``service_id``, ``users``
(five user ids that may all push to ``service_id``), ``statements`` (three quality
statement ids), ``closure_refusal`` (the rule's message and fields when closing lacks
evidence), ``device`` (the device id a named tablet pushes with), ``actor``, ``now``,
``pull``, ``live_state``, ``timeline`` and ``events_of``.
"""

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sync.engine import apply
from sync.memory import MemoryStore
from sync.store import Page
from sync.types import Applied
from sync.validate import validate

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


WRITE_FAULTS = ("create", "append", "update", "transition", "delete")
"""Ops whose write can be told to fail (``inject``), besides ``read`` and ``keep_receipts``."""


class Faults:
    """Make the next calls of a store's ``read``, ``keep_receipts`` or write of an op raise:
    ``inject``, to test retries and a batch that carries on after a failure."""

    FAILABLE = ("read", "keep_receipts", *WRITE_FAULTS)

    def inject(self, method: str, error: Exception, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` raise ``error``."""
        assert method in self.FAILABLE, method
        self._pending.setdefault(method, []).extend([error] * times)

    def _fault(self, method: str) -> None:
        pending = self._pending.get(method)
        if pending:
            raise pending.pop(0)

    def read(self, entity_type, entity_ids):
        self._fault("read")
        return super().read(entity_type, entity_ids)

    def write(self, changes):
        for change in changes:
            self._fault(change.op)
        return super().write(changes)

    def keep_receipts(self, receipts):
        self._fault("keep_receipts")
        return super().keep_receipts(receipts)


class FailingMemoryStore(Faults, MemoryStore):
    """MemoryStore that can be told to fail."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[str, list[Exception]] = {}


@dataclass(frozen=True)
class TabletActor:
    """A SyncActor: the signed-in user and the device binding a push came through."""

    user_id: uuid.UUID
    device_id: str | None


class MemoryHarness:
    """The in-memory store with a ticking server clock."""

    name = "memory"
    statements = ("safe", "well_led", "responsive")
    closure_refusal = (
        "Closing needs at least one evidence reference from records, audits, feedback "
        "or practice checks; verbal reassurance alone is not enough.",
        {"evidence": "Add an evidence reference first."},
    )

    def __init__(self) -> None:
        self.store = FailingMemoryStore()
        self.service_id = uuid.uuid5(uuid.NAMESPACE_URL, "careloop:test:service")
        self.users = [uuid.uuid5(uuid.NAMESPACE_URL, f"careloop:test:user:{n}") for n in range(5)]
        self._ticks = itertools.count()

    def device(self, user: int, name: str) -> str:
        """Return the device id a tablet called ``name`` pushes with (any string here)."""
        return name

    def actor(self, user: int, device_id: str | None) -> TabletActor:
        return TabletActor(self.users[user], device_id)

    def now(self) -> datetime:
        """Return the server clock, one second later on every call."""
        return START + timedelta(seconds=next(self._ticks))

    def pull(self, actor, cursor: int, limit: int) -> Page:
        return self.store.pull(cursor, limit)

    def record(self, entity_type: str, entity_id) -> dict | None:
        return record(self.store, entity_type, entity_id)

    def receipt(self, device_id: str, mutation_id: str) -> dict | None:
        return receipt(self.store, device_id, mutation_id)

    def conflicts(self, *, status=None, entity_type=None, entity_id=None) -> list:
        """Return the store's conflicts, oldest first, optionally filtered."""
        return [
            c
            for c in self.store.conflicts.values()
            if (status is None or c.status == status)
            and (entity_type is None or c.entity_type == entity_type)
            and (entity_id is None or c.entity_id == entity_id)
        ]

    def live_state(self, actor) -> dict:
        """Return what ``actor`` should hold after a full pull: {(entity_type, id): record}."""
        return self.store.live()

    def timeline(self, entity_type: str, entity_id) -> list[dict]:
        """Return a record's history, oldest first, as event dicts (see events_of)."""
        return [
            _event(e)
            for e in self.store.events
            if (e["entity_type"], e["entity_id"]) == (entity_type, str(entity_id))
        ]

    def events_of(self, device_id: str, mutation_id: str) -> list[dict]:
        """Return the writes a mutation caused: {entity_type, entity_id, action, changes,
        device_id, mutation_id}, with changes as {field: [old, new]}."""
        return [_event(e) for e in self.store.events_of(device_id, mutation_id)]


def _event(event: dict) -> dict:
    keys = ("entity_type", "entity_id", "action", "changes", "device_id", "mutation_id")
    return {key: event[key] for key in keys}


class Tablet:
    """Builds one device's mutations: ids and sequence numbers as a real client would."""

    def __init__(self, harness, user: int, device_id: str):
        self.harness = harness
        self.user = user
        self.device_id = harness.device(user, device_id)
        self.actor = harness.actor(user, self.device_id)
        self.author_id = harness.users[user]
        self._seq = itertools.count(1)

    def raw(
        self,
        op,
        entity_type,
        entity_id,
        changes=None,
        base_values=None,
        base_version=None,
        transition=None,
        **extra,
    ) -> dict:
        """Return the JSON a device would push for one mutation."""
        seq = next(self._seq)
        return {
            "mutation_id": f"{self.device_id}-m{seq}",
            "device_id": self.device_id,
            "seq": seq,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "op": op,
            "author_id": str(self.author_id),
            "base_version": base_version,
            "changes": changes or {},
            "base_values": base_values or {},
            "device_time": "2025-03-03T09:00:00+00:00",
            "transition": transition,
        } | extra

    def make(self, *args, **kwargs):
        """Return a validated Mutation (failing the test if the JSON is invalid)."""
        mutation = validate(self.raw(*args, **kwargs))
        assert not hasattr(mutation, "code"), mutation
        return mutation


# ---- helpers of the engine tests ------------------------------------------------------


def record(store, entity_type: str, entity_id) -> dict | None:
    """Return one record as the store reads it (None: no such record)."""
    return store.read(entity_type, [entity_id])[entity_id]


def receipt(store, device_id: str, mutation_id: str) -> dict | None:
    """Return a mutation's stored outcome (None: never seen)."""
    return store.receipts(device_id, [mutation_id]).get(mutation_id)


def actions(harness, device_id, mutation_id):
    """Return what a mutation wrote (create, update, close…), once each time it wrote."""
    return [event["action"] for event in harness.events_of(device_id, mutation_id)]


def push(harness, device, mutation):
    return apply(harness.store, mutation, device.actor, harness.now())


ENTRY_PATHS = {
    "draft": [],
    "open": ["open"],
    "in_progress": ["open", "start"],
    "awaiting_check": ["open", "start", "mark_done"],
}


def make_entry(harness, desk, *, status="open", risk="medium", entry_id=None, **fields):
    """Create a log entry through the engine and move it to ``status``; return its id."""
    entry_id = entry_id or uuid.uuid4()
    changes = {
        "service_id": str(harness.service_id),
        "concern": "Pressure mats unplugged",
        "source": "walkaround",
        "decision": "Check every mat at 21:00 (night senior)",
        "owner_id": str(harness.users[1]),
        "due_date": "2025-03-31",
        "evidence_needed": "Night log",
        "risk": risk,
    } | fields
    created = push(harness, desk, desk.make("create", "log_entry", entry_id, changes=changes))
    assert isinstance(created, Applied), created
    seen = "draft"
    for action in ENTRY_PATHS[status]:
        version = harness.record("log_entry", entry_id)["version"]
        outcome = push(harness, desk, transition(desk, entry_id, version, seen, action))
        assert isinstance(outcome, Applied), outcome
        seen = harness.record("log_entry", entry_id)["status"]
    return entry_id


def edit(device, entry_id, version, field, new, old):
    return device.make(
        "update",
        "log_entry",
        entry_id,
        base_version=version,
        changes={field: new},
        base_values={field: old},
    )


def add_evidence(harness, device, entry_id, kind="care_record", evidence_id=None):
    return push(
        harness,
        device,
        device.make(
            "append",
            "evidence",
            evidence_id or uuid.uuid4(),
            changes={
                "entry_id": str(entry_id),
                "type": kind,
                "location": "Night log, 3 March",
                "evidence_date": "2025-03-03",
                "checked_by": str(device.author_id),
            },
        ),
    )


def transition(device, entry_id, version, seen, action, reason=None):
    return device.make(
        "transition",
        "log_entry",
        entry_id,
        base_version=version,
        base_values={"status": seen},
        transition={"action": action, "reason": reason},
    )
