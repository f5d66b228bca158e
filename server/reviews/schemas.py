"""Review schemas: what a reviewer sends, and how a review reads back."""

from marshmallow import EXCLUDE, Schema, fields, validate

from server.api.schemas import PageArgs
from server.common.vocab import REVIEW_KINDS, REVIEW_OUTCOMES

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
    items = fields.List(fields.Nested(ReviewItemInSchema), load_default=list,
                        validate=validate.Length(max=500))


class ReviewItemSchema(Schema):
    entry_id = fields.UUID()
    outcome = fields.String()
    comment = fields.String()


class ReviewSchema(Schema):
    id = fields.UUID()
    service_id = fields.UUID()
    kind = fields.String()
    reviewer_id = fields.UUID()
    reviewed_at = fields.AwareDateTime()
    outcome = fields.String()
    comment = fields.String()
    items = fields.List(fields.Nested(ReviewItemSchema))


class ReviewQuerySchema(PageArgs):
    class Meta:
        unknown = EXCLUDE

    service_id = fields.UUID()
    kind = fields.String(validate=validate.OneOf(REVIEW_KINDS))
