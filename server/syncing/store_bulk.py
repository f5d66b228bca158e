"""The store's bulk writes: a run of plain finding creates or updates, checked one by one
with the same rules as the one-by-one path and written with one executemany per table.

Mixed into server.syncing.store.SqlStore (which provides _actor, _service, _live, _batch,
_errors and the receipts' acknowledgement). tests/test_sync_bulk.py and
tests/test_sync_push_updates.py hold both paths' outcomes, rows and audit events equal.
"""

import functools
import uuid
from datetime import date, datetime

from server.common import changes
from server.common.types import utcnow
from server.errors import Conflict as StaleVersion
from server.errors import Forbidden, Invalid, NotFound, RuleBroken
from server.extensions import db
from server.findings import bulk as bulk_findings
from server.findings import services as findings
from server.syncing import access
from server.syncing import rows as driver
from sync import store as port
from sync.policies import POLICIES


class BulkWrites:
    """create_many, update_many and put_receipts of sync.store.Store, for SqlStore."""

    BULK_CREATES = ("finding",)
    BULK_UPDATES = ("finding",)

    def create_many(self, entity_type, items) -> list:
        """Check every finding as record_finding does; insert those that pass together."""
        if entity_type not in self.BULK_CREATES:
            raise port.StaleWrite(f"no bulk create of {entity_type}")  # one at a time, then
        now, out, made = utcnow(), [], []
        checked: dict = {}  # service id -> (service, refusal or None): the same for every item
        finding_row = bulk_findings.finding_row
        for entity_id, fields, ctx in items:
            actor = self._actor(ctx)
            data = _python(entity_type, fields)
            service_id = data.pop("service_id", None)
            if service_id not in checked:
                checked[service_id] = self._creatable(actor, service_id)
            service, refused = checked[service_id]
            if refused is None:
                try:
                    row = finding_row(actor, service, data, entity_id, now, True)
                except port.Refused as exc:
                    refused = exc
                except APP_ERRORS as exc:
                    refused = port_error(exc)
            if refused is not None:
                out.append(refused)
                continue
            made.append((actor, row))
            out.append(row)
        if made:
            bulk_findings.insert_findings(made, changes.take(db.session(), len(made)), now)
            batch = self._batch.current()
            if batch is not None:
                for _, row in made:
                    batch.pop((entity_type, row["id"]), None)
        return [o if isinstance(o, port.Refused) else o["version"] for o in out]

    def _creatable(self, actor, service_id) -> tuple:
        """Return (service, None) if the actor may create in this service, else (None or
        the service, the refusal): what _service and may_create would raise, as a value."""
        try:
            service = self._service({"service_id": service_id})
        except port.Refused as exc:
            return None, exc
        except APP_ERRORS as exc:
            return None, port_error(exc)
        return service, _refusal(bulk_findings.may_create, actor, service)

    def update_many(self, entity_type, items) -> list:
        """Check every finding update as update_finding does (authorised first, as the
        engine's one-by-one path is); write those that pass together.

        A refused one writes nothing; a version that moved on (StaleWrite) stops them all.
        """
        if entity_type not in self.BULK_UPDATES:
            raise port.StaleWrite(f"no bulk update of {entity_type}")
        now, out, made = utcnow(), [], []
        for entity_id, fields, expected_version, ctx in items:
            actor, data = self._actor(ctx), _python(entity_type, fields)
            finding = self._live(entity_type, entity_id, expected_version)
            try:
                # What the engine asks before a one-by-one update, here for each of the run.
                if ctx.mutation is not None:
                    access.authorise(actor, ctx.mutation, entity_type, finding)
                service = self._get_service(finding.service_id)
                values = findings.checked_update(actor, finding, service, expected_version, data)
            except StaleVersion as exc:
                raise port.StaleWrite(str(exc)) from exc
            except port.Refused as exc:
                out.append(exc)
                continue
            except APP_ERRORS as exc:
                out.append(port_error(exc))
                continue
            changed = bulk_findings.changed_values(finding, values)
            if changed:
                made.append((actor, finding, changed))
            out.append(finding)
        if made:
            self._written += [finding for _, finding, _ in made]
            first = changes.take(db.session(), len(made))
            with self._errors():
                bulk_findings.update_findings(made, first, now)
        return [o if isinstance(o, port.Refused) else o.version for o in out]

    def put_receipts(self, receipts) -> None:
        """Store many receipts with one executemany, as put_receipt would one by one."""
        if not receipts:
            return
        binds = driver.binds()
        seen: dict = {}  # a batch's receipts share their device and time: convert once
        rows = []
        for device_id, mutation_id, seq, outcome, ctx in receipts:
            mutation = ctx.mutation
            if device_id not in seen:
                seen[device_id] = binds.uuid(uuid.UUID(device_id))
            if ctx.now not in seen:
                seen[ctx.now] = binds.time(ctx.now)
            rows.append(
                (
                    seen[device_id],
                    mutation_id,
                    seq,
                    mutation.entity_type,
                    str(mutation.entity_id),
                    binds.json(outcome),
                    seen[ctx.now],
                )
            )
            self._acknowledge(seq, mutation_id)
        driver.insert("sync_receipt", _RECEIPT_COLUMNS, rows, json_columns=("outcome",))


_RECEIPT_COLUMNS = (
    "device_id",
    "mutation_id",
    "seq",
    "entity_type",
    "entity_id",
    "outcome",
    "received_at",
)
APP_ERRORS = (RuleBroken, Invalid, Forbidden, NotFound)


def port_error(exc: Exception) -> port.Refused:
    """Return the engine's refusal for one of the project's errors (APP_ERRORS)."""
    if isinstance(exc, RuleBroken):
        return port.RuleRefused(exc.rule, exc.message, exc.fields)
    if isinstance(exc, Invalid):
        return port.InvalidChange(exc.message, exc.fields)
    if isinstance(exc, Forbidden):
        return port.NotPermitted(exc.message, exc.fields)
    return port.NotFound(exc.message, exc.fields)


def _refusal(check, *args) -> port.Refused | None:
    try:
        check(*args)
    except APP_ERRORS as exc:
        return port_error(exc)
    return None


@functools.lru_cache(maxsize=1024)
def _uuid_from_text(value: str) -> uuid.UUID:
    # Cached: a batch names the same service (or walkaround) again and again.
    return uuid.UUID(value)


def _uuid_of(value):
    return value if isinstance(value, uuid.UUID) else _uuid_from_text(str(value))


def _date_of(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def _time_of(value):
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


_FROM_WIRE = {"uuid": _uuid_of, "date": _date_of, "datetime": _time_of}
# entity type -> {field: converter or None}: records.python_fields without the dispatch.
_PYTHON = {
    entity_type: {name: _FROM_WIRE.get(rule.kind) for name, rule in rules.items()}
    for entity_type, rules in POLICIES.items()
}


def _python(entity_type: str, fields: dict) -> dict:
    """Return records.python_fields(entity_type, fields), a little faster."""
    plan = _PYTHON[entity_type]
    out = {}
    for name, value in fields.items():
        convert = plan[name]
        out[name] = value if value is None or convert is None else convert(value)
    return out
