"""Report schemas: the month asked for, and the governance report as the API shows it."""

import re
from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load

from server.api.schemas import NamedSchema
from server.measures.schemas import MeasurePointSchema, MeasureSchema, MeasureStatusSchema
from server.reports.scope import last_month

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(fields.Field):
    """A calendar month written YYYY-MM, loaded as the date of its first day."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        if not str(value or "").strip():
            return None  # left blank: the schema takes last month
        found = _MONTH.match(str(value).strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ValidationError("Give the month as YYYY-MM, for example 2026-10.")
        return date(int(found.group(1)), int(found.group(2)), 1)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:%Y-%m}"


class GovernanceQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    month = MonthField(
        metadata={
            "description": "YYYY-MM; last month when left out",
            "type": "string",
            "example": "2026-10",
        }
    )
    service_id = fields.UUID(
        metadata={
            "description": "One service; the whole provider "
            "(the services you may see) when left out"
        }
    )

    @post_load
    def _last_month(self, data, **kwargs):
        return {**data, "month": data.get("month") or last_month()}  # left out or blank


class GovFiguresSchema(Schema):
    opened = fields.Integer()
    closed = fields.Integer()
    overdue = fields.Integer()
    past_due_waiting = fields.Integer()
    closed_within_timescale = fields.Integer()
    within_timescale_percent = fields.Float(allow_none=True)
    high_risk_open = fields.Integer()


class GovServiceFiguresSchema(GovFiguresSchema):
    service_id = fields.UUID()
    service_name = fields.String()


class GovMeasureSchema(MeasureStatusSchema, MeasureSchema):
    """A measure as set, its latest week and status (flat, not under ``progress``), its series."""

    class Meta:
        exclude = ("created_by", "created_at", "deadline_passed")

    service_name = fields.String()
    status_label = fields.String()
    series = fields.List(fields.Nested(MeasurePointSchema))


class GovSignalCountSchema(Schema):
    signal = fields.String()
    label = fields.String()
    count = fields.Integer()


class GovWarningSchema(GovSignalCountSchema):
    service_id = fields.UUID()
    service_name = fields.String()
    reason = fields.String()


class GovWarningsSchema(Schema):
    as_of = fields.Date()
    counts = fields.List(fields.Nested(GovSignalCountSchema))
    total = fields.Integer()
    items = fields.List(fields.Nested(GovWarningSchema))


class GovEntryItemSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    service_name = fields.String()
    concern = fields.String()
    decision = fields.String()
    risk = fields.String()
    status = fields.String()
    owner_name = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    days_overdue = fields.Integer()
    days_past_due = fields.Integer()
    interim_controls = fields.String()


class GovEntryListSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(GovEntryItemSchema))


class GovChallengeSchema(Schema):
    on = fields.Date()
    service_id = fields.UUID()
    service_name = fields.String()
    kind = fields.String()
    concern = fields.String(allow_none=True)
    text = fields.String()
    by_name = fields.String(allow_none=True)


class GovChallengeListSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(GovChallengeSchema))


class GovReviewItemSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    service_name = fields.String()
    kind = fields.String()
    outcome = fields.String()
    reviewed_on = fields.Date()
    reviewer_name = fields.String()
    comment = fields.String()


class GovReviewsSchema(Schema):
    total = fields.Integer()
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    entry_outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(GovReviewItemSchema))
    challenges = fields.Nested(GovChallengeListSchema)


class GovSourceThemeSchema(Schema):
    source = fields.String()
    label = fields.String()
    count = fields.Integer()


class GovStatementThemeSchema(Schema):
    statement_id = fields.String()
    framework_id = fields.String()
    code = fields.String()
    key_question = fields.String()
    title = fields.String()
    count = fields.Integer()


class GovThemesSchema(Schema):
    by_source = fields.List(fields.Nested(GovSourceThemeSchema))
    by_statement = fields.List(fields.Nested(GovStatementThemeSchema))


class GovDecisionSchema(Schema):
    on = fields.Date()
    kind = fields.String(metadata={"enum": ["opened", "escalation", "signed_off"]})
    entry_id = fields.UUID()
    service_id = fields.UUID()
    service_name = fields.String()
    concern = fields.String()
    text = fields.String()
    due_date = fields.Date(allow_none=True)


class GovDecisionListSchema(Schema):
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(GovDecisionSchema))


class GovMinutesSchema(Schema):
    decisions = fields.Nested(GovDecisionListSchema)
    challenges = fields.Nested(GovChallengeListSchema)


class GovAppendixRowSchema(Schema):
    entry_id = fields.UUID()
    group = fields.String(metadata={"enum": ["signed_off", "escalation", "opened"]})
    cells = fields.Method(
        "_cells",
        metadata={
            "type": "object",
            "description": "The appendix's columns by name: text, dates as YYYY-MM-DD, "
            "empty when none",
        },
    )

    def _cells(self, row) -> dict:
        return {
            name: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))
            for name, v in row["cells"].items()
        }


class GovAppendixSchema(Schema):
    columns = fields.List(fields.String())
    total = fields.Integer()
    rows = fields.List(fields.Nested(GovAppendixRowSchema))


class GovernanceReportSchema(Schema):
    month = fields.String()
    month_label = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    as_of = fields.Date()
    generated_at = fields.AwareDateTime()
    provider = fields.Nested(NamedSchema)
    whole_provider = fields.Boolean()
    title = fields.String()
    services = fields.List(fields.Nested(NamedSchema))
    list_limit = fields.Integer()
    figures = fields.Nested(GovFiguresSchema)
    by_service = fields.List(fields.Nested(GovServiceFiguresSchema))
    measures = fields.List(fields.Nested(GovMeasureSchema))
    warnings = fields.Nested(GovWarningsSchema)
    high_risk_open = fields.Nested(GovEntryListSchema)
    overdue = fields.Nested(GovEntryListSchema)
    past_due_waiting = fields.Nested(GovEntryListSchema)
    reviews = fields.Nested(GovReviewsSchema)
    themes = fields.Nested(GovThemesSchema)
    minutes = fields.Nested(GovMinutesSchema)
    appendix = fields.Nested(GovAppendixSchema)
