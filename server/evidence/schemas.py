"""The evidence pack's query and its JSON shape (documented in /api/v1/openapi.json)."""

from marshmallow import RAISE, Schema, fields, validate
from webargs.fields import DelimitedList

from server.api.schemas import NamedSchema
from server.common.fields import SaneDate


class PackArgs(Schema):
    class Meta:
        unknown = RAISE

    service_id = fields.UUID(required=True)
    start = SaneDate(required=True, data_key="from", metadata={"description": "YYYY-MM-DD"})
    end = SaneDate(required=True, data_key="to", metadata={"description": "YYYY-MM-DD"})
    framework = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "Default: the provider's framework in force."},
    )
    statement_ids = DelimitedList(
        fields.String(validate=validate.Length(1, 80)),
        validate=validate.Length(max=60),
        metadata={
            "description": "Only these quality statements of the framework, separated by "
            "commas. Without it: every statement, and the entries with none."
        },
    )


class PackFrameworkSchema(Schema):
    id = fields.String()
    name = fields.String()
    published = fields.String()


class PackCategorySchema(Schema):
    id = fields.String()
    label = fields.String()


class PackEvidenceSchema(Schema):
    type = fields.String()
    type_label = fields.String()
    reference = fields.String(metadata={"description": "Where the evidence lives."})
    date = fields.Date()
    description = fields.String()
    categories = fields.List(fields.String())


class PackFindingSchema(Schema):
    kind = fields.String()
    kind_label = fields.String()
    source = fields.String()
    respondent_type = fields.String(allow_none=True)
    sentiment = fields.String(allow_none=True)
    recorded_on = fields.Date()
    categories = fields.List(fields.String())


class PackReviewSchema(Schema):
    outcome = fields.String()
    outcome_label = fields.String()
    comment = fields.String()
    on = fields.Date()
    kind = fields.String()


class PackEntrySchema(Schema):
    id = fields.UUID()
    concern = fields.String()
    source = fields.String()
    source_label = fields.String()
    risk = fields.String()
    decision = fields.String()
    owner = fields.String(allow_none=True, metadata={"description": "The owner's name."})
    status = fields.String()
    status_label = fields.String()
    recorded_on = fields.Date()
    due_date = fields.Date(allow_none=True)
    original_due_date = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    outcome = fields.String(metadata={"description": "How the entry was closed, or why not."})
    review = fields.Nested(PackReviewSchema, allow_none=True)
    evidence = fields.List(fields.Nested(PackEvidenceSchema))
    findings = fields.List(fields.Nested(PackFindingSchema))
    categories = fields.List(fields.String())
    mapped_from = fields.List(
        fields.String(),
        metadata={
            "description": "Statements of another version that placed it here, e.g. "
            "'saf-2023 S1'; empty when tagged directly."
        },
    )


class PackNotPlacedSchema(PackEntrySchema):
    reason = fields.String()
    tags = fields.List(fields.String())

    class Meta:
        exclude = ("mapped_from",)


class PackStatementSchema(Schema):
    id = fields.String()
    code = fields.String()
    title = fields.String()
    description = fields.String()
    entries = fields.List(fields.Nested(PackEntrySchema))
    routine = fields.List(
        fields.Nested(PackEntrySchema),
        metadata={
            "description": "In a pack for chosen statements: its routine low-risk entries, "
            "printed as one table row each. Empty in the whole pack."
        },
    )
    categories = fields.List(
        fields.String(),
        metadata={"description": "The evidence categories that back it, in CQC's order."},
    )
    flags = fields.List(fields.String())
    note = fields.String(metadata={"description": "'nothing recorded in this period' or ''."})


class PackKeyQuestionSchema(Schema):
    key_question = fields.String()
    label = fields.String()
    statements = fields.List(fields.Nested(PackStatementSchema))


class PackSummarySchema(Schema):
    entries = fields.Integer()
    statements = fields.Integer()
    statements_with_entries = fields.Integer()
    flagged = fields.Integer()
    not_placed = fields.Integer()
    routine = fields.Integer(metadata={"description": "Routine low-risk entries summarised."})


class PackFilterSchema(Schema):
    statement_ids = fields.List(fields.String())
    statements = fields.List(fields.String(), metadata={"description": "'S8 Medicines ...'"})
    label = fields.String(metadata={"description": "What the pack covers, as its cover says."})
    routine = fields.String()


class EvidencePackSchema(Schema):
    service = fields.Nested(NamedSchema)
    provider = fields.String()
    start = fields.Date(data_key="from", attribute="from")
    end = fields.Date(data_key="to", attribute="to")
    framework = fields.Nested(PackFrameworkSchema)
    filter = fields.Nested(PackFilterSchema)
    generated_at = fields.DateTime()
    categories = fields.List(fields.Nested(PackCategorySchema))
    summary = fields.Nested(PackSummarySchema)
    key_questions = fields.List(fields.Nested(PackKeyQuestionSchema))
    not_placed = fields.List(fields.Nested(PackNotPlacedSchema))
