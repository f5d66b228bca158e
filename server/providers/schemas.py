"""Service settings and the provider's threshold table, in and out of the API."""

from marshmallow import Schema, ValidationError, fields, validate

from server.api.schemas import PageArgs, per_page_field
from server.common import vocab
from server.common.fields import MULTI_LINE_FROM, Text


def text(max_length: int, required: bool = False, **options) -> Text:
    """A trimmed text field without control characters: required ones may not be blank."""
    checks = [validate.Length(max=max_length)]
    if required:
        checks.append(validate.Length(min=1, error="Must not be blank."))
    return Text(
        required=required,
        validate=checks,
        multiline=max_length >= MULTI_LINE_FROM,
        not_blank=required,
        **options,
    )


class Object(fields.Nested):
    """A nested object whose wrong type is reported at the field itself, not at _schema."""

    def __init__(self, nested, *, not_object: str = "Must be an object.", **options):
        super().__init__(nested, **options)
        self.not_object = not_object

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError(self.not_object)
        return super()._deserialize(value, attr, data, **kwargs)


class ServiceSchema(Schema):
    id = fields.UUID()
    provider_id = fields.UUID()
    name = fields.String()
    kind = fields.String()


class ServiceCreateSchema(Schema):
    name = text(200, required=True)
    kind = fields.String(load_default="care_home", validate=validate.OneOf(vocab.SERVICE_KINDS))


class QuestionSchema(Schema):
    id = text(60, required=True)
    text = text(500, required=True)


class QuestionSetSchema(Schema):
    id = text(60, required=True)
    name = text(120, required=True)
    questions = fields.List(
        Object(QuestionSchema), required=True, validate=validate.Length(min=1, max=50)
    )


class ThresholdTableSchema(Schema):
    thresholds = fields.Dict(metadata={"description": "Every setting, defaults filled in."})
    defaults = fields.Dict()
    customised = fields.List(fields.String(), metadata={"description": "Settings not at default."})
    version = fields.Integer(metadata={"description": "Send it back as base_version to change."})


class ServiceSettingsSchema(ServiceSchema):
    areas = fields.List(fields.String())
    routines = fields.List(fields.String())
    question_sets = fields.List(fields.Nested(QuestionSetSchema))
    escalation_criteria = fields.String()
    safeguarding_steps = fields.String(
        metadata={"description": "What staff do about a possible safeguarding concern."}
    )
    version = fields.Integer()
    thresholds = fields.Nested(ThresholdTableSchema)


class ServiceConfigureSchema(Schema):
    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    areas = fields.List(text(120, required=True), validate=validate.Length(min=1, max=100))
    routines = fields.List(text(120, required=True), validate=validate.Length(max=100))
    question_sets = fields.List(Object(QuestionSetSchema), validate=validate.Length(max=20))
    escalation_criteria = text(4000)
    safeguarding_steps = text(4000)


# Each whole-number setting's allowed range; escalation hours are per risk level.
THRESHOLD_RANGES = {
    "escalation_hours": (1, 720),
    "repeat_finding_count": (2, 50),
    "repeat_finding_window_days": (1, 365),
    "chasing_count": (2, 50),
    "chasing_window_days": (1, 365),
    "rm_review_interval_days": (1, 90),
    "provider_review_interval_days": (1, 365),
    "carry_forward_limit": (1, 20),
    "walkaround_follow_up_window_days": (1, 90),
}


def whole_in(ranges: dict[str, tuple[int, int]], name: str) -> fields.Integer:
    """A setting's whole number within its range; null puts it back to its default."""
    low, high = ranges[name]
    return fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=low, max=high))


def _whole(name: str) -> fields.Integer:
    return whole_in(THRESHOLD_RANGES, name)


class EscalationHoursSchema(Schema):
    low = _whole("escalation_hours")
    medium = _whole("escalation_hours")
    high = _whole("escalation_hours")


class ThresholdsPatchSchema(Schema):
    """Only the settings sent change; null puts a setting back to its default."""

    base_version = fields.Integer(
        strict=True,
        validate=validate.Range(min=1),
        metadata={"description": "The table's version you edited; a stale one gets 409."},
    )

    escalation_hours = Object(
        EscalationHoursSchema,
        allow_none=True,
        not_object='Give hours per risk level, for example {"high": 24}.',
    )
    repeat_finding_count = _whole("repeat_finding_count")
    repeat_finding_window_days = _whole("repeat_finding_window_days")
    chasing_count = _whole("chasing_count")
    chasing_window_days = _whole("chasing_window_days")
    rm_review_interval_days = _whole("rm_review_interval_days")
    provider_review_interval_days = _whole("provider_review_interval_days")
    carry_forward_limit = _whole("carry_forward_limit")
    walkaround_follow_up_window_days = _whole("walkaround_follow_up_window_days")


class PersonSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()
    roles = fields.List(fields.String())


class ThresholdsHistoryArgs(PageArgs):
    per_page = per_page_field(default=20)


class HistoryArgs(ThresholdsHistoryArgs):
    """A page of set-up history; ``about`` keeps one setting or the measures."""

    about = fields.String(
        validate=validate.OneOf(
            (
                "areas",
                "routines",
                "question_sets",
                "escalation_criteria",
                "safeguarding_steps",
                "measures",
            )
        )
    )


class HistoryChangeSchema(Schema):
    field = fields.String()
    label = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    words = fields.List(fields.String(), metadata={"description": "The change in plain words."})


class HistoryEventSchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor_id = fields.UUID(allow_none=True)
    actor_name = fields.String()
    channel = fields.String()
    about = fields.String(metadata={"enum": ["settings", "measures", "thresholds"]})
    subject_id = fields.String(metadata={"description": "The service, measure or provider."})
    action = fields.String()
    summary = fields.String()
    changes = fields.List(fields.Nested(HistoryChangeSchema))
