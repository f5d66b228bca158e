"""The synced record types, each with its one serializer (server.common.serial)."""

from server.common.serial import serializer, to_wire
from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note
from sync.policies import POLICIES

__all__ = ["MODELS", "POLICIES", "SERIALIZERS", "plain", "python_fields", "to_wire"]

MODELS = {
    "finding": Finding,
    "walkaround": Walkaround,
    "log_entry": LogEntry,
    "note": Note,
    "evidence": EvidenceRef,
}
SERIALIZERS = {entity_type: serializer(entity_type, model) for entity_type, model in MODELS.items()}


def plain(entity_type: str, record) -> dict:
    """Return the record with every synced field in its JSON kind, as a pull sends it."""
    return SERIALIZERS[entity_type].record(record)


def python_fields(entity_type: str, fields: dict) -> dict:
    """Convert pushed field values to Python values by their policy kinds (the write path's
    one conversion: store_bulk's copy can call this)."""
    return SERIALIZERS[entity_type].python(fields)
