"""Review schemas: what a reviewer sends, and how a review reads back."""

from marshmallow import Schema, fields, validate

from server.api.schemas import PageArgs
from server.common.vocab import REVIEW_KINDS, REVIEW_OUTCOMES
from server.log.schemas import FlagsField
from server.reviews.scope import SHOWS

COMMENT = validate.Length(max=5000)


class ReviewItemInSchema(Schema):
    entry_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(REVIEW_OUTCOMES))
    comment = fields.String(load_default="", validate=COMMENT)


class ReviewCreateSchema(Schema):
    id = fields.UUID(load_default=None)
    service_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REVIEW_KINDS))
    outcome = fields.String(required=True, validate=validate.OneOf(REVIEW_OUTCOMES))
    comment = fields.String(load_default="", validate=COMMENT)
    items = fields.List(
        fields.Nested(ReviewItemInSchema), load_default=list, validate=validate.Length(max=500)
    )


class ReviewItemSchema(Schema):
    entry_id = fields.UUID()
    entry_concern = fields.String(attribute="entry.concern")
    outcome = fields.String()
    comment = fields.String()


class ReviewSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    kind = fields.String()
    reviewer_id = fields.UUID()
    reviewer_name = fields.String(attribute="reviewer.display_name")
    reviewed_at = fields.AwareDateTime()
    outcome = fields.String()
    comment = fields.String()
    items = fields.List(fields.Nested(ReviewItemSchema))


class EntryReviewSchema(Schema):
    """One review's outcome on one entry, with the review it belongs to."""

    review_id = fields.UUID()
    kind = fields.String(attribute="review.kind")
    reviewed_at = fields.AwareDateTime(attribute="review.reviewed_at")
    reviewer_id = fields.UUID(attribute="review.reviewer_id")
    reviewer_name = fields.String(attribute="review.reviewer.display_name")
    outcome = fields.String(metadata={"description": "The outcome for this entry"})
    comment = fields.String()
    review_outcome = fields.String(
        attribute="review.outcome", metadata={"description": "The review's overall outcome"}
    )


class ScopeEntrySchema(Schema):
    id = fields.UUID()
    concern = fields.String()
    decision = fields.String()
    status = fields.String()
    risk = fields.String()
    owner_id = fields.UUID(allow_none=True)
    due_date = fields.Date(allow_none=True)
    original_due_date = fields.Date(allow_none=True)
    interim_controls = fields.String()
    evidence_count = fields.Function(lambda entry: len(entry.evidence))
    flags = FlagsField()


class ScopeItemSchema(Schema):
    entry = fields.Nested(ScopeEntrySchema)
    overdue = fields.Boolean()
    latest_review = fields.Nested(
        EntryReviewSchema,
        allow_none=True,
        metadata={"description": "The newest review outcome recorded on the entry, if any"},
    )


class ScopeCountsSchema(Schema):
    all = fields.Integer()
    open = fields.Integer()
    in_progress = fields.Integer()
    done = fields.Integer()
    overdue = fields.Integer()


class ReviewScopeSchema(Schema):
    service_id = fields.UUID()
    kind = fields.String()
    show = fields.String()
    since = fields.AwareDateTime(
        metadata={"description": "Start of the period under review: the last review of this kind"}
    )
    last_review = fields.Nested(ReviewSchema, allow_none=True)
    counts = fields.Nested(ScopeCountsSchema)
    items = fields.List(fields.Nested(ScopeItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_more = fields.Boolean()


class ReviewScopeArgs(PageArgs):
    service_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REVIEW_KINDS))
    show = fields.String(load_default="all", validate=validate.OneOf(SHOWS))


class ReviewQuerySchema(PageArgs):
    service_id = fields.UUID()
    kind = fields.String(validate=validate.OneOf(REVIEW_KINDS))
