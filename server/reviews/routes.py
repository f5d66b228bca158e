"""Reviews: list, read, and record a review of a service's log; what a review covers; the
reviews of one entry."""

from flask_login import current_user

from server.api.http import ApiBlueprint, first, page
from server.api.schemas import PageArgs
from server.audit.services import Actor
from server.common.access import get_in_service, get_service
from server.log.models import LogEntry
from server.reviews import scope, services
from server.reviews.models import Review
from server.reviews.schemas import (
    EntryReviewSchema,
    ReviewCreateSchema,
    ReviewQuerySchema,
    ReviewSchema,
    ReviewScopeArgs,
    ReviewScopeSchema,
)

blp = ApiBlueprint("reviews", __name__)


def _entry_found(path) -> dict:
    entry = get_in_service(current_user, LogEntry, path["entry_id"], "entry.read", "entry")
    return {"entry": entry}


@blp.route("/reviews")
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, ReviewSchema, paged=True)
def list_reviews(args):
    """List the reviews you may read, newest first (filters: service_id, kind)."""
    query = services.reviews_query(
        current_user, service_id=args.get("service_id"), kind=args.get("kind")
    )
    return page(query, ReviewSchema().dump, args)


@blp.route("/reviews", methods=["POST"])
@blp.arguments(ReviewCreateSchema)
@blp.response(201, ReviewSchema)
def create_review(data):
    """Record a weekly, monthly or ad hoc review, with an outcome per entry if wanted."""
    user = current_user._get_current_object()
    service = get_service(user, data.pop("service_id"), "service.read")
    review = services.record_review(Actor(user, "desk"), service, **data)
    return ReviewSchema().dump(review)


@blp.route("/reviews/<review_id>")
@blp.response(200, ReviewSchema)
def get_review(review_id):
    """Read one review."""
    return ReviewSchema().dump(
        get_in_service(current_user, Review, review_id, "review.read", "review")
    )


@blp.route("/reviews/scope")
@blp.arguments(ReviewScopeArgs, location="query")
@blp.response(200, ReviewScopeSchema)
def review_scope(args):
    """The entries a review covers (open, in progress, done, overdue), a page at a time."""
    service = get_service(current_user, args.pop("service_id"), "review.read")
    return ReviewScopeSchema().dump(scope.review_scope(current_user, service, **args))


@blp.route("/entries/<entry_id>/reviews")
@first(_entry_found)
@blp.arguments(PageArgs, location="query")
@blp.response(200, EntryReviewSchema, paged=True)
def entry_reviews(args, entry):
    """The review outcomes recorded on an entry, newest first; anyone who reads it sees them."""
    return page(services.entry_reviews_query(entry), EntryReviewSchema().dump, args)
