"""Reviews of a service's log: the RM's weekly, the provider's monthly, and ad hoc ones.

A review records an outcome (assurance, challenge or further action) with a comment, and
optionally an outcome per entry. A challenged entry is kept or reopened through the log's
own rule (server.log.services.challenge), so a review cannot quietly close anything; the
entry's owner gets a note saying what a challenge or a call for further action asks.
"""

import uuid

from server.accounts.permissions import can, require
from server.audit.services import Actor, record
from server.common.access import service_scope
from server.common.vocab import REVIEW_KINDS, REVIEW_OUTCOMES
from server.errors import Invalid
from server.extensions import db
from server.log.models import LogEntry
from server.providers.models import Service
from server.reviews.models import Review, ReviewItem

# Which permission each kind of review needs; ad hoc reviews accept either.
KIND_ACTIONS = {
    "rm_weekly": ("review.rm",),
    "provider_monthly": ("review.provider",),
    "ad_hoc": ("review.rm", "review.provider"),
}
# The opening words of the note an owner gets (pwa/js/views/actions.js looks for them).
NOTE_OPENINGS = {
    "challenge": "Challenge from the",
    "further_action": "Further action asked for in the",
}
KIND_WORDS = {
    "rm_weekly": "weekly review",
    "provider_monthly": "provider's monthly review",
    "ad_hoc": "ad hoc review",
}
NOTE_LIMIT = 5000  # server.log.services.MAX_TEXT
# Outcomes that ask for something to change must say what.
NEEDS_COMMENT = {
    "challenge": "A challenge must say what has to change before it can be recorded.",
    "further_action": "Say what further action is needed.",
}


def record_review(
    actor: Actor,
    service: Service,
    *,
    kind: str,
    outcome: str,
    comment: str = "",
    items=(),
    id: uuid.UUID | None = None,
) -> Review:  # noqa: A002
    """Record a review of ``service``'s log; challenged entries go back through the log."""
    items = list(items)
    _check_permission(actor.user, kind, service)
    if id is not None:
        existing = db.session.get(Review, id)
        if existing is not None and existing.service_id == service.id:
            return existing  # the same review delivered twice: change nothing
        if existing is not None:
            raise Invalid("This review id is already in use.", {"id": "Already used."})
    errors = _check_fields(kind, outcome, comment)
    entries = _check_items(service, list(items), errors)
    if errors:
        raise Invalid(f"Please check these fields: {', '.join(sorted(errors))}.", errors)
    review = Review(
        id=id or uuid.uuid4(),
        service_id=service.id,
        kind=kind,
        reviewer_id=actor.user_id,
        outcome=outcome,
        comment=comment.strip(),
    )
    review.items = [
        ReviewItem(
            entry_id=entry.id, outcome=item["outcome"], comment=(item.get("comment") or "").strip()
        )
        for item, entry in zip(items, entries, strict=True)
    ]
    db.session.add(review)
    db.session.flush()
    given = [
        {"entry_id": i.entry_id, "outcome": i.outcome, "comment": i.comment} for i in review.items
    ]
    changes = {"kind": kind, "outcome": outcome, "comment": review.comment, "items": given}
    record(actor, "review", review.id, "create", changes, service_id=service.id)
    _apply_challenges(actor, review, entries)
    db.session.flush()
    return review


def _check_permission(user, kind: str, service: Service) -> None:
    actions = KIND_ACTIONS.get(kind)
    if actions is None:
        return  # an unknown kind is reported as a field error below
    if not any(can(user, action, service) for action in actions):
        require(
            user,
            actions[0],
            service,
            f"Your role does not allow recording a {kind.replace('_', ' ')} review.",
        )


def _check_fields(kind: str, outcome: str, comment: str) -> dict:
    errors = {}
    if kind not in REVIEW_KINDS:
        errors["kind"] = f"Must be one of: {', '.join(REVIEW_KINDS)}."
    _check_outcome(errors, "", outcome, comment)
    return errors


def _check_outcome(errors: dict, at: str, outcome: str, comment: str) -> None:
    """An outcome of the list, with a comment where it asks for something to change."""
    if outcome not in REVIEW_OUTCOMES:
        errors[f"{at}outcome"] = f"Must be one of: {', '.join(REVIEW_OUTCOMES)}."
    elif outcome in NEEDS_COMMENT and not (comment or "").strip():
        errors[f"{at}comment"] = NEEDS_COMMENT[outcome]


def _check_items(service: Service, items: list, errors: dict) -> list[LogEntry | None]:
    """Load each item's entry from ``service``; add a named error for every bad item."""
    entries: list[LogEntry | None] = []
    seen = set()
    for index, item in enumerate(items):
        at = f"items.{index}"
        entry = _entry(item.get("entry_id"))
        if entry is None or entry.deleted_at is not None or entry.service_id != service.id:
            errors[f"{at}.entry_id"] = f"There is no such entry in {service.name}."
            entry = None
        elif entry.id in seen:
            errors[f"{at}.entry_id"] = "This entry is already in the review."
        else:
            seen.add(entry.id)
        _check_outcome(errors, f"{at}.", item.get("outcome"), item.get("comment"))
        entries.append(entry)
    return entries


def _entry(value) -> LogEntry | None:
    try:
        entry_id = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None
    return db.session.get(LogEntry, entry_id)


def _apply_challenges(actor: Actor, review: Review, entries: list[LogEntry]) -> None:
    """Send each challenge through the log, and tell the owner in a note: notes reach the
    owner's tablet by sync, so a challenge (or a call for further action) is seen offline."""
    from server.log.services import add_note, challenge  # the log owns what they do

    for item, entry in zip(review.items, entries, strict=True):
        if item.outcome == "challenge":
            challenge(actor, entry, item.comment, review_id=review.id)
        if item.outcome in NOTE_OPENINGS:
            # Derived from the review, so a replayed or seeded review makes the same note.
            add_note(
                actor,
                entry,
                owner_note(review.kind, item.outcome, actor.user.display_name, item.comment),
                id=uuid.uuid5(review.id, str(entry.id)),
            )


def owner_note(kind: str, outcome: str, reviewer: str, comment: str) -> str:
    """Return the note that tells an entry's owner what a review asked of them."""
    opening = f"{NOTE_OPENINGS[outcome]} {KIND_WORDS[kind]} by {reviewer}: "
    room = NOTE_LIMIT - len(opening)
    return opening + (comment if len(comment) <= room else comment[: room - 1] + "…")


def reviews_query(user, *, service_id=None, kind: str | None = None):
    """Return a select of the reviews ``user`` may read, newest first."""
    ids = service_scope(user, service_id, "review.read", "Your role does not allow reading reviews")
    query = db.select(Review).join(Service, Service.id == Review.service_id)
    query = query.where(Service.provider_id == user.provider_id)
    if ids is not None:
        query = query.where(Review.service_id.in_(ids))
    if kind is not None:
        query = query.where(Review.kind == kind)
    return query.order_by(Review.reviewed_at.desc(), Review.id)


def entry_reviews_query(entry: LogEntry):
    """Return a select of the review items on ``entry``, newest review first."""
    return (
        db.select(ReviewItem)
        .join(Review, Review.id == ReviewItem.review_id)
        .where(ReviewItem.entry_id == entry.id)
        .order_by(Review.reviewed_at.desc(), ReviewItem.id)
    )
