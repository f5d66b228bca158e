"""An in-memory Store for tests: dicts, a change sequence, tombstones and a few log rules.

The rules are a small stand-in for the server's services (closing needs evidence; entries
move draft -> open -> in_progress -> awaiting_check -> closed, high risk through
awaiting_sign_off), enough to drive the engine's rule-refusal paths.
"""

import copy
import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sync.memory_access import Access
from sync.memory_rules import (
    DEFAULTS,
    ENTRY_STEPS,
    EVIDENCE_TYPES,
    FINDING_STEPS,
    REQUIRED,
    RISKS,
    WEAK_EVIDENCE,
)
from sync.policies import AUTHOR_FIELDS
from sync.store import (
    Change,
    InvalidChange,
    NotFound,
    Page,
    Receipt,
    Refused,
    RuleRefused,
    StaleWrite,
    WriteContext,
    Writer,
)
from sync.types import Conflict


class MemoryStore:
    """A Store (sync.store.Store) and ChangeFeed held in dicts."""

    def __init__(self, access: Access | None = None) -> None:
        self.access = access  # None: everyone may do everything
        self.records: dict[tuple[str, str], dict] = {}
        self.events: list[dict] = []
        self.receipts_kept: dict[tuple[str, str], dict] = {}
        self.conflicts: dict[uuid.UUID, Conflict] = {}
        self.seq = 0

    def live(self) -> dict[tuple[str, str], dict]:
        """Return every record that is not a tombstone, keyed by (entity_type, id)."""
        return {key: _public(r) for key, r in self.records.items() if not r["deleted"]}

    def events_of(self, device_id: str, mutation_id: str) -> list[dict]:
        """Return the history events a mutation caused."""
        return [
            e
            for e in self.events
            if e["device_id"] == device_id and e["mutation_id"] == mutation_id
        ]

    # ---- the unit of work -------------------------------------------------------------

    @contextmanager
    def unit(self) -> Iterator[None]:
        # Records are changed in place, so each is copied; events, receipts and (frozen)
        # conflicts are only ever added or replaced, so shallow copies suffice.
        saved = (
            {key: dict(r) for key, r in self.records.items()},
            list(self.events),
            dict(self.receipts_kept),
            dict(self.conflicts),
            self.seq,
        )
        try:
            yield
        except BaseException:
            self.records, self.events, self.receipts_kept, self.conflicts, self.seq = saved
            raise

    # ---- records ----------------------------------------------------------------------

    def read(self, entity_type: str, entity_ids) -> dict:
        return {i: copy.deepcopy(self.records.get((entity_type, str(i)))) for i in entity_ids}

    def authorise(self, actor, mutation, current: dict | None) -> None:
        if self.access is None:
            return
        entry = None
        if mutation.entity_type in ("note", "evidence"):
            entry_id = (current or mutation.changes).get("entry_id")
            entry = self.records.get(("log_entry", str(entry_id)))
        self.access.authorise(actor.user_id, mutation, current, entry)

    def last_writer(self, entity_type, entity_id, field) -> Writer | None:
        for event in reversed(self.events):
            if (event["entity_type"], event["entity_id"]) != (entity_type, str(entity_id)):
                continue
            if field is None or field in event["changes"]:
                return Writer(event["author_id"], event["device_id"], event["at"])
        return None

    def write(self, changes: list[Change]) -> list:
        out = []
        for change in changes:
            try:
                with self.unit():
                    out.append(self._write(change)["version"])
            except Refused as error:
                out.append(error)
        return out

    def _write(self, change: Change) -> dict:
        kind, entity_id, ctx = change.entity_type, change.entity_id, change.ctx
        if change.op == "create":
            if (kind, str(entity_id)) in self.records:
                raise StaleWrite(f"{kind} {entity_id} exists")
            return self._create(kind, entity_id, change.fields, ctx)
        if change.op == "append":
            return self._append(kind, entity_id, change.fields, ctx)
        if change.op == "update":
            return self._update(kind, entity_id, change.fields, change.version, ctx)
        if change.op == "transition":
            return self._transition(
                kind, entity_id, change.action, change.reason, change.version, ctx
            )
        return self._tombstone(kind, entity_id, change.version, ctx, change.op == "delete")

    def _create(self, entity_type, entity_id, fields, ctx: WriteContext) -> dict:
        self._require(entity_type, fields)
        self._check_values(entity_type, fields)
        record = copy.deepcopy(DEFAULTS[entity_type]) | copy.deepcopy(fields)
        record |= {"id": str(entity_id), "version": 1, "deleted": False, "change_seq": 0}
        record[AUTHOR_FIELDS[entity_type]] = str(ctx.actor.user_id)
        stamp = "received_at" if entity_type in ("finding", "walkaround") else "created_at"
        record[stamp] = ctx.now.isoformat()
        self.records[(entity_type, str(entity_id))] = record
        changes = {k: [None, v] for k, v in record.items() if k not in ("change_seq",)}
        return self._changed(entity_type, record, "create", changes, ctx)

    def _append(self, entity_type, entity_id, fields, ctx: WriteContext) -> dict:
        entry = self.records.get(("log_entry", str(fields.get("entry_id"))))
        if entry is None or entry["deleted"]:
            raise NotFound(
                "There is no log entry with this id.",
                {"entry_id": "No live log entry has this id."},
            )
        return self._create(entity_type, entity_id, fields, ctx)

    def _update(self, entity_type, entity_id, fields, expected_version, ctx) -> dict:
        record = self._current(entity_type, entity_id, expected_version)
        self._check_values(entity_type, fields)
        changes = {k: [record.get(k), v] for k, v in fields.items() if record.get(k) != v}
        record.update(copy.deepcopy(fields))
        return self._changed(entity_type, record, "update", changes, ctx, bump=True)

    def _transition(self, entity_type, entity_id, action, reason, expected_version, ctx) -> dict:
        record = self._current(entity_type, entity_id, expected_version)
        steps = ENTRY_STEPS if entity_type == "log_entry" else FINDING_STEPS
        state = "status" if entity_type == "log_entry" else "triage_state"
        if action not in steps:
            raise InvalidChange(
                f"There is no transition called {action!r}.",
                {"transition.action": f"Must be one of: {', '.join(steps)}."},
            )
        sources, target = steps[action]
        if record[state] not in sources:
            raise RuleRefused(
                "transition_not_allowed",
                f"'{action}' is not possible while the record is {record[state]}.",
            )
        target = self._check_step(entity_type, record, action, reason, target)
        changes = {state: [record[state], target]}
        record[state] = target
        if action == "dismiss":
            changes["dismissed_reason"] = [record.get("dismissed_reason"), reason]
            record["dismissed_reason"] = reason
        return self._changed(entity_type, record, action, changes, ctx, bump=True)

    def _tombstone(self, entity_type, entity_id, expected_version, ctx, deleted: bool) -> dict:
        """Delete the record (a tombstone), or restore it."""
        record = self._current(entity_type, entity_id, expected_version)
        if deleted and entity_type == "log_entry" and record["status"] != "draft":
            # As the log's own delete (server.syncing.writes.require_deletable).
            raise RuleRefused(
                "only_drafts_deleted",
                "Only a draft entry can be deleted; an open one must be closed.",
            )
        record["deleted"], record["deleted_at"] = deleted, ctx.now.isoformat() if deleted else None
        action, changes = "delete" if deleted else "restore", {"deleted": [not deleted, deleted]}
        return self._changed(entity_type, record, action, changes, ctx, bump=True)

    # ---- receipts and conflicts -------------------------------------------------------

    def receipts(self, device_id: str, mutation_ids) -> dict[str, dict]:
        return {
            mutation_id: copy.deepcopy(self.receipts_kept[(device_id, mutation_id)]["outcome"])
            for mutation_id in mutation_ids
            if (device_id, mutation_id) in self.receipts_kept
        }

    def keep_receipts(self, receipts: list[Receipt]) -> None:
        for receipt in receipts:
            key = (receipt.device_id, receipt.mutation_id)
            if key in self.receipts_kept:
                raise StaleWrite(f"receipt {receipt.device_id}/{receipt.mutation_id} exists")
            self.receipts_kept[key] = {
                "seq": receipt.seq,
                "outcome": copy.deepcopy(receipt.outcome),
                "at": receipt.ctx.now,
            }

    def conflict(self, conflict_id: uuid.UUID) -> Conflict | None:
        return self.conflicts.get(conflict_id)

    def keep_conflict(self, conflict: Conflict, ctx: WriteContext) -> None:
        self.conflicts[conflict.id] = dataclasses.replace(
            conflict, resolution=copy.deepcopy(conflict.resolution)
        )

    # ---- pull -------------------------------------------------------------------------

    def pull(self, cursor: int, limit: int) -> Page:
        """Return records changed after ``cursor`` in change order, tombstones included."""
        changed = sorted(
            (r["change_seq"], key) for key, r in self.records.items() if r["change_seq"] > cursor
        )
        page = changed[:limit]
        changes = []
        for seq, (entity_type, entity_id) in page:
            record = self.records[(entity_type, entity_id)]
            changes.append(
                {
                    "entity_type": entity_type,
                    "id": entity_id,
                    "change_seq": seq,
                    "version": record["version"],
                    "deleted": record["deleted"],
                    "record": None if record["deleted"] else _public(record),
                }
            )
        next_cursor = page[-1][0] if page else cursor
        return Page(changes=changes, next_cursor=next_cursor, has_more=len(changed) > limit)

    # ---- inside -----------------------------------------------------------------------

    def _current(self, entity_type, entity_id, expected_version) -> dict:
        record = self.records.get((entity_type, str(entity_id)))
        if record is None:
            raise NotFound(f"There is no {entity_type} with this id.")
        if record["version"] != expected_version:
            raise StaleWrite(f"{entity_type} {entity_id} is at {record['version']}")
        return record

    def _changed(self, entity_type, record, action, changes, ctx, bump=False) -> dict:
        self.seq += 1
        record["change_seq"] = self.seq
        if bump:
            record["version"] += 1
        mutation = ctx.mutation
        self.events.append(
            {
                "seq": self.seq,
                "entity_type": entity_type,
                "entity_id": record["id"],
                "action": action,
                "changes": copy.deepcopy(changes),
                "author_id": uuid.UUID(str(ctx.actor.user_id)),
                "device_id": mutation.device_id if mutation else None,
                "mutation_id": mutation.mutation_id if mutation else None,
                "at": ctx.now,
            }
        )
        return copy.deepcopy(record)

    @staticmethod
    def _require(entity_type: str, fields: dict) -> None:
        missing = {
            name: "Required." for name in REQUIRED[entity_type] if fields.get(name) in (None, "")
        }
        if missing:
            raise InvalidChange(f"Please check these fields: {', '.join(missing)}.", missing)

    @staticmethod
    def _check_values(entity_type: str, fields: dict) -> None:
        if "risk" in fields and fields["risk"] not in RISKS:
            raise InvalidChange(
                "Please check this field: risk.", {"risk": f"Must be one of: {', '.join(RISKS)}."}
            )
        if entity_type == "evidence" and fields.get("type") not in EVIDENCE_TYPES + WEAK_EVIDENCE:
            raise InvalidChange(
                "Please check this field: type.", {"type": "Not a known evidence type."}
            )

    def _check_step(self, entity_type, record, action, reason, target) -> str:
        if action == "open":
            missing = {
                f: "Required to open."
                for f in ("owner_id", "due_date", "evidence_needed")
                if not record.get(f)
            }
            if missing:
                raise RuleRefused(
                    "open_needs_owner_date_evidence",
                    "An entry opens only with a named owner, a due date and the evidence needed.",
                    missing,
                )
        if action in ("dismiss", "reopen") and not reason:
            raise InvalidChange("Please give a reason.", {"transition.reason": "Required."})
        if action == "close":
            self._check_evidence(record)
            if record.get("risk") == "high":
                return "awaiting_sign_off"
        return target

    def _check_evidence(self, record) -> None:
        strong = [
            r
            for (kind, _), r in self.records.items()
            if kind == "evidence" and r["entry_id"] == record["id"] and r["type"] in EVIDENCE_TYPES
        ]
        if not strong:
            raise RuleRefused(
                "closure_needs_evidence",
                "Closing needs at least one evidence reference from records, audits, feedback "
                "or practice checks; verbal reassurance alone is not enough.",
                {"evidence": "Add an evidence reference first."},
            )


def _public(record: dict) -> dict:
    """Return a record as a device holds it."""
    return {k: copy.deepcopy(v) for k, v in record.items() if k != "deleted"}
