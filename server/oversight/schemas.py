"""Oversight schemas: early warnings, review cadence and the dashboard as the API shows them."""

from marshmallow import EXCLUDE, Schema, fields, pre_dump, validate

from server.api.schemas import PageArgs, per_page_field
from server.log.signals import SIGNALS
from server.measures.schemas import MeasureDetailSchema


class OversightQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID()


class EarlyWarningsQuerySchema(OversightQuerySchema):
    # How many records each warning names, worst first; the counts never depend on it.
    refs = fields.Integer(
        load_default=10,
        validate=validate.Range(min=0, max=50),
        metadata={"description": "records named per warning (0-50)"},
    )


class RecordRefSchema(Schema):
    type = fields.String()
    id = fields.UUID()


def warning_answer(warning) -> dict:
    """Return an early warning (warnings.Warning) as the answer shows it: its records named as
    objects."""
    return {
        "signal": warning.signal,
        "service_id": warning.service_id,
        "reason": warning.reason,
        "count": warning.count,
        "refs": [{"type": kind, "id": record_id} for kind, record_id in warning.refs],
    }


class EarlyWarningSchema(Schema):
    signal = fields.String(metadata={"enum": list(SIGNALS)})
    service_id = fields.UUID()
    reason = fields.String()
    count = fields.Integer()
    refs = fields.List(fields.Nested(RecordRefSchema))

    # What a warning becomes before its fields are read: for plain.dumper, and for
    # marshmallow through the pre_dump below (tests/test_oversight_fast.py: the same answer).
    prepare = staticmethod(warning_answer)

    @pre_dump
    def _prepared(self, warning, **kwargs) -> dict:
        return warning_answer(warning)


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


class DashboardQuerySchema(PageArgs):
    service_id = fields.UUID()
    slipping = fields.Boolean(
        load_default=False, metadata={"description": "Only services with a grip score above zero."}
    )
    per_page = per_page_field(default=10, most=50)


class EntryCountsSchema(Schema):
    open = fields.Integer(
        metadata={
            "description": "Open, in progress, awaiting check or sign-off (drafts not counted)."
        }
    )
    overdue = fields.Integer(metadata={"description": "Open or in progress, past the due date."})
    high_risk_open = fields.Integer()
    high_risk_overdue = fields.Integer()


class DashboardWarningSchema(Schema):
    """One early-warning signal of a service: its records in all, and each warning's reason."""

    signal = fields.String(metadata={"enum": list(SIGNALS)})
    label = fields.String()
    count = fields.Integer()
    points = fields.Integer()
    reasons = fields.List(fields.String())


class GripReasonSchema(Schema):
    code = fields.String()
    label = fields.String()
    points = fields.Integer()
    reason = fields.String()


class GripSchema(Schema):
    score = fields.Integer()
    summary = fields.String()
    reasons = fields.List(fields.Nested(GripReasonSchema))


class DashboardCadenceSchema(Schema):
    rm = fields.Nested(ReviewTrackSchema)
    provider = fields.Nested(ReviewTrackSchema)


class DashboardMeasureSchema(MeasureDetailSchema):
    summary = fields.String(metadata={"description": "One sentence: the chart's text alternative."})
    chart_url = fields.Function(lambda m: f"/api/v1/measures/{m['id']}/chart.svg")


class DashboardServiceSchema(Schema):
    rank = fields.Integer(metadata={"description": "1 is where grip is slipping most."})
    service_id = fields.UUID()
    service_name = fields.String()
    counts = fields.Nested(EntryCountsSchema)
    warning_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    warnings = fields.List(fields.Nested(DashboardWarningSchema))
    cadence = fields.Nested(DashboardCadenceSchema)
    reviews_overdue = fields.Integer()
    measures = fields.List(fields.Nested(DashboardMeasureSchema))
    grip = fields.Nested(GripSchema)


class DashboardTotalsSchema(EntryCountsSchema):
    services = fields.Integer()
    services_slipping = fields.Integer()
    services_with_warnings = fields.Integer()
    warnings = fields.Integer()
    flagged = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Flagged records per early-warning signal."},
    )
    rm_reviews_overdue = fields.Integer()
    provider_reviews_overdue = fields.Integer()
    measures = fields.Integer()
    measures_on_target = fields.Integer()
    measures_below_target = fields.Integer()


class DashboardSchema(Schema):
    as_of = fields.Date()
    provider_id = fields.UUID()
    provider_name = fields.String()
    totals = fields.Nested(DashboardTotalsSchema)
    thresholds = fields.Dict()
    services = fields.List(fields.Nested(DashboardServiceSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_more = fields.Boolean()
