"""Records as devices see them: plain JSON dicts built from the models, and back."""

import uuid
from datetime import date, datetime

from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note
from sync.policies import POLICIES

MODELS = {
    "finding": Finding,
    "walkaround": Walkaround,
    "log_entry": LogEntry,
    "note": Note,
    "evidence": EvidenceRef,
}


def to_wire(value, kind: str):
    """Return ``value`` in its JSON kind (sync.policies.KINDS)."""
    if value is None:
        return None
    if kind == "uuid":
        return str(value)
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind == "list":
        return list(value)
    return value


def from_wire(value, kind: str):
    """Return the Python value of a JSON value of ``kind`` (already checked by sync.validate)."""
    if value is None:
        return None
    if kind == "uuid":
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(value)
    if kind == "datetime":
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return value


def plain(entity_type: str, record) -> dict:
    """Return the record with every synced field in its JSON kind, as a pull sends it."""
    out = {}
    for name, rule in POLICIES[entity_type].items():
        if name == "statements":
            value = sorted(s.id for s in record.statements)
        else:
            value = getattr(record, name)
        out[name] = to_wire(value, rule.kind)
    out["deleted"] = record.deleted_at is not None
    return out


def _iso(value) -> str:
    return value.isoformat()


_CONVERT = {"uuid": str, "date": _iso, "datetime": _iso, "list": list}
# entity type -> ((field, converter or None), ...) in policy order, for plain_row.
_ROW_PLAN = {
    entity_type: tuple((name, _CONVERT.get(rule.kind)) for name, rule in rules.items())
    for entity_type, rules in POLICIES.items()
}


def plain_row(entity_type: str, row, statements=()) -> dict:
    """Return ``plain`` of a table row (a mapping of column values), without the ORM.

    ``statements`` are a log entry's quality statement ids (a table of their own). A test
    holds this equal to ``plain`` for every entity type.
    """
    out = {}
    for name, convert in _ROW_PLAN[entity_type]:
        if name == "statements":
            out[name] = sorted(statements)
            continue
        value = row[name]
        out[name] = value if value is None or convert is None else convert(value)
    out["deleted"] = row["deleted_at"] is not None
    return out


def python_fields(entity_type: str, fields: dict) -> dict:
    """Convert pushed field values to Python values by their policy kinds."""
    rules = POLICIES[entity_type]
    return {name: from_wire(value, rules[name].kind) for name, value in fields.items()}
