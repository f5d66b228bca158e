"""The record schemas the REST API loads with, as the field rules sync.validate applies.

One definition of every field rule (server.findings.schemas, server.log.schemas): REST
loads requests with these marshmallow schemas; a push's ``changes`` are checked here with
the same ones, so the same bad value gets the same refusal on either path; and
server.api.jsonschema publishes them as JSON Schema for the tablet's forms.

Fields a schema does not hold (server-owned, transition-only, derived ones) are left to
the merge policies of sync.policies, which refuse them with their own codes.
"""

from functools import cache

from marshmallow import Schema, ValidationError

from server.errors import flatten_messages
from server.findings.schemas import FindingRecordSchema, WalkaroundRecordSchema
from server.log.schemas import EntryRecordSchema, EvidenceRecordSchema, NoteRecordSchema

RECORD_SCHEMAS: dict[str, type[Schema]] = {
    "finding": FindingRecordSchema,
    "walkaround": WalkaroundRecordSchema,
    "log_entry": EntryRecordSchema,
    "note": NoteRecordSchema,
    "evidence": EvidenceRecordSchema,
}
"""Each synced record type's schema: the fields a device may write and their rules."""

SYNC_NAMES = {"log_entry": {"statement_ids": "statements"}}
"""Schema field name -> its name in a mutation, where the two differ."""


@cache
def _names(entity_type: str) -> dict[str, str]:
    """Return {name in a mutation: schema field name} for the schema's fields."""
    renamed = SYNC_NAMES.get(entity_type, {})
    return {renamed.get(name, name): name for name in RECORD_SCHEMAS[entity_type]().fields}


@cache
def _schema(entity_type: str, creating: bool) -> Schema:
    # A create is checked whole (required fields too); an update only field by field.
    return RECORD_SCHEMAS[entity_type](partial=not creating)


def check_changes(entity_type: str, op: str, changes: dict) -> dict[str, str]:
    """Return {field: why} for the changes the record schema refuses (a sync.FieldRules)."""
    names = _names(entity_type)
    data = {names[name]: value for name, value in changes.items() if name in names}
    try:
        _schema(entity_type, op in ("create", "append")).load(data)
    except ValidationError as error:
        wire = {schema_name: name for name, schema_name in names.items()}
        out = {}
        for path, why in flatten_messages(error.messages).items():
            head, _, rest = path.partition(".")
            out[".".join(filter(None, (wire.get(head, head), rest)))] = why
        return out
    return {}
