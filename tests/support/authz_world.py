"""One provider, two homes, a user for each kind of role and a record of each type, built the
same way in the memory store and in the SQL store for the authorisation property test.

Ashdown House (``a``) and Beech Court (``b``): findings and walkarounds by a senior carer of
each (and one finding by Ashdown's care worker), an open entry of each home owned by a floor
role. Every record holds a secret in its text, written as its second version, so that a
push based on the first is stale. Ids are derived from names: both stores hold the same.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sync.engine import apply_batch
from sync.memory import MemoryStore
from sync.memory_access import Access
from sync.types import Rejected
from sync.validate import validate
from tests.support.sync_harness import record as stored

NS = uuid.UUID("9b8f3d2a-1c4e-4f6a-8b7d-2e5f6a7b8c9d")
PROVIDER = uuid.uuid5(NS, "provider")
SERVICES = {"a": uuid.uuid5(NS, "service/a"), "b": uuid.uuid5(NS, "service/b")}

# name -> (role, home or None for a provider-wide role)
USERS = {
    "carer_a": ("care_worker", "a"),
    "senior_a": ("senior_carer", "a"),
    "coordinator_a": ("care_coordinator", "a"),
    "duty_a": ("duty_manager", "a"),
    "deputy_a": ("deputy_manager", "a"),
    "rm_a": ("registered_manager", "a"),
    "senior_b": ("senior_carer", "b"),
    "rm_b": ("registered_manager", "b"),
    "ni": ("nominated_individual", None),
    "admin": ("provider_admin", None),
}
USER_IDS = {name: uuid.uuid5(NS, f"user/{name}") for name in USERS}

# name -> (entity type, home, author, entry owner)
RECORDS = {
    "finding_a": ("finding", "a", "senior_a", None),
    "finding_own": ("finding", "a", "carer_a", None),
    "walk_a": ("walkaround", "a", "senior_a", None),
    "entry_a": ("log_entry", "a", "rm_a", "carer_a"),
    "finding_b": ("finding", "b", "senior_b", None),
    "walk_b": ("walkaround", "b", "senior_b", None),
    "entry_b": ("log_entry", "b", "rm_b", "senior_b"),
}
RECORD_IDS = {name: uuid.uuid5(NS, f"record/{name}") for name in RECORDS}
TEXT = {"finding": "description", "walkaround": "notes", "log_entry": "concern"}
FIRST = {"finding": "First words", "walkaround": "", "log_entry": "First words"}


def secret(name: str) -> str:
    return f"Secret of {name}"


def access(permissions: dict) -> Access:
    """The memory store's stand-in for the server's checks, with the server's table."""
    roles: dict = {}
    for name, (role, home) in USERS.items():
        key = str(SERVICES[home]) if home else None
        roles[str(USER_IDS[name])] = {key: {role}}
    return Access(permissions, roles)


@dataclass
class Seeder:
    """Builds and pushes the world's mutations through the engine, as each author."""

    world: object
    seq: int = 0

    def mutation(self, user: str, op: str, record: str, **fields):
        self.seq += 1
        entity_type = RECORDS[record][0]
        raw = {
            "mutation_id": f"{user}-m{self.seq}",
            "device_id": self.world.device(user),
            "seq": self.seq,
            "entity_type": entity_type,
            "entity_id": str(RECORD_IDS[record]),
            "op": op,
            "author_id": str(USER_IDS[user]),
            "base_version": None,
            "changes": {},
            "base_values": {},
            "device_time": None,
            "transition": None,
        } | fields
        mutation = validate(raw)
        assert not isinstance(mutation, Rejected), mutation
        return mutation

    def push(self, user: str, mutation):
        return self.world.apply(user, mutation)

    def seed(self) -> None:
        today = datetime.now(UTC)
        for name, (entity_type, home, author, owner) in RECORDS.items():
            changes = {"service_id": str(SERVICES[home])} | _fields(entity_type, name, today, owner)
            created = self.push(author, self.mutation(author, "create", name, changes=changes))
            assert created.status == "applied", created
            if entity_type == "log_entry":
                second = self.mutation(
                    author,
                    "transition",
                    name,
                    base_version=1,
                    base_values={"status": "draft"},
                    transition={"action": "open", "reason": None},
                )
            else:
                field = TEXT[entity_type]
                second = self.mutation(
                    author,
                    "update",
                    name,
                    base_version=1,
                    changes={field: secret(name)},
                    base_values={field: FIRST[entity_type]},
                )
            outcome = self.push(author, second)
            assert outcome.status == "applied", outcome


def _fields(entity_type: str, name: str, now: datetime, owner: str | None) -> dict:
    if entity_type == "finding":
        return {
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": FIRST["finding"],
            "risk": "low",
        }
    if entity_type == "walkaround":
        return {"started_at": (now - timedelta(hours=1)).isoformat()}
    # An entry's concern is required on create: it is its secret from the start.
    return {
        "concern": secret(name),
        "source": "walkaround",
        "risk": "medium",
        "decision": "Check every mat at 21:00 (night senior)",
        "owner_id": str(USER_IDS[owner]),
        "evidence_needed": "Night log",
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
    }


@dataclass(frozen=True)
class MemoryActor:
    user_id: uuid.UUID
    device_id: str


class MemoryWorld:
    """The world in one MemoryStore whose Access holds the users' roles."""

    name = "memory"

    def __init__(self, permissions: dict) -> None:
        self.access = access(permissions)
        self.store = MemoryStore(self.access)
        self._ticks = 0

    def device(self, user: str) -> str:
        return f"tablet-{user}"

    def actor(self, user: str):
        return MemoryActor(USER_IDS[user], self.device(user))

    def now(self) -> datetime:
        self._ticks += 1
        return datetime(2025, 3, 3, 9, tzinfo=UTC) + timedelta(seconds=self._ticks)

    def apply(self, user: str, mutation):
        return apply_batch(self.store, [mutation], self.actor(user), self.now())[0]

    def get(self, record: str) -> dict | None:
        return stored(self.store, RECORDS[record][0], RECORD_IDS[record])

    def conflicts(self) -> list:
        return [c.to_dict() for c in self.store.conflicts.values()]
