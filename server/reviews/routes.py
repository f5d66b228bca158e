"""Reviews: list, read, and record a review of a service's log; what a review covers; the
reviews of one entry."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, page, query_args
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


@endpoint("/reviews", query=ReviewQuerySchema, response=ReviewSchema, paged=True)
@login_required
def list_reviews():
    """List the reviews you may read, newest first (filters: service_id, kind)."""
    args = query_args(ReviewQuerySchema())
    query = services.reviews_query(
        current_user, service_id=args.get("service_id"), kind=args.get("kind")
    )
    return page(query, ReviewSchema().dump, args["page"], args["per_page"])


@endpoint("/reviews", methods=("POST",), status=201, body=ReviewCreateSchema, response=ReviewSchema)
@login_required
def create_review():
    """Record a weekly, monthly or ad hoc review, with an outcome per entry if wanted."""
    data = load(ReviewCreateSchema())
    user = current_user._get_current_object()
    service = get_service(user, data.pop("service_id"), "service.read")
    review = services.record_review(Actor(user, "desk"), service, **data)
    return ReviewSchema().dump(review)


@endpoint("/reviews/<review_id>", response=ReviewSchema)
@login_required
def get_review(review_id):
    """Read one review."""
    return ReviewSchema().dump(
        get_in_service(current_user, Review, review_id, "review.read", "review")
    )


@endpoint("/reviews/scope", query=ReviewScopeArgs, response=ReviewScopeSchema)
@login_required
def review_scope():
    """The entries a review covers (open, in progress, done, overdue), a page at a time."""
    args = query_args(ReviewScopeArgs())
    service = get_service(current_user, args["service_id"], "review.read")
    return ReviewScopeSchema().dump(
        scope.review_scope(
            current_user, service, args["kind"], args["show"], args["page"], args["per_page"]
        )
    )


@endpoint("/entries/<entry_id>/reviews", query=PageArgs, response=EntryReviewSchema, paged=True)
@login_required
def entry_reviews(entry_id):
    """The review outcomes recorded on an entry, newest first; anyone who reads it sees them."""
    entry = get_in_service(current_user, LogEntry, entry_id, "entry.read", "entry")
    args = query_args(PageArgs())
    return page(
        services.entry_reviews_query(entry),
        EntryReviewSchema().dump,
        args["page"],
        args["per_page"],
    )
