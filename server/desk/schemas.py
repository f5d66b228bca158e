"""The desk boards in and out of the JSON API."""

from marshmallow import Schema, fields, validate

from server.api.schemas import PageArgs, page_field
from server.common.fields import SaneDate
from server.desk.services import OUTCOMES
from server.log.schemas import EntryHistoryEventSchema, text, version_field


class EntryEventWordsSchema(EntryHistoryEventSchema):
    """One event of an entry's history, with its plain words."""

    words = fields.Dict(
        metadata={
            "description": "The event for people: who (a name), where (at the desk, on the "
            "tablet “…”), when (London time, e.g. “Tuesday 8 December, 09:14”), summary (a "
            "sentence) and lines (each change, e.g. “Status: In progress → Closed”)"
        }
    )


class BoardEntrySchema(Schema):
    """An entry as a board lists it; links to /entries/{id}."""

    id = fields.UUID()
    concern = fields.String()
    status = fields.String()
    risk = fields.String()
    source = fields.String()
    owner_id = fields.UUID(allow_none=True)
    due_date = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    version = fields.Integer()


class BoardFindingSchema(Schema):
    """A finding that needs a follow-up and has no entry yet; links to /findings/{id}."""

    id = fields.UUID()
    description = fields.String()
    area = fields.String()
    source = fields.String()
    risk = fields.String()
    recorded_by = fields.UUID()
    received_at = fields.AwareDateTime()


class _Page(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_more = fields.Boolean()


class BoardEntryPageSchema(_Page):
    items = fields.List(fields.Nested(BoardEntrySchema))


class BoardFindingPageSchema(_Page):
    items = fields.List(fields.Nested(BoardFindingSchema))


class OwnershipBoardSchema(Schema):
    service_id = fields.UUID()
    entries = fields.Nested(
        BoardEntryPageSchema,
        metadata={
            "description": "A page of entries not closed with no named owner, oldest first "
            "(drafts included); ?page= chooses it"
        },
    )
    findings = fields.Nested(
        BoardFindingPageSchema,
        metadata={
            "description": "A page of findings needing follow-up, still new in triage: they "
            "need an entry first; ?findings_page= chooses it"
        },
    )


class OwnershipBoardArgs(PageArgs):
    findings_page = page_field()


class AssignmentSchema(Schema):
    entry_id = fields.UUID(required=True)
    owner_id = fields.UUID(required=True)
    version = version_field(required=True)


class AssignOwnersSchema(Schema):
    assignments = fields.List(
        fields.Nested(AssignmentSchema), required=True, validate=validate.Length(min=1, max=200)
    )


class AssignedSchema(Schema):
    entries = fields.List(fields.Nested(BoardEntrySchema))


class CheckItemSchema(Schema):
    entry = fields.Nested(BoardEntrySchema)
    done = fields.Boolean(metadata={"description": "Marked done (awaiting check or later)"})
    unresolved = fields.List(
        fields.String(), metadata={"description": "What is still outstanding, in plain words"}
    )


class CompletionChecksSchema(Schema):
    service_id = fields.UUID()
    day = fields.Date()
    due_from = fields.Date(metadata={"description": "The previous working day"})
    due_to = fields.Date()
    done = fields.Integer()
    not_done = fields.Integer()
    items = fields.List(fields.Nested(CheckItemSchema))


class CompletionChecksArgs(Schema):
    day = SaneDate(load_default=None)


class CheckResultSchema(Schema):
    entry_id = fields.UUID(required=True)
    outcome = fields.String(
        required=True, validate=validate.OneOf(OUTCOMES, error="Must be one of: {choices}.")
    )
    note = text(load_default="")


class RecordChecksSchema(Schema):
    day = SaneDate(required=True)
    results = fields.List(
        fields.Nested(CheckResultSchema), required=True, validate=validate.Length(min=1, max=500)
    )
