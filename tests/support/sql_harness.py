"""The SQL harness: the sync suite over server.syncing.store.SqlStore on the real database.

Each harness starts from an empty database (the migrated one of tests/conftest.py: SQLite,
or PostgreSQL when CARELOOP_TEST_DATABASE_URL is set) holding one provider, one service and
five users who may all do everything the suite does (registered managers of the service
who are also provider quality leads, so that high-risk sign-off works too). Ids are
derived from names, and the server clock ticks one second per ``now()``, so two runs of one
scenario give identical records. Every outermost unit of work commits, as a request would.
"""

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from seed import factories
from server.accounts.services import hash_password
from server.audit.models import AuditEvent
from server.audit.services import Actor
from server.common.types import clock_at
from server.extensions import db
from server.framework.models import QualityStatement
from server.log.transitions import CLOSURE_NEEDS_EVIDENCE
from server.syncing import records
from server.syncing.models import Device, SyncConflict
from server.syncing.pull import pull as server_pull
from server.syncing.store import SqlStore, conflict_of
from sync.store import Page
from tests.support.cleaning import empty_tables
from tests.support.sync_harness import START, Faults, receipt, record

NS = uuid.UUID("3c1f0d9e-6a52-4d0b-8f5e-5b2a7c9d1e40")
# Audit actions that are not a record's own writes (see server.syncing.store.NOT_WRITES);
# notes and evidence become writes of their own records.
SKIPPED = ("conflict", "resolve_conflict", "carry_forward")
APPENDED = {"note": "note_id", "evidence": "evidence_id"}
_password_hash: list[str] = []


def empty_database() -> None:
    """Remove every row the tests wrote; keep the framework; restart the change counter."""
    db.session.rollback()
    empty_tables()
    db.session.commit()
    db.session.expunge_all()


def stored_conflicts(*, status=None, entity_type=None, entity_id=None) -> list:
    """Return the stored conflicts as the engine's Conflicts, oldest first, filtered."""
    query = db.select(SyncConflict).order_by(SyncConflict.other_at, SyncConflict.id)
    if status:
        query = query.where(SyncConflict.status == status)
    if entity_type:
        query = query.where(SyncConflict.entity_type == entity_type)
    if entity_id:
        query = query.where(SyncConflict.entity_id == str(entity_id))
    return [conflict_of(row) for row in db.session.scalars(query)]


class CommittingSqlStore(Faults, SqlStore):
    """SqlStore that commits after each outermost unit (as the push endpoint commits) and
    can be told to fail, like the memory harness's store."""

    def __init__(self, user):
        super().__init__(user)
        self._depth = 0
        self._pending: dict[str, list[Exception]] = {}

    @contextmanager
    def unit(self) -> Iterator[None]:
        self._depth += 1
        try:
            with super().unit():
                yield
        finally:
            self._depth -= 1
        if self._depth == 0:
            db.session.commit()


class SqlHarness:
    """The server's store on a fresh database, with a ticking server clock."""

    name = "sql"
    closure_refusal = (
        CLOSURE_NEEDS_EVIDENCE,
        {"evidence": "Add at least one evidence reference of a real type."},
    )

    def __init__(self) -> None:
        empty_database()
        self._ticks = itertools.count()
        self._clock = None
        self.now()
        provider = factories.make_provider("Harness Care", id=uuid.uuid5(NS, "provider"))
        service = factories.make_service(provider, "Harness House", id=uuid.uuid5(NS, "service"))
        if not _password_hash:
            _password_hash.append(hash_password("correct horse battery"))
        self._users = [
            factories.make_user(
                provider,
                "registered_manager",
                service,
                name=f"Harness user {n}",
                email=f"harness.user.{n}@example.test",
                extra_roles=[("provider_quality_lead", None)],
                id=uuid.uuid5(NS, f"user/{n}"),
                password_hash=_password_hash[0],
            )
            for n in range(5)
        ]
        db.session.commit()
        self.service_id = service.id
        self.users = [user.id for user in self._users]
        self.statements = tuple(
            db.session.scalars(
                db.select(QualityStatement.id).order_by(QualityStatement.position).limit(3)
            )
        )
        self.store = CommittingSqlStore(self._users[0])

    def close(self) -> None:
        """Give the server clock back."""
        if self._clock is not None:
            self._clock.__exit__(None, None, None)
            self._clock = None

    def device(self, user: int, name: str) -> str:
        """Register (once) the device binding of tablet ``name`` for user ``user``."""
        device_id = uuid.uuid5(NS, f"device/{name}/{user}")
        if db.session.get(Device, device_id) is None:
            db.session.add(
                Device(id=device_id, installation_id=name, user_id=self.users[user], label=name)
            )
            db.session.commit()
        return str(device_id)

    def actor(self, user: int, device_id: str | None) -> Actor:
        return Actor(self._users[user], "sync", device_id)

    def now(self):
        """Return the server clock, one second later on every call; the server reads it too."""
        moment = START + timedelta(seconds=next(self._ticks))
        self.close()
        self._clock = clock_at(moment)
        self._clock.__enter__()
        return moment

    def record(self, entity_type: str, entity_id) -> dict | None:
        return record(self.store, entity_type, entity_id)

    def receipt(self, device_id: str, mutation_id: str) -> dict | None:
        return receipt(self.store, device_id, mutation_id)

    def conflicts(self, *, status=None, entity_type=None, entity_id=None) -> list:
        return stored_conflicts(status=status, entity_type=entity_type, entity_id=entity_id)

    def pull(self, actor, cursor: int, limit: int) -> Page:
        body = server_pull(actor.user, cursor, limit)
        db.session.commit()
        return Page(body["changes"], body["next_cursor"], body["has_more"])

    def live_state(self, actor) -> dict:
        """Return what ``actor`` holds after a first full pull (None: every live record)."""
        if actor is None:
            return self._all_live()
        state, cursor = {}, 0
        while True:
            page = self.pull(actor, cursor, 500)
            for change in page.changes:
                key = (change["entity_type"], change["id"])
                if change["deleted"]:
                    state.pop(key, None)
                else:
                    state[key] = change["record"]
            cursor = page.next_cursor
            if not page.has_more:
                return state

    def _all_live(self) -> dict:
        state = {}
        for entity_type, model in records.MODELS.items():
            for row in db.session.scalars(db.select(model).where(model.deleted_at.is_(None))):
                state[(entity_type, str(row.id))] = records.plain(entity_type, row)
        return state

    def timeline(self, entity_type: str, entity_id) -> list[dict]:
        """Return a record's history from the audit trail, oldest first (see events_of)."""
        if entity_type in APPENDED:
            query = db.select(AuditEvent).where(AuditEvent.action == entity_type)
            events = [_event(e) for e in db.session.scalars(query.order_by(AuditEvent.id))]
            return [e for e in events if e["entity_id"] == str(entity_id)]
        query = db.select(AuditEvent).where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == str(entity_id),
            AuditEvent.action.not_in(SKIPPED + tuple(APPENDED)),
        )
        return [_event(e) for e in db.session.scalars(query.order_by(AuditEvent.id))]

    def events_of(self, device_id: str, mutation_id: str) -> list[dict]:
        """Return the writes a mutation caused, as MemoryHarness.events_of does."""
        query = db.select(AuditEvent).where(
            AuditEvent.device_id == device_id,
            AuditEvent.mutation_id == mutation_id,
            AuditEvent.action.not_in(SKIPPED),
        )
        return [_event(e) for e in db.session.scalars(query.order_by(AuditEvent.id))]


def _event(event: AuditEvent) -> dict:
    """Return an audit event in the harness's shape: changes as {field: [old, new]}."""
    raw = dict(event.changes or {})
    entity_type, entity_id, action = event.entity_type, event.entity_id, event.action
    if action in APPENDED:
        # A note or evidence is audited on its entry; here it is the creation of its record.
        entity_type, entity_id = action, raw.pop(APPENDED[action])
        raw["entry_id"] = event.entity_id
        action = "create"
    if action == "create":
        changes = {name: [None, value] for name, value in raw.items()}
    else:
        changes = {
            name: value
            for name, value in raw.items()
            if isinstance(value, list) and len(value) == 2
        }
    if "statement_ids" in changes:
        changes["statements"] = changes.pop("statement_ids")
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "action": action,
        "changes": changes,
        "device_id": event.device_id,
        "mutation_id": event.mutation_id,
    }
