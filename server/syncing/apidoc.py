"""The push's mutations in the OpenAPI document, their ``changes`` typed by the record schemas.

The same marshmallow schemas REST loads with and sync validates with (server.syncing.rules)
become components ``<Type>Changes``; each record type gets a ``<Type>Mutation`` whose
``changes`` refers to it, and the push body's ``mutations`` is one of them.
"""

from server.syncing.rules import RECORD_SCHEMAS, SYNC_NAMES
from sync.policies import ALLOWED_OPS
from sync.validate import MAX_ACTION_CHARS, MAX_ID_CHARS

_ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS}
_UUID = {"type": "string", "format": "uuid"}


def _title(entity_type: str) -> str:
    return "".join(part.title() for part in entity_type.split("_"))


def register(spec) -> None:
    """Add each record type's changes as a component (before the document is written).

    Registered partial: an update holds only what it changes. A create must also hold
    the fields the record's JSON Schema (/api/v1/schemas/<type>.json) lists as required.
    """
    for entity_type, schema in RECORD_SCHEMAS.items():
        spec.components.schema(f"{_title(entity_type)}Changes", schema=schema(partial=True))


def _mutation(entity_type: str) -> dict:
    name = _title(entity_type)
    return {
        "type": "object",
        "description": f"One change to a {entity_type} (docs/sync-protocol.md 3.1).",
        "properties": {
            "mutation_id": _ID,
            "device_id": _ID,
            "seq": {"type": "integer", "minimum": 1},
            "entity_type": {"type": "string", "enum": [entity_type]},
            "entity_id": _UUID,
            "op": {"type": "string", "enum": list(ALLOWED_OPS[entity_type])},
            "author_id": _UUID,
            "base_version": {"type": "integer", "minimum": 1, "nullable": True},
            "changes": {"$ref": f"#/components/schemas/{name}Changes"},
            "base_values": {"type": "object", "additionalProperties": True},
            "transition": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "action": {"type": "string", "minLength": 1, "maxLength": MAX_ACTION_CHARS},
                    "reason": {"type": "string", "nullable": True},
                },
            },
            "device_time": {"type": "string", "format": "date-time", "nullable": True},
        },
        "required": [
            "mutation_id",
            "device_id",
            "seq",
            "entity_type",
            "entity_id",
            "op",
            "author_id",
        ],
    }


def type_mutations(document: dict) -> None:
    """Type the push body's mutations in a written document (after ``register``)."""
    schemas = document["components"]["schemas"]
    for entity_type, renamed in SYNC_NAMES.items():
        properties = schemas[f"{_title(entity_type)}Changes"]["properties"]
        for name, wire in renamed.items():
            properties[wire] = properties.pop(name)
    refs = []
    for entity_type in RECORD_SCHEMAS:
        schemas[f"{_title(entity_type)}Mutation"] = _mutation(entity_type)
        refs.append({"$ref": f"#/components/schemas/{_title(entity_type)}Mutation"})
    mutations = schemas["Push"]["properties"]["mutations"]
    mutations["items"] = {"oneOf": refs}
