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
def _fields(entity_type: str) -> dict:
    """Return {name in a mutation: the schema's field} for the record type."""
    renamed = SYNC_NAMES.get(entity_type, {})
    schema = RECORD_SCHEMAS[entity_type]()
    return {renamed.get(name, name): field for name, field in schema.fields.items()}


@cache
def _required(entity_type: str) -> tuple[str, ...]:
    return tuple(name for name, field in _fields(entity_type).items() if field.required)


def check_changes(entity_type: str, op: str, changes: dict) -> dict[str, str]:
    """Return {field: why} for the changes the record schema refuses (a sync.FieldRules).

    Each value goes through its own schema field, as ``Schema.load`` would put it (the
    record schemas hold field rules only, no rule across fields), at a fifth of the
    cost of a whole load per mutation; tests/test_record_schemas.py holds the two equal.
    """
    fields = _fields(entity_type)
    errors: dict[str, str] = {}
    for name, value in changes.items():
        field = fields.get(name)
        if field is None:
            continue  # not a field a device writes: the merge policies decide
        try:
            field.deserialize(value, name, changes)
        except ValidationError as error:
            for path, why in flatten_messages(error.messages).items():
                errors[name if path == "_body" else f"{name}.{path}"] = why
    if op in ("create", "append"):
        for name in _required(entity_type):
            if name not in changes:
                errors[name] = fields[name].error_messages["required"]
    return errors
