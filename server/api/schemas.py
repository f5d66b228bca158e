"""Schemas shared by the API: paging arguments and the error shape."""

from marshmallow import EXCLUDE, Schema, fields, validate


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.String())
    rule = fields.String()
    current = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetail, required=True)
