"""Oversight schemas: early warnings, review cadence and the dashboard as the API shows them."""

from marshmallow import EXCLUDE, Schema, fields, pre_dump, validate

from server.api.schemas import PageArgs, per_page_field
from server.log.figures import FIGURES
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


class WarningRecordsQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID(required=True)
    signal = fields.String(required=True, validate=validate.OneOf(SIGNALS))


class WarningRecordSchema(Schema):
    """One record behind a warning, in words: what it is about, its state and date."""

    type = fields.String(metadata={"enum": ["log_entry", "finding", "walkaround"]})
    id = fields.UUID()
    title = fields.String(
        metadata={
            "description": "An entry's decision (or concern), a "
            "finding's description, a walkaround's areas."
        }
    )
    state = fields.String(
        metadata={
            "description": "An entry's status, a finding's triage state, a walkaround's kind."
        }
    )
    at = fields.Date(
        metadata={
            "description": "An entry's due date; when a finding was "
            "received or a walkaround started (London day)."
        }
    )
    risk = fields.String(allow_none=True)
    area = fields.String(allow_none=True)
    entry_id = fields.UUID(
        allow_none=True, metadata={"description": "The entry it is or is linked to."}
    )
    by = fields.String(
        allow_none=True,
        metadata={"description": "Who gave feedback (respondent type) or led a walkaround."},
    )


class WarningRecordsSchema(Schema):
    signal = fields.String(metadata={"enum": list(SIGNALS)})
    label = fields.String()
    service_id = fields.UUID()
    as_of = fields.Date()
    count = fields.Integer(metadata={"description": "Records flagged, as the dashboard counts."})
    reasons = fields.List(fields.String())
    records = fields.List(fields.Nested(WarningRecordSchema))
    log_filter = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        metadata={
            "description": "The log's query for the entries counted; null for a "
            "signal about findings and walkarounds."
        },
    )


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
    """Counts of the figures of server.log.figures (docs/reports.md, What each figure
    means); each opens in the log as ``figure=<name>``."""

    open = fields.Integer(metadata={"description": FIGURES["open"].meaning})
    overdue = fields.Integer(metadata={"description": FIGURES["overdue"].meaning})
    past_due_waiting = fields.Integer(metadata={"description": FIGURES["past_due_waiting"].meaning})
    high_risk_open = fields.Integer(metadata={"description": FIGURES["high_risk_open"].meaning})
    high_risk_overdue = fields.Integer(
        metadata={"description": FIGURES["high_risk_overdue"].meaning}
    )
    awaiting_check = fields.Integer(metadata={"description": FIGURES["awaiting_check"].meaning})
    awaiting_sign_off = fields.Integer(
        metadata={"description": FIGURES["awaiting_sign_off"].meaning}
    )
    overdue_without_interim_controls = fields.Integer(
        metadata={"description": FIGURES["overdue_without_interim_controls"].meaning}
    )


class FigureSchema(Schema):
    """A figure's name, plain label, meaning and the log filter that lists its records."""

    name = fields.String()
    label = fields.String()
    meaning = fields.String()
    log_filter = fields.Dict(keys=fields.String(), values=fields.String())


class FigureListSchema(Schema):
    items = fields.List(fields.Nested(FigureSchema))


class GripRatingSchema(Schema):
    """A RAG rating: red, amber or green, the points it covers and its meaning in words."""

    rating = fields.String(metadata={"enum": ["red", "amber", "green"]})
    points = fields.String()
    meaning = fields.String()


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
    rating = fields.Nested(GripRatingSchema)
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
    figures = fields.List(fields.Nested(FigureSchema))
    grip_scale = fields.List(fields.Nested(GripRatingSchema))
    services = fields.List(fields.Nested(DashboardServiceSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_more = fields.Boolean()
