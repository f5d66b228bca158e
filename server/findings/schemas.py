"""Findings, walkarounds and triage, in and out of the API."""

from marshmallow import RAISE, Schema, fields, validate

from server.api.schemas import PageArgs
from server.common import vocab
from server.providers.schemas import Object, text


def one_of(choices, **options) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **options)


class FindingCreateSchema(Schema):
    """A finding as a device or the desk sends it; ``id`` makes a retry harmless."""

    id = fields.UUID()
    service_id = fields.UUID(required=True)
    walkaround_id = fields.UUID(allow_none=True)
    kind = one_of(vocab.FINDING_KINDS, required=True)
    area = text(120, required=True)
    source = one_of(vocab.SOURCES)
    description = text(4000, required=True)
    action_taken = text(4000)
    risk = one_of(vocab.RISKS)
    follow_up_needed = fields.Boolean()
    people_involved = text(200, metadata={"description": "Record references or initials only."})
    respondent_type = one_of(vocab.RESPONDENT_TYPES, allow_none=True)
    question_id = text(60, allow_none=True)
    answer = text(4000, allow_none=True)
    sentiment = one_of(vocab.SENTIMENTS, allow_none=True)
    recorded_at = fields.AwareDateTime(metadata={"description": "Device clock; informational."})


class FindingUpdateSchema(Schema):
    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    area = text(120, required=False)
    source = one_of(vocab.SOURCES)
    description = text(4000)
    action_taken = text(4000)
    risk = one_of(vocab.RISKS)
    follow_up_needed = fields.Boolean()
    people_involved = text(200)
    respondent_type = one_of(vocab.RESPONDENT_TYPES, allow_none=True)
    question_id = text(60, allow_none=True)
    answer = text(4000, allow_none=True)
    sentiment = one_of(vocab.SENTIMENTS, allow_none=True)


class FindingSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    walkaround_id = fields.UUID(allow_none=True)
    kind = fields.String()
    area = fields.String()
    source = fields.String()
    description = fields.String()
    action_taken = fields.String()
    risk = fields.String()
    follow_up_needed = fields.Boolean()
    people_involved = fields.String()
    respondent_type = fields.String(allow_none=True)
    question_id = fields.String(allow_none=True)
    question = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    sentiment = fields.String(allow_none=True)
    recorded_by = fields.UUID()
    recorded_at = fields.DateTime()
    received_at = fields.DateTime()
    triage_state = fields.String()
    dismissed_reason = fields.String(allow_none=True)
    log_entry_id = fields.UUID(allow_none=True)
    triaged_by = fields.UUID(allow_none=True)
    triaged_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    change_seq = fields.Integer()


class FindingListArgs(PageArgs):
    class Meta:
        unknown = RAISE

    service_id = fields.UUID()
    triage_state = one_of(vocab.TRIAGE_STATES)
    risk = one_of(vocab.RISKS)
    source = one_of(vocab.SOURCES)
    area = text(120)
    kind = one_of(vocab.FINDING_KINDS)
    log_entry_id = fields.UUID()
    recorded_by = fields.UUID()
    since = fields.AwareDateTime(metadata={"description": "Received at or after (server clock)."})


TRIAGE_ACTIONS = ("create_entry", "link", "dismiss")


class TriageSchema(Schema):
    finding_ids = fields.List(fields.UUID(), required=True,
                              validate=validate.Length(min=1, max=200))
    action = one_of(TRIAGE_ACTIONS, required=True)
    entry_id = fields.UUID(metadata={"description": "The entry to link to (action link)."})
    reason = text(2000, metadata={"description": "Why the findings are dismissed."})
    concern = text(4000, metadata={"description": "The new entry's concern (create_entry)."})


class TriageResultSchema(Schema):
    action = fields.String()
    entry_id = fields.UUID(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))


class InboxFindingSchema(FindingSchema):
    waiting_hours = fields.Float()
    past_escalation_time = fields.Boolean()


class InboxGroupSchema(Schema):
    area = fields.String()
    source = fields.String()
    count = fields.Integer()
    past_escalation_time = fields.Integer()
    findings = fields.List(fields.Nested(InboxFindingSchema))


class InboxSchema(Schema):
    service_id = fields.UUID()
    total = fields.Integer()
    past_escalation_time = fields.Integer()
    escalation_hours = fields.Dict()
    groups = fields.List(fields.Nested(InboxGroupSchema))


class WalkaroundFindingSchema(FindingCreateSchema):
    """A finding sent inside its walkaround: the service and walkaround are the walk's."""

    class Meta:
        exclude = ("service_id", "walkaround_id")


class WalkaroundCreateSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID(required=True)
    kind = one_of(vocab.WALKAROUND_KINDS)
    started_at = fields.AwareDateTime(metadata={"description": "Device clock."})
    ended_at = fields.AwareDateTime(allow_none=True)
    areas = fields.List(text(120, required=True), validate=validate.Length(max=100))
    notes = text(4000)
    findings = fields.List(
        Object(WalkaroundFindingSchema),
        validate=validate.Length(max=100),
        metadata={"description": "Findings recorded during the walk (possibly none)."},
    )


class WalkaroundSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    kind = fields.String()
    conducted_by = fields.UUID()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    areas = fields.List(fields.String())
    notes = fields.String()
    received_at = fields.DateTime()
    version = fields.Integer()
    finding_count = fields.Integer()
    follow_up_count = fields.Integer()


class WalkaroundDetailSchema(WalkaroundSchema):
    findings = fields.List(fields.Nested(FindingSchema))


class WalkaroundListArgs(PageArgs):
    class Meta:
        unknown = RAISE

    service_id = fields.UUID()
    conducted_by = fields.UUID()
    kind = one_of(vocab.WALKAROUND_KINDS)
    since = fields.AwareDateTime()
