"""The store's writes (``Store.write``): each change through its record type's own service,
as a desk call would; a run of finding creates or updates through the findings' batch
services together (server.findings.writes), in one executemany per table, and so a run of
notes, evidence (server.log.annotations) or entry creates and updates (server.log.drafts):
the batch functions the desk calls with a batch of one, so both paths write alike.

Mixed into server.syncing.store.SqlStore (which provides _actor, _service, _live, _entry,
_made, _batch, _errors and _written). tests/test_sync_bulk.py and
tests/test_sync_push_updates.py hold a run's outcomes, rows and audit events equal to those
of one change at a time.
"""

from server.errors import Conflict as StaleVersion
from server.errors import Forbidden, Invalid, NotFound, RuleBroken
from server.findings import services as findings
from server.findings.withdrawal import withdraw
from server.log import annotations, drafts
from server.log.transitions import transition as entry_transition
from server.syncing import records
from server.syncing.writes import delete_record, restore_record, update_walkaround
from sync import store as port

APP_ERRORS = (RuleBroken, Invalid, Forbidden, NotFound)
# The creates that go to a batch service even alone: the method of ChangeWrites that does.
_BATCHED = {"note": "_annotate", "evidence": "_annotate", "log_entry": "_create_entries"}
_ANNOTATIONS = {"note": annotations.add_notes, "evidence": annotations.add_evidence_refs}


def port_error(exc: Exception) -> port.Refused:
    """Return the engine's refusal for one of the project's errors (APP_ERRORS)."""
    if isinstance(exc, port.Refused):
        return exc
    if isinstance(exc, RuleBroken):
        return port.RuleRefused(exc.rule, exc.message, exc.fields)
    if isinstance(exc, Invalid):
        return port.InvalidChange(exc.message, exc.fields)
    if isinstance(exc, Forbidden):
        return port.NotPermitted(exc.message, exc.fields)
    return port.NotFound(exc.message, exc.fields)


def _one_run(changes: list[port.Change]) -> bool:
    kind = changes[0].entity_type
    return all(c.op in ("create", "append") and c.entity_type == kind for c in changes)


class ChangeWrites:
    """``write`` of sync.store.Store, for SqlStore."""

    def write(self, changes: list[port.Change]) -> list:
        first = changes[0]
        if len(changes) > 1 and first.entity_type == "finding":
            if all(c.op == "create" and c.entity_type == "finding" for c in changes):
                return self._create_findings(changes)
            if all(c.op == "update" and c.entity_type == "finding" for c in changes):
                return self._update_findings(changes)
        if len(changes) > 1 and first.entity_type in _ANNOTATIONS and _one_run(changes):
            return self._annotate(changes)
        if len(changes) > 1 and first.entity_type == "log_entry":
            if all(c.op == "create" and c.entity_type == "log_entry" for c in changes):
                return self._create_entries(changes)
            if all(c.op == "update" and c.entity_type == "log_entry" for c in changes):
                return self._update_entries(changes)
        if len(changes) == 1:
            return [self._change(first)]
        out = []
        for change in changes:
            try:
                with self.unit():
                    out.append(self._change(change))
            except port.Refused as error:
                out.append(error)
        return out

    def _change(self, change: port.Change) -> int:
        """Write one change through its service; return the record's new version."""
        kind, entity_id, ctx = change.entity_type, change.entity_id, change.ctx
        actor = self._actor(ctx)
        data = records.python_fields(kind, change.fields)
        if change.op in ("create", "append") and kind in _BATCHED:
            (written,) = getattr(self, _BATCHED[kind])([change])  # a batch of one
            if isinstance(written, port.Refused):
                raise written
            return written
        if change.op == "create":
            record = self._create(actor, kind, entity_id, data)
        else:
            record = self._live(kind, entity_id, change.version)
            self._change_record(actor, change, record, data)
        return record.version

    def _create(self, actor, kind: str, entity_id, data: dict):
        service = self._service(data)
        data.pop("service_id")
        if kind == "finding":
            record = findings.record_finding(actor, service, data, id=entity_id)
        else:
            record = findings.record_walkaround(actor, service, data, id=entity_id)
        self._made(kind, entity_id)
        return record

    def _change_record(self, actor, change: port.Change, record, data: dict) -> None:
        kind, op = change.entity_type, change.op
        if op == "update":
            if kind == "finding":
                findings.update_finding(actor, record, change.version, data)
            elif kind == "walkaround":
                update_walkaround(actor, record, change.version, data)
            else:
                (done,) = self._update_entries([change], [record])
                if isinstance(done, port.Refused):
                    raise done
        elif op == "transition":
            self._transition(actor, change, record)
        elif op == "delete":
            delete_record(actor, kind, record)
        else:
            restore_record(actor, kind, record)

    @staticmethod
    def _transition(actor, change: port.Change, record) -> None:
        if change.entity_type == "log_entry":
            entry_transition(
                actor, record, change.action, base_version=change.version, reason=change.reason
            )
        elif change.action == "dismiss":
            findings.dismiss(actor, [record], change.reason)
        elif change.action == "withdraw":
            withdraw(actor, record, change.reason)
        else:
            raise port.InvalidChange(
                f"A finding cannot be moved by {change.action!r} from a device.",
                {"transition.action": "Findings can only be dismissed or withdrawn."},
            )

    # ---- a run of findings ------------------------------------------------------------

    def _create_findings(self, changes: list[port.Change]) -> list:
        """Record every finding with one record_findings; a refused one writes nothing."""
        out, wanted = [], []
        services: dict = {}  # service id -> the service, or the refusal: the same each time
        for change in changes:
            data = records.python_fields("finding", change.fields)
            service_id = data.pop("service_id", None)
            service = services.get(service_id)
            if service is None:
                service = services[service_id] = self._service_or_refusal(service_id)
            if isinstance(service, port.Refused):
                out.append(service)
                continue
            out.append(len(wanted))
            wanted.append((self._actor(change.ctx), service, data, change.entity_id))
        written = findings.record_findings(wanted) if wanted else []
        results, made = [], []
        for item in out:
            row = item if isinstance(item, port.Refused) else written[item]
            if isinstance(row, Exception):
                results.append(port_error(row))
                continue
            made.append(row["id"])
            results.append(row["version"])
        self._made("finding", *made)
        return results

    def _service_or_refusal(self, service_id):
        try:
            return self._service({"service_id": service_id})
        except port.Refused as exc:
            return exc

    def _update_findings(self, changes: list[port.Change]) -> list:
        """Change every finding with one update_findings: a refused one writes nothing; a
        version that moved on (StaleWrite) stops them all."""
        wanted = []
        for change in changes:
            finding = self._live("finding", change.entity_id, change.version)
            data = records.python_fields("finding", change.fields)
            wanted.append((self._actor(change.ctx), finding, change.version, data))
        self._written += [finding for _, finding, _, _ in wanted]
        try:
            written = findings.update_findings(wanted)
        except StaleVersion as exc:
            raise port.StaleWrite(str(exc)) from exc
        return [port_error(w) if isinstance(w, Exception) else w.version for w in written]

    # ---- notes and evidence -----------------------------------------------------------

    def _annotate(self, changes: list[port.Change]) -> list:
        """Add every note (or evidence reference) with one batch of the log's own
        (server.log.annotations); a refused one writes nothing."""
        out, wanted = [], []
        kind = changes[0].entity_type
        for change in changes:
            data = records.python_fields(kind, change.fields)
            try:
                entry = self._entry(data.pop("entry_id", None))
            except port.Refused as exc:
                out.append(exc)
                continue
            item = data.get("body", "") if kind == "note" else data
            out.append(len(wanted))
            wanted.append((self._actor(change.ctx), entry, item, change.entity_id))
        written = _ANNOTATIONS[kind](wanted) if wanted else []
        results = []
        for item in out:
            row = item if isinstance(item, port.Refused) else written[item]
            if isinstance(row, Exception):
                results.append(port_error(row))
                continue
            self._made(kind, row["id"])
            results.append(row["version"])
        return results

    # ---- a run of entries -------------------------------------------------------------

    def _create_entries(self, changes: list[port.Change]) -> list:
        """Create every draft with one create_drafts (server.log.drafts)."""
        out, wanted = [], []
        for change in changes:
            data = records.python_fields("log_entry", change.fields)
            try:
                service = self._service(data)
            except port.Refused as exc:
                out.append(exc)
                continue
            data.pop("service_id")
            data["statement_ids"] = data.pop("statements", None) or ()
            out.append(len(wanted))
            wanted.append((self._actor(change.ctx), service, data, change.entity_id))
        written = drafts.create_drafts(wanted) if wanted else []
        results = []
        for item in out:
            row = item if isinstance(item, port.Refused) else written[item]
            if isinstance(row, Exception):
                results.append(port_error(row))
                continue
            self._made("log_entry", row["id"])
            results.append(row["version"])
        return results

    def _update_entries(self, changes: list[port.Change], entries=None) -> list:
        """Change every entry with one update_entries: a refused one writes nothing; a
        version that moved on stops them all."""
        wanted = []
        for n, change in enumerate(changes):
            entry = (
                entries[n] if entries else self._live("log_entry", change.entity_id, change.version)
            )
            data = records.python_fields("log_entry", change.fields)
            if "statements" in data:
                data["statement_ids"] = data.pop("statements")
            wanted.append((self._actor(change.ctx), entry, change.version, data, None))
        try:
            written = drafts.update_entries(wanted)
        except StaleVersion as exc:
            raise port.StaleWrite(str(exc)) from exc
        return [port_error(w) if isinstance(w, Exception) else w.version for w in written]
