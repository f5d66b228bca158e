"""Oversight schemas: early warnings and review cadence as the API shows them."""

from marshmallow import EXCLUDE, Schema, fields, pre_dump

from server.oversight.warnings import SIGNALS


class OversightQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID()


class RecordRefSchema(Schema):
    type = fields.String()
    id = fields.UUID()


class EarlyWarningSchema(Schema):
    signal = fields.String(metadata={"enum": list(SIGNALS)})
    service_id = fields.UUID()
    reason = fields.String()
    count = fields.Integer()
    refs = fields.List(fields.Nested(RecordRefSchema))

    @pre_dump
    def _refs_as_objects(self, warning, **kwargs) -> dict:
        return {"signal": warning.signal, "service_id": warning.service_id,
                "reason": warning.reason, "count": warning.count,
                "refs": [{"type": kind, "id": record_id} for kind, record_id in warning.refs]}


class ServiceWarningsSchema(Schema):
    service_id = fields.UUID()
    service_name = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class EarlyWarningsSchema(Schema):
    as_of = fields.Date()
    provider_id = fields.UUID()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    thresholds = fields.Dict()
    services = fields.List(fields.Nested(ServiceWarningsSchema))
    warnings = fields.List(fields.Nested(EarlyWarningSchema))


class ReviewerSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()


class ReviewTrackSchema(Schema):
    kind = fields.String()
    interval_days = fields.Integer()
    last_review_id = fields.UUID(allow_none=True)
    last_reviewed_at = fields.AwareDateTime(allow_none=True)
    last_reviewed_on = fields.Date(allow_none=True)
    reviewed_by = fields.Nested(ReviewerSchema, allow_none=True)
    outcome = fields.String(allow_none=True)
    next_due = fields.Date()
    overdue = fields.Boolean()
    days_overdue = fields.Integer()


class ServiceCadenceSchema(Schema):
    service_id = fields.UUID()
    service_name = fields.String()
    rm = fields.Nested(ReviewTrackSchema)
    provider = fields.Nested(ReviewTrackSchema)


class ReviewCadenceSchema(Schema):
    as_of = fields.Date()
    services = fields.List(fields.Nested(ServiceCadenceSchema))
