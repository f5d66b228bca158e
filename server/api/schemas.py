"""Schemas shared by the API: paging arguments, the error shape, a record named by id."""

from marshmallow import EXCLUDE, Schema, validate
from marshmallow import fields as f


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = f.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = f.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ErrorDetail(Schema):
    code = f.String(required=True)
    message = f.String(required=True)
    fields = f.Dict(keys=f.String(), values=f.String(), metadata={"description": "field -> why"})
    rule = f.String()
    current = f.Dict()


class ErrorSchema(Schema):
    error = f.Nested(ErrorDetail, required=True)


class NamedSchema(Schema):
    """A record as a report names it: its id and its name (a provider, a service)."""

    id = f.UUID()
    name = f.String()
