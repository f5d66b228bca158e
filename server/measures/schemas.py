"""Improvement measure schemas: setting one, and reading it with its weekly series."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.api.schemas import PageArgs
from server.common.fields import SaneDate
from server.common.vocab import MEASURE_METRICS

PERCENT = validate.Range(min=0, max=100)


class MeasureCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    service_id = fields.UUID(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    metric = fields.String(required=True, validate=validate.OneOf(MEASURE_METRICS))
    baseline = fields.Float(required=True, validate=PERCENT)
    target = fields.Float(required=True, validate=PERCENT)
    start_date = SaneDate(required=True)
    deadline = SaneDate(required=True)

    @validates_schema
    def _deadline_after_start(self, data, **kwargs):
        if data["deadline"] <= data["start_date"]:
            raise ValidationError("The deadline must be after the start date.", "deadline")


PERCENT_WORDS = validate.Range(min=0, max=100, error="Give a percentage from 0 to 100.")


class MeasureEditSchema(Schema):
    """Only the fields sent change; the metric and start date stay as they were set."""

    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    name = fields.String(
        validate=validate.Length(
            min=1, max=200, error="Give the measure a name of at most 200 characters."
        )
    )
    baseline = fields.Float(validate=PERCENT_WORDS)
    target = fields.Float(validate=PERCENT_WORDS)
    deadline = SaneDate()


class MeasureSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    name = fields.String()
    metric = fields.String()
    baseline = fields.Float()
    target = fields.Float()
    start_date = fields.Date()
    deadline = fields.Date()
    created_by = fields.UUID()
    created_at = fields.AwareDateTime()


class MeasurePointSchema(Schema):
    week_start = fields.Date()
    value = fields.Float(allow_none=True)
    numerator = fields.Integer()
    denominator = fields.Integer()


class MeasureStatusSchema(Schema):
    status = fields.String(metadata={"enum": ["no_data", "on_target", "below_target", "missed"]})
    latest_value = fields.Float(allow_none=True)
    latest_week_start = fields.Date(allow_none=True)
    baseline = fields.Float()
    target = fields.Float()
    deadline = fields.Date()
    deadline_passed = fields.Boolean()


class MeasureDetailSchema(MeasureSchema):
    version = fields.Integer(metadata={"description": "Send it back as base_version to edit."})
    series = fields.List(fields.Nested(MeasurePointSchema))
    progress = fields.Nested(MeasureStatusSchema)


class MeasureQuerySchema(PageArgs):
    service_id = fields.UUID()
