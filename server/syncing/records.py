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
ENTITY_OF = {model: name for name, model in MODELS.items()}


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


def python_fields(entity_type: str, fields: dict) -> dict:
    """Convert pushed field values to Python values by their policy kinds."""
    rules = POLICIES[entity_type]
    return {name: from_wire(value, rules[name].kind) for name, value in fields.items()}
