"""Reviews: list, read, and record a review of a service's log."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, page, query_args
from server.audit.services import Actor
from server.common.access import get_in_service, get_service
from server.reviews import services
from server.reviews.models import Review
from server.reviews.schemas import ReviewCreateSchema, ReviewQuerySchema, ReviewSchema


@endpoint("/reviews", query=ReviewQuerySchema, response=ReviewSchema, paged=True)
@login_required
def list_reviews():
    """List the reviews you may read, newest first (filters: service_id, kind)."""
    args = query_args(ReviewQuerySchema())
    query = services.reviews_query(current_user, service_id=args.get("service_id"),
                                   kind=args.get("kind"))
    return page(query, ReviewSchema().dump, args["page"], args["per_page"])


@endpoint("/reviews", methods=("POST",), status=201, body=ReviewCreateSchema,
          response=ReviewSchema)
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
    return ReviewSchema().dump(get_in_service(current_user, Review, review_id, "review.read",
                                              "review"))
