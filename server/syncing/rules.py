"""The record schemas the REST API loads with, as the field rules sync.validate applies.

One definition of every field rule (server.findings.schemas, server.log.schemas): REST
loads requests with these marshmallow schemas; a push's ``changes`` are checked here with
the same ones, so the same bad value gets the same refusal on either path; and
server.api.jsonschema publishes them as JSON Schema for the tablet's forms.

Fields a schema does not hold (server-owned, transition-only, derived ones) are left to
the merge policies of sync.policies, which refuse them with their own codes.
"""

from functools import cache, lru_cache

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


_REMEMBERED_CHARS = 120
"""Values up to this long are checked once per process: a push names the same service,
kind, area, source and risk again and again, and a field's rules depend on its value
alone (no record schema has a rule that reads anything else)."""


def _refusals(entity_type: str, name: str, value) -> tuple[tuple[str, str], ...]:
    """Return ((path, why), ...) for what the field's own rules refuse in ``value``."""
    try:
        _fields(entity_type)[name].deserialize(value, name, {name: value})
    except ValidationError as error:
        return tuple(
            (name if path == "_body" else f"{name}.{path}", why)
            for path, why in flatten_messages(error.messages).items()
        )
    return ()


@lru_cache(maxsize=4096)
def _remembered(entity_type: str, name: str, kind: type, value) -> tuple[tuple[str, str], ...]:
    return _refusals(entity_type, name, value)


def check_changes(entity_type: str, op: str, changes: dict) -> dict[str, str]:
    """Return {field: why} for the changes the record schema refuses (a sync.FieldRules).

    Each value goes through its own schema field, as ``Schema.load`` would put it (the
    record schemas hold field rules only, no rule across fields), and short values are
    remembered: about 20 us a finding instead of 130 us for a whole load per mutation.
    tests/test_record_schemas.py holds the two equal.
    """
    fields = _fields(entity_type)
    errors: dict[str, str] = {}
    for name, value in changes.items():
        if name not in fields:
            continue  # not a field a device writes: the merge policies decide
        kind = type(value)
        if kind is bool or kind is int or (kind is str and len(value) <= _REMEMBERED_CHARS):
            refused = _remembered(entity_type, name, kind, value)  # True == 1: keep kinds apart
        else:
            refused = _refusals(entity_type, name, value)
        errors.update(refused)
    if op in ("create", "append"):
        for name in _required(entity_type):
            if name not in changes:
                errors[name] = fields[name].error_messages["required"]
    return errors
