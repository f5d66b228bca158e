"""The SQLAlchemy implementation of sync.store.Store: every write goes through the same
service functions as the REST API, so the rules and the audit trail are the same.

A run of finding, note, evidence or entry creates (or finding or entry updates) goes to
its record type's batch service together (server.findings.writes, server.log.annotations,
server.log.drafts); any other change goes to its record type's own service, as a desk call
would (server.syncing.changes).
"""

import operator
import uuid
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.audit import services as audit
from server.audit.models import AuditEvent
from server.common import changes as numbering
from server.common import fast_sql
from server.common.database import lost_to_a_lock
from server.errors import Conflict as StaleVersion
from server.extensions import db
from server.log.models import LogEntry
from server.providers.models import Service
from server.syncing import access, conflicts, receipts, records
from server.syncing.changes import APP_ERRORS, ChangeWrites, port_error
from server.syncing.conflicts import conflict_of  # noqa: F401 - re-exported for the pull
from server.syncing.models import Device, SyncConflict
from sync import store as port
from sync.types import Conflict

# Audit actions on a record that did not change it: a conflict kept or decided (the value a
# resolution writes has its own event), and notes or evidence added to an entry.
NOT_WRITES = ("conflict", "resolve_conflict", "note", "evidence", "carry_forward")
# UUIDs sorted by their number: their own order, without a Python-level comparison each.
_NUMBER = operator.attrgetter("int")
CHANGES_PER_RECORD = 2
"""Change numbers a batch read takes per record it reads (its record, and a conflict or a
note): the batch's flushes draw from them without another counter UPDATE each."""


class SqlStore(ChangeWrites):
    """Apply sync mutations to the database for one push (one user, one device)."""

    def __init__(self, user, floor_only: bool = False):
        self.user = user
        self.floor_only = floor_only  # a device credential's push: floor work alone
        self._services: dict = {}  # held here: the session's identity map only holds weakly
        self._batch = _BatchRead(None)
        self._ack: tuple[int, str] | None = None
        self._written: list = []  # findings a run wrote: read again if their unit fails

    # ---- the unit of work -------------------------------------------------------------

    @contextmanager
    def unit(self):
        """One savepoint; the project's errors become the engine's."""
        ack, written = self._ack, len(self._written)
        try:
            with self._errors(), db.session.begin_nested():
                yield
        except BaseException:
            self._ack = ack  # the receipts of a rolled-back unit were never stored
            for record in self._written[written:]:
                db.session.expire(record)  # it holds values the rollback took back: read again
            del self._written[written:]
            raise

    @contextmanager
    def _errors(self):
        try:
            yield
        except DBAPIError as exc:
            if lost_to_a_lock(exc):
                raise port.TransactionLost(str(exc.orig)) from exc
            if isinstance(exc, IntegrityError):
                raise self._integrity(exc) from exc
            raise
        except (StaleDataError, StaleVersion) as exc:
            raise port.StaleWrite(str(exc)) from exc
        except APP_ERRORS as exc:
            raise port_error(exc) from exc

    @staticmethod
    def _integrity(exc: IntegrityError) -> Exception:
        if "sync_receipt" in str(exc.orig):
            return port.StaleWrite("receipt exists")
        return port.InvalidChange("The change refers to a record that does not exist.")

    # ---- records ----------------------------------------------------------------------

    def read(self, entity_type: str, entity_ids) -> dict:
        """Read records as plain dicts; outside a unit, the batch's read (see _read_batch)."""
        if not db.session().in_nested_transaction():
            found = self._read_batch(entity_type, entity_ids)
        else:
            found = {i: self._load(entity_type, i, lock=True) for i in entity_ids}
        return {i: None if r is None else records.plain(entity_type, r) for i, r in found.items()}

    def _read_batch(self, entity_type: str, entity_ids) -> dict:
        """Load and lock the batch's records of one type in one read; take their change
        numbers (server.common.changes.reserve).

        They stay loaded for the rest of this transaction: the rows are locked (PostgreSQL)
        or the database is (SQLite), so nobody else can change them before it ends.
        """
        model = records.MODELS[entity_type]
        # Which exist, first, by id alone: a batch of creates needs no ORM query at all.
        ids = sorted(present(model, entity_ids), key=_NUMBER)
        found = (
            db.session.scalars(
                db.select(model)
                .where(model.id.in_(ids))
                .order_by(model.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).all()
            if ids
            else []
        )
        numbering.reserve(db.session(), CHANGES_PER_RECORD * len(entity_ids))
        batch = self._batch.start()
        loaded = {record.id: record for record in found if self._ours(entity_type, record)}
        for entity_id in entity_ids:
            batch[(entity_type, entity_id)] = loaded.get(entity_id)
        return {entity_id: loaded.get(entity_id) for entity_id in entity_ids}

    def _load(self, entity_type: str, entity_id, lock: bool = False):
        if type(entity_id) is not uuid.UUID:
            entity_id = uuid.UUID(str(entity_id))
        key = (entity_type, entity_id)
        batch = self._batch.current()
        if batch is not None and key in batch:
            return batch[key]
        model = records.MODELS[entity_type]
        query = db.select(model).where(model.id == key[1])
        if lock:
            query = query.with_for_update()
        record = db.session.scalars(query.execution_options(populate_existing=True)).first()
        return record if record is None or self._ours(entity_type, record) else None

    def _ours(self, entity_type: str, record) -> bool:
        # Another provider's record does not exist for this user.
        return self._service_of(entity_type, record).provider_id == self.user.provider_id

    def _made(self, entity_type: str, *entity_ids) -> None:
        """Forget that the batch read found no such records: they exist now."""
        batch = self._batch.current()
        if batch is not None:
            for entity_id in entity_ids:
                if type(entity_id) is not uuid.UUID:
                    entity_id = uuid.UUID(str(entity_id))
                batch.pop((entity_type, entity_id), None)

    def _live(self, entity_type: str, entity_id, expected_version: int):
        record = self._load(entity_type, entity_id)
        if record is None:
            raise port.NotFound(f"There is no {entity_type} with this id.")
        if record.version != expected_version:
            raise port.StaleWrite(f"{entity_type} moved to version {record.version}")
        return record

    def _service_of(self, entity_type: str, record) -> Service:
        if entity_type in ("note", "evidence"):
            return self._get_service(db.session.get(LogEntry, record.entry_id).service_id)
        return self._get_service(record.service_id)

    def _get_service(self, service_id) -> Service | None:
        if service_id not in self._services:
            self._services[service_id] = db.session.get(Service, service_id)
        return self._services[service_id]

    def _service(self, fields: dict) -> Service:
        service = self._get_service(fields.get("service_id"))
        if service is None or service.provider_id != self.user.provider_id:
            raise port.InvalidChange(
                "Choose one of your services.", {"service_id": "Not one of your services."}
            )
        return service

    def _entry(self, entry_id) -> LogEntry:
        entry = self._load("log_entry", entry_id)
        if entry is None or entry.deleted_at is not None:
            raise port.NotFound(
                "There is no log entry with this id.",
                {"entry_id": "No live log entry has this id."},
            )
        return entry

    def authorise(self, actor, mutation, current) -> None:
        """Refuse, before any merge, what the desk would refuse (server.syncing.access)."""
        record = entry = None
        if current is not None:
            record = self._load(mutation.entity_type, mutation.entity_id)
        elif mutation.op == "append" and mutation.changes.get("entry_id"):
            entry = self._load("log_entry", mutation.changes["entry_id"])
        with self._errors():
            if self.floor_only:
                access.require_floor_work(actor, mutation, record)
            access.authorise(actor, mutation, mutation.entity_type, record, entry)

    def last_writer(self, entity_type, entity_id, field) -> port.Writer | None:
        events = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id.desc())
        )
        for event in events:
            if event.action in NOT_WRITES:
                continue
            if field is None or field in (event.changes or {}):
                return port.Writer(event.actor_id, event.device_id, event.at)
        return None

    # ---- receipts and conflicts -------------------------------------------------------

    def receipts(self, device_id: str, mutation_ids) -> dict[str, dict]:
        return receipts.read(device_id, mutation_ids)

    def keep_receipts(self, kept: list[port.Receipt]) -> None:
        """Store the receipts with one executemany; acknowledge the highest on the device."""
        receipts.keep(kept)
        for receipt in kept:
            if self._ack is None or receipt.seq >= self._ack[0]:
                self._ack = (receipt.seq, receipt.mutation_id)

    def acknowledge(self, device: Device) -> None:
        """Record the highest-numbered mutation stored in this push on its device, once."""
        if self._ack is not None and self._ack[0] >= (device.last_mutation_seq or 0):
            device.last_mutation_seq, device.last_mutation_id = self._ack

    def conflict(self, conflict_id: uuid.UUID) -> Conflict | None:
        row = db.session.get(SyncConflict, conflict_id)
        return None if row is None else conflict_of(row)

    def keep_conflict(self, conflict: Conflict, ctx: port.WriteContext) -> None:
        row = db.session.get(SyncConflict, conflict.id)
        if row is not None:
            conflicts.resolve(row, conflict.resolution, ctx.actor, ctx.now)
            return
        service_id = conflict.service_id
        if service_id is None:
            entry_id = (
                self.read(conflict.entity_type, [conflict.entity_id])[conflict.entity_id] or {}
            ).get("entry_id")
            service_id = self._entry(entry_id).service_id if entry_id else None
        conflicts.add(conflict, service_id)

    def _actor(self, ctx: port.WriteContext) -> audit.Actor:
        actor, mutation = ctx.actor, ctx.mutation
        return audit.Actor(
            actor.user, actor.channel, actor.device_id, mutation.mutation_id if mutation else None
        )


def present(model, ids) -> set[uuid.UUID]:
    """Return which of ``ids`` are ids of ``model``'s rows, with one SELECT of ids alone."""
    table = model.__table__
    rows = fast_sql.select_in(db.session, table, ("id",), {}, "id", ids)
    return {fast_sql.read_value(table.c.id.type, value) for (value,) in rows}


class _BatchRead:
    """The records a batch read found (None: no such record), valid until its transaction
    ends: after a commit or a rollback they are read again."""

    def __init__(self, transaction):
        self.transaction, self.records = transaction, {}

    def start(self) -> dict:
        transaction = db.session().get_transaction()
        if transaction is not self.transaction:
            self.transaction, self.records = transaction, {}
        return self.records

    def current(self) -> dict | None:
        if self.transaction is None or db.session().get_transaction() is not self.transaction:
            return None
        return self.records
