"""The record schemas published as JSON Schema (draft 2020-12), for a client's own checks.

Built from the same marshmallow schemas the server validates with (server.syncing.rules),
by apispec's converter (the one that writes the OpenAPI document), so the tablet's forms
and the server refuse the same values: lengths, choices, required fields, date ranges and
control characters. The output keeps only standard JSON Schema keywords, so Ajv's strict
mode accepts it (with ajv-formats for ``uuid``, ``date`` and ``date-time``).

A service's own vocabularies (its areas and routines, its feedback questions) are per
service: ``for_service`` narrows a record type's schema to them.
"""

from functools import cache

from apispec.ext.marshmallow.openapi import OpenAPIConverter

from server.findings.checks import NAME_PATTERN, places
from server.syncing.rules import RECORD_SCHEMAS, SYNC_NAMES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_PATH = "/api/v1/schemas/"

# The JSON Schema keywords written out; anything else the converter adds is dropped.
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "format",
        "pattern",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "description",
        "title",
        "default",
    }
)
_TITLES = {
    "finding": "A finding, as a device records it",
    "walkaround": "A walkaround, as a device records it",
    "log_entry": "A log entry's fields a device may write",
    "note": "A note appended to a log entry",
    "evidence": "An evidence reference appended to a log entry",
}


def url_of(entity_type: str) -> str:
    """Return the path of a record type's schema."""
    return f"{BASE_PATH}{entity_type}.json"


def _clean(node):
    if isinstance(node, dict):
        return {
            key: (
                _clean(value)
                if key != "properties"
                else {name: _clean(prop) for name, prop in value.items()}
            )
            for key, value in node.items()
            if key in _KEYWORDS
        }
    if isinstance(node, list):
        return [_clean(item) for item in node]
    return node


@cache
def record_schema(entity_type: str) -> dict:
    """Return the JSON Schema of a record type's fields, named as a mutation names them."""
    converter = OpenAPIConverter(
        openapi_version="3.1.0", schema_name_resolver=lambda _: None, spec=None
    )
    body = _clean(converter.schema2jsonschema(RECORD_SCHEMAS[entity_type]()))
    renamed = SYNC_NAMES.get(entity_type, {})
    body["properties"] = {renamed.get(k, k): v for k, v in body["properties"].items()}
    body["required"] = sorted(renamed.get(k, k) for k in body.get("required", ()))
    body["additionalProperties"] = False
    if entity_type == "finding":
        _refuse_plain_names(body["properties"]["people_involved"])
    return {"$schema": DIALECT, "title": _TITLES[entity_type], **body}


def _refuse_plain_names(people: dict) -> None:
    """Add the server's no-full-names check, as far as a pattern can say it."""
    people["not"] = {"type": "string", "pattern": NAME_PATTERN}


def document(entity_type: str, root: str, service=None) -> dict:
    """Return the schema served at ``root`` (the site's address), narrowed to ``service``."""
    schema = record_schema(entity_type)
    url = root.rstrip("/") + url_of(entity_type)
    if service is None:
        return {"$id": url, **schema}
    return {"$id": f"{url}?service_id={service.id}", **for_service(entity_type, service)}


def for_service(entity_type: str, service) -> dict:
    """Return ``record_schema`` narrowed to one service's areas, routines and questions."""
    schema = record_schema(entity_type)
    properties = dict(schema["properties"])
    if entity_type == "finding":
        properties["area"] = properties["area"] | {"enum": places(service)}
        question = properties["question_id"]
        properties["question_id"] = question | {"enum": [*service.questions(), None]}
    elif entity_type == "walkaround":
        areas = properties["areas"]
        properties["areas"] = areas | {"items": areas["items"] | {"enum": places(service)}}
    return schema | {"properties": properties}


def index() -> dict:
    """List every record type's schema."""
    return {
        "items": [
            {"entity_type": name, "title": _TITLES[name], "url": url_of(name)}
            for name in RECORD_SCHEMAS
        ]
    }
