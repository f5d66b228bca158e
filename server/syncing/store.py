"""The SQLAlchemy implementation of sync.store.Store: every write goes through the same
service functions as the REST API, so the rules and the audit trail are the same."""

import operator
import uuid
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from server.audit import services as audit
from server.audit.models import AuditEvent
from server.common import changes
from server.common.database import lost_to_a_lock
from server.errors import Conflict as StaleVersion
from server.extensions import db
from server.findings import services as findings
from server.log import services as log
from server.log.models import LogEntry
from server.log.transitions import transition as entry_transition
from server.providers.models import Service
from server.syncing import access, records
from server.syncing import rows as driver
from server.syncing.models import Device, Receipt, SyncConflict
from server.syncing.store_bulk import APP_ERRORS, BulkWrites, port_error
from server.syncing.writes import delete_record, restore_record, update_walkaround
from sync import store as port
from sync.types import Conflict

# Audit actions on a record that did not change it: a conflict kept or decided (the value a
# resolution writes has its own event), and notes or evidence added to an entry.
# UUIDs sorted by their number: their own order, without a Python-level comparison each.
_NUMBER = operator.attrgetter("int")
NOT_WRITES = ("conflict", "resolve_conflict", "note", "evidence", "carry_forward")


class SqlStore(BulkWrites):
    """Apply sync mutations to the database for one push (one user, one device)."""

    def __init__(self, user):
        self.user = user
        self._services: dict = {}  # held here: the session's identity map only holds weakly
        self._batch = _BatchRead(None)
        self._ack: tuple[int, str] | None = None
        self._written: list = []  # records update_many wrote: read again if their unit fails

    # ---- the unit of work -------------------------------------------------------------

    @contextmanager
    def unit(self):
        """One savepoint per mutation; the project's errors become the engine's."""
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

    def _actor(self, ctx: port.WriteContext) -> audit.Actor:
        actor, mutation = ctx.actor, ctx.mutation
        return audit.Actor(
            actor.user, actor.channel, actor.device_id, mutation.mutation_id if mutation else None
        )

    def _load(self, entity_type: str, entity_id, lock: bool = False):
        key = (entity_type, uuid.UUID(str(entity_id)))
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

    def reserve(self, count: int) -> None:
        """Take the change sequence numbers of the one-by-one writes to come in one UPDATE."""
        changes.reserve(db.session(), count)

    def existing(self, entity_type: str, entity_ids) -> set:
        """Load and lock the batch's records of one type in one read; return those that exist.

        They stay loaded for the rest of this transaction: the rows are locked (PostgreSQL)
        or the database is (SQLite), so nobody else can change them before it ends.
        """
        model = records.MODELS[entity_type]
        # Which exist, first, in plain SQL: a batch of creates needs no ORM query at all.
        ids = sorted(driver.present(model.__tablename__, entity_ids), key=_NUMBER)
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
        batch = self._batch.start()
        loaded = {record.id: record for record in found if self._ours(entity_type, record)}
        for entity_id in entity_ids:
            batch[(entity_type, entity_id)] = loaded.get(entity_id)
        return set(loaded)

    def _made(self, entity_type: str, entity_id) -> None:
        """Forget that the batch read found no such record: it exists now."""
        batch = self._batch.current()
        if batch is not None:
            batch.pop((entity_type, uuid.UUID(str(entity_id))), None)

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

    # ---- records ----------------------------------------------------------------------

    def get(self, entity_type: str, entity_id: uuid.UUID) -> dict | None:
        record = self._load(entity_type, entity_id, lock=True)
        return None if record is None else records.plain(entity_type, record)

    def authorise(self, actor, mutation, current) -> None:
        """Refuse, before any merge, what the desk would refuse (server.syncing.access)."""
        record = entry = None
        if current is not None:
            record = self._load(mutation.entity_type, mutation.entity_id)
        elif mutation.op == "append" and mutation.changes.get("entry_id"):
            entry = self._load("log_entry", mutation.changes["entry_id"])
        with self._errors():
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

    def create(self, entity_type, entity_id, fields, ctx) -> dict:
        actor, data = self._actor(ctx), records.python_fields(entity_type, fields)
        if entity_type == "finding":
            service = self._service(data)
            data.pop("service_id")
            record = findings.record_finding(actor, service, data, id=entity_id)
        elif entity_type == "walkaround":
            service = self._service(data)
            data.pop("service_id")
            record = findings.record_walkaround(actor, service, data, id=entity_id)
        elif entity_type == "log_entry":
            service = self._service(data)
            data.pop("service_id")
            data["statement_ids"] = data.pop("statements", None) or ()
            record = log.create_draft(actor, service, id=entity_id, **data)
        else:
            return self.append(entity_type, entity_id, fields, ctx)
        self._made(entity_type, entity_id)
        return records.plain(entity_type, record)

    def append(self, entity_type, entity_id, fields, ctx) -> dict:
        actor, data = self._actor(ctx), records.python_fields(entity_type, fields)
        entry = self._entry(data.pop("entry_id", None))
        if entity_type == "note":
            record = log.add_note(actor, entry, data.get("body", ""), id=entity_id)
        else:
            record = log.add_evidence(actor, entry, id=entity_id, **data)
        self._made(entity_type, entity_id)
        return records.plain(entity_type, record)

    def update(self, entity_type, entity_id, fields, expected_version, ctx) -> dict:
        actor, data = self._actor(ctx), records.python_fields(entity_type, fields)
        record = self._live(entity_type, entity_id, expected_version)
        if entity_type == "finding":
            findings.update_finding(actor, record, expected_version, data)
        elif entity_type == "walkaround":
            update_walkaround(actor, record, expected_version, data)
        else:
            if "statements" in data:
                data["statement_ids"] = data.pop("statements")
            log.update_entry(actor, record, expected_version, data)
        return records.plain(entity_type, record)

    def transition(self, entity_type, entity_id, action, reason, expected_version, ctx) -> dict:
        actor = self._actor(ctx)
        record = self._live(entity_type, entity_id, expected_version)
        if entity_type == "log_entry":
            entry_transition(actor, record, action, base_version=expected_version, reason=reason)
        elif action == "dismiss":
            findings.dismiss(actor, [record], reason)
        else:
            raise port.InvalidChange(
                f"A finding cannot be moved by {action!r} from a device.",
                {"transition.action": "Findings can only be dismissed."},
            )
        return records.plain(entity_type, record)

    def delete(self, entity_type, entity_id, expected_version, ctx) -> dict:
        record = self._live(entity_type, entity_id, expected_version)
        delete_record(self._actor(ctx), entity_type, record)
        return records.plain(entity_type, record)

    def restore(self, entity_type, entity_id, expected_version, ctx) -> dict:
        record = self._live(entity_type, entity_id, expected_version)
        restore_record(self._actor(ctx), entity_type, record)
        return records.plain(entity_type, record)

    # ---- receipts and conflicts -------------------------------------------------------

    def get_receipt(self, device_id: str, mutation_id: str) -> dict | None:
        return self.get_receipts(device_id, [mutation_id]).get(mutation_id)

    def get_receipts(self, device_id: str, mutation_ids) -> dict[str, dict]:
        if not mutation_ids:
            return {}
        rows = driver.select_in(
            "SELECT mutation_id, outcome FROM sync_receipt WHERE device_id = {mark} AND {in_}",
            "mutation_id",
            list(mutation_ids),
            driver.binds().uuid(uuid.UUID(device_id)),
        )
        return {mutation_id: dict(driver.from_json(outcome)) for mutation_id, outcome in rows}

    def put_receipt(self, device_id, mutation_id, seq, outcome, ctx) -> None:
        """Add the receipt; the unit's savepoint flushes it with the change it belongs to."""
        mutation = ctx.mutation
        db.session.add(
            Receipt(
                device_id=uuid.UUID(device_id),
                mutation_id=mutation_id,
                seq=seq,
                entity_type=mutation.entity_type,
                entity_id=str(mutation.entity_id),
                outcome=outcome,
                received_at=ctx.now,
            )
        )
        self._acknowledge(seq, mutation_id)

    def _acknowledge(self, seq: int, mutation_id: str) -> None:
        if self._ack is None or seq >= self._ack[0]:
            self._ack = (seq, mutation_id)

    def acknowledge(self, device: Device) -> None:
        """Record the highest-numbered mutation stored in this push on its device, once."""
        if self._ack is not None and self._ack[0] >= (device.last_mutation_seq or 0):
            device.last_mutation_seq, device.last_mutation_id = self._ack

    def add_conflict(self, conflict: Conflict) -> None:
        service_id = conflict.service_id
        if service_id is None:
            entry_id = (self.get(conflict.entity_type, conflict.entity_id) or {}).get("entry_id")
            service_id = self._entry(entry_id).service_id if entry_id else None
        row = SyncConflict(service_id=service_id, status=conflict.status)
        _copy_conflict(conflict, row)
        db.session.add(row)
        db.session.flush()
        audit.record(
            None,
            conflict.entity_type,
            conflict.entity_id,
            "conflict",
            {
                conflict.field: [conflict.kept_value, conflict.other_value],
                "conflict_id": str(conflict.id),
            },
            service_id=service_id,
            channel="sync",
        )

    def get_conflict(self, conflict_id: uuid.UUID) -> Conflict | None:
        row = db.session.get(SyncConflict, conflict_id)
        return None if row is None else conflict_of(row)

    def list_conflicts(self, *, status=None, entity_type=None, entity_id=None) -> list[Conflict]:
        query = db.select(SyncConflict).order_by(SyncConflict.other_at, SyncConflict.id)
        if status:
            query = query.where(SyncConflict.status == status)
        if entity_type:
            query = query.where(SyncConflict.entity_type == entity_type)
        if entity_id:
            query = query.where(SyncConflict.entity_id == str(entity_id))
        return [conflict_of(row) for row in db.session.scalars(query)]

    def resolve_conflict(self, conflict_id, resolution, ctx) -> Conflict:
        row = db.session.get(SyncConflict, conflict_id)
        row.status, row.resolution = "resolved", resolution
        row.resolved_by, row.resolved_at = ctx.actor.user_id, ctx.now
        db.session.flush()
        audit.record(
            ctx.actor,
            row.entity_type,
            row.entity_id,
            "resolve_conflict",
            {
                row.field: [row.kept_value, resolution.get("value")],
                "conflict_id": str(row.id),
                "choice": resolution.get("choice"),
            },
            service_id=row.service_id,
        )
        return conflict_of(row)


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


_CONFLICT_FIELDS = (
    "id",
    "kind",
    "entity_type",
    "field",
    "base_value",
    "kept_value",
    "kept_author",
    "kept_device",
    "kept_at",
    "other_value",
    "other_author",
    "other_device",
    "other_at",
    "mutation_id",
    "resolution",
)


def _copy_conflict(conflict: Conflict, row: SyncConflict) -> None:
    for name in _CONFLICT_FIELDS:
        setattr(row, name, getattr(conflict, name))
    row.entity_id = str(conflict.entity_id)


def conflict_of(row: SyncConflict) -> Conflict:
    """Return the engine's Conflict for a stored row."""
    values = {name: getattr(row, name) for name in _CONFLICT_FIELDS}
    return Conflict(
        **values, entity_id=uuid.UUID(row.entity_id), service_id=row.service_id, status=row.status
    )
