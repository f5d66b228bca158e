"""CQC frameworks and their quality statements, out of the API."""

from marshmallow import RAISE, Schema, fields, validate

from server.framework.services import DEFAULT_FRAMEWORK


class FrameworkSchema(Schema):
    id = fields.String()
    name = fields.String()
    published = fields.String()
    statement_count = fields.Integer()
    key_questions = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Statements per key question."},
    )


class FrameworkListSchema(Schema):
    items = fields.List(fields.Nested(FrameworkSchema))


class StatementSchema(Schema):
    id = fields.String(metadata={"description": "Stable: framework id and code."})
    framework_id = fields.String()
    key_question = fields.String()
    code = fields.String()
    title = fields.String()
    description = fields.String()
    maps_from = fields.List(fields.String(), metadata={"description": "Older statements."})
    maps_to = fields.List(fields.String(), metadata={"description": "Newer statements."})


class StatementListSchema(Schema):
    framework = fields.String()
    items = fields.List(fields.Nested(StatementSchema))


class StatementArgs(Schema):
    class Meta:
        unknown = RAISE

    framework = fields.String(load_default=DEFAULT_FRAMEWORK, validate=validate.Length(1, 40))
