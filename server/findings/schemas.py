"""Findings, walkarounds and triage, in and out of the API."""

from marshmallow import RAISE, Schema, fields, validate

from server.api.schemas import PageArgs
from server.common import vocab
from server.common.fields import SaneDateTime
from server.common.serial import RecordAnswerSchema
from server.findings.models import Finding, Walkaround
from server.providers.schemas import Object, text


def one_of(choices, **options) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **options)


class FindingRecordSchema(Schema):
    """Every field of a finding a device or the desk writes, with its rules.

    The one definition: REST loads a finding with it, sync checks a pushed finding's
    ``changes`` with it (server.syncing.rules) and /api/v1/schemas/finding.json publishes it.
    """

    service_id = fields.UUID(required=True)
    walkaround_id = fields.UUID(allow_none=True)
    kind = one_of(vocab.FINDING_KINDS, required=True)
    area = text(
        120,
        required=True,
        metadata={"description": "One of the service's areas or routines (GET /services/<id>)."},
    )
    source = one_of(vocab.SOURCES)
    description = text(4000, required=True)
    action_taken = text(4000)
    risk = one_of(vocab.RISKS)
    follow_up_needed = fields.Boolean()
    # The full-name rule (server.findings.checks) runs in check_finding, on every path.
    people_involved = text(
        200,
        allow_none=True,
        metadata={
            "description": "Record references or initials only: two capitalised words in a row "
            "(a full name) are refused."
        },
    )
    respondent_type = one_of(vocab.RESPONDENT_TYPES, allow_none=True)
    question_id = text(
        60,
        allow_none=True,
        metadata={"description": "A question of the service's question sets (feedback only)."},
    )
    answer = text(4000, allow_none=True)
    sentiment = one_of(vocab.SENTIMENTS, allow_none=True)
    safeguarding_concern = fields.Boolean(
        metadata={"description": "This may be a safeguarding concern: the risk must be high."}
    )
    recorded_at = SaneDateTime(metadata={"description": "Device clock; informational."})


class FindingCreateSchema(FindingRecordSchema):
    """A finding as a device or the desk sends it; ``id`` makes a retry harmless."""

    id = fields.UUID()


FINDING_SET_ON_CREATE = ("service_id", "walkaround_id", "kind", "recorded_at")
FINDING_EDITABLE = (
    "area",
    "source",
    "description",
    "action_taken",
    "risk",
    "follow_up_needed",
    "people_involved",
    "respondent_type",
    "question_id",
    "answer",
    "sentiment",
    "safeguarding_concern",
)
"""The fields an update may change; those set on create never change."""


class FindingUpdateSchema(FindingRecordSchema):
    """A change to a finding: any editable field, by the rules it was recorded with."""

    class Meta:
        exclude = FINDING_SET_ON_CREATE

    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))

    def __init__(self, **options):
        options.setdefault("partial", FINDING_EDITABLE)
        super().__init__(**options)


class FindingSchema(RecordAnswerSchema):
    """A finding as the API answers it: made by the finding's record serializer."""

    entity_type, model = "finding", Finding

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
    safeguarding_concern = fields.Boolean()
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
    triage_state = one_of(vocab.FINDING_STATES)
    risk = one_of(vocab.RISKS)
    source = one_of(vocab.SOURCES)
    area = text(120)
    kind = one_of(vocab.FINDING_KINDS)
    log_entry_id = fields.UUID()
    recorded_by = fields.UUID()
    since = fields.AwareDateTime(metadata={"description": "Received at or after (server clock)."})


TRIAGE_ACTIONS = ("create_entry", "link", "dismiss")


class TriageSchema(Schema):
    finding_ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=200)
    )
    action = one_of(TRIAGE_ACTIONS, required=True)
    entry_id = fields.UUID(metadata={"description": "The entry to link to (action link)."})
    reason = text(2000, metadata={"description": "Why the findings are dismissed."})
    concern = text(4000, metadata={"description": "The new entry's concern (create_entry)."})
    statement_ids = fields.List(
        fields.String(validate=validate.Length(1, 80)),
        validate=validate.Length(max=40),
        metadata={"description": "Quality statements the new entry is tagged with (create_entry)."},
    )


class TriageResultSchema(Schema):
    action = fields.String()
    entry_id = fields.UUID(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))


class InboxFindingSchema(FindingSchema):
    """A new finding in the inbox (an InboxItem): its record and how long it has waited."""

    carried_by = "finding"

    waiting_hours = fields.Float()
    past_escalation_time = fields.Boolean()
    recorded_by_name = fields.String(
        allow_none=True, metadata={"description": "The name of the person who recorded it."}
    )


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


class WalkaroundRecordSchema(Schema):
    """Every field of a walkaround a device writes, with its rules (see FindingRecordSchema)."""

    service_id = fields.UUID(required=True)
    kind = one_of(vocab.WALKAROUND_KINDS)
    started_at = SaneDateTime(metadata={"description": "Device clock."})
    ended_at = SaneDateTime(allow_none=True)
    areas = fields.List(text(120, required=True), validate=validate.Length(max=100))
    notes = text(4000)


class WalkaroundCreateSchema(WalkaroundRecordSchema):
    id = fields.UUID()
    findings = fields.List(
        Object(WalkaroundFindingSchema),
        validate=validate.Length(max=100),
        metadata={"description": "Findings recorded during the walk (possibly none)."},
    )


class WalkaroundSchema(RecordAnswerSchema):
    """A walkaround as the API answers it (a WalkaroundSummary): its record serializer makes
    the record, the counts are added on top."""

    entity_type, model, carried_by = "walkaround", Walkaround, "walkaround"

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
