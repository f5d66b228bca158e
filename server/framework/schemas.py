"""CQC frameworks and their quality statements, out of the API."""

from marshmallow import RAISE, Schema, fields, validate
from webargs.fields import DelimitedList


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

    in_force = fields.Boolean(metadata={"description": "The provider's framework in force."})


class FrameworkListSchema(Schema):
    items = fields.List(fields.Nested(FrameworkSchema))
    in_force = fields.String(metadata={"description": "The id of the framework in force."})


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

    framework = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "Default: the provider's framework in force."},
    )


class SuggestArgs(Schema):
    class Meta:
        unknown = RAISE

    framework = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "Default: the provider's framework in force."},
    )
    area = DelimitedList(
        fields.String(validate=validate.Length(max=200)),
        delimiter="|",
        validate=validate.Length(max=50),
        metadata={"description": "The findings' areas, separated by |."},
    )
    text = fields.String(
        validate=validate.Length(max=20000),
        metadata={"description": "The words: the findings' descriptions, or a concern."},
    )


class SuggestionSchema(Schema):
    statement_id = fields.String()
    code = fields.String()
    title = fields.String()
    key_question = fields.String()
    reasons = fields.List(
        fields.String(), metadata={"description": "Why, e.g. 'the words mention \"MAR\"'."}
    )
    why = fields.String(metadata={"description": "The reasons as one sentence."})


class SuggestionListSchema(Schema):
    framework = fields.String()
    items = fields.List(fields.Nested(SuggestionSchema))


class InForceSchema(Schema):
    framework = fields.String(metadata={"description": "The id of the framework in force."})
    default = fields.String(metadata={"description": "The framework in force when none is set."})
    changed = fields.Boolean()


class InForcePatchSchema(Schema):
    class Meta:
        unknown = RAISE

    framework = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(1, 40),
        metadata={"description": "A loaded framework's id; null puts back the default."},
    )
