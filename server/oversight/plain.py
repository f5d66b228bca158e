"""A marshmallow schema's dump, compiled once into plain functions, and written by orjson.

The early warnings name ten thousand records and the dashboard carries every measure's
weekly series: marshmallow's per-field machinery cost a sixth of each answer. ``dumper``
reads a schema's declared fields once and returns a function giving the same JSON value
as ``schema.dump`` (tests/test_oversight_fast.py holds the two equal); the schema stays the
OpenAPI document's description of the answer. A schema whose objects need reshaping first
names the function as its ``prepare`` attribute (a warning's records as objects).
"""

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import orjson
from flask import Response
from marshmallow import Schema, fields

_MISSING = object()


def json_response(schema_cls: type[Schema], obj) -> Response:
    """Return ``obj`` dumped by ``schema_cls`` as an application/json response, by orjson."""
    return Response(orjson.dumps(dumper(schema_cls)(obj)), mimetype="application/json")


@functools.cache
def dumper(schema_cls: type[Schema]) -> Callable[[Any], dict]:
    """Return a function dumping one object as ``schema_cls().dump`` would."""
    schema = schema_cls()
    prepare = getattr(schema_cls, "prepare", None)
    # A Function field reads the whole object: its attribute is None.
    parts = [
        (field.data_key or name, None, field.serialize_func)
        if isinstance(field, fields.Function)
        else (field.data_key or name, field.attribute or name, _value(field))
        for name, field in schema.dump_fields.items()
    ]

    def dump(obj) -> dict:
        if prepare is not None:
            obj = prepare(obj)
        get = (
            obj.get if isinstance(obj, dict) else (lambda key, default: getattr(obj, key, default))
        )
        out = {}
        for key, attribute, convert in parts:
            if attribute is None:
                out[key] = convert(obj)
                continue
            value = get(attribute, _MISSING)
            if value is _MISSING:
                continue
            out[key] = None if value is None else convert(value)
        return out

    return dump


def _value(field: fields.Field) -> Callable[[Any], Any]:
    """Return the conversion of one field's value (never None: the caller keeps None)."""
    if isinstance(field, fields.Nested):
        inner = dumper(field.nested if isinstance(field.nested, type) else type(field.nested))
        if field.many:
            return lambda items: [inner(item) for item in items]
        return inner
    if isinstance(field, fields.List):
        inner_value = _value(field.inner)
        return lambda items: [None if v is None else inner_value(v) for v in items]
    return _SCALARS.get(type(field), _raw)


def _raw(value):
    return value


def _iso(value: date | datetime) -> str:
    return value.isoformat()


_SCALARS: dict[type, Callable[[Any], Any]] = {
    fields.UUID: str,
    fields.String: str,
    fields.Integer: int,
    fields.Float: float,
    fields.Boolean: bool,
    fields.Date: _iso,
    fields.AwareDateTime: _iso,
    fields.DateTime: _iso,
    fields.Dict: dict,
    fields.Raw: _raw,
}
