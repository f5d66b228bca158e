"""The desk boards' JSON API: the ownership board, the completion checks and an entry's
open conflicts."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, page, query_args
from server.api.schemas import PageArgs
from server.audit.services import Actor
from server.common.access import get_in_service, get_service
from server.desk import services
from server.desk.schemas import (
    AssignedSchema,
    AssignOwnersSchema,
    CompletionChecksArgs,
    CompletionChecksSchema,
    OwnershipBoardArgs,
    OwnershipBoardSchema,
    RecordChecksSchema,
)
from server.log.models import LogEntry
from server.syncing.schemas import ConflictSchema


def _actor() -> Actor:
    return Actor(current_user._get_current_object(), "desk")


@endpoint(
    "/services/<service_id>/ownership",
    query=OwnershipBoardArgs,
    response=OwnershipBoardSchema,
    tag="desk",
)
@login_required
def ownership_board(service_id):
    """Follow-ups with no named owner: entries oldest first, and findings needing an entry."""
    service = get_service(current_user, service_id, "entry.assign")
    args = query_args(OwnershipBoardArgs())
    return OwnershipBoardSchema().dump(
        services.ownership_board(
            current_user, service, args["page"], args["per_page"], args["findings_page"]
        )
    )


@endpoint(
    "/entries/<entry_id>/conflicts", query=PageArgs, response=ConflictSchema, paged=True, tag="desk"
)
@login_required
def entry_conflicts(entry_id):
    """The open sync conflicts on an entry that you may decide, oldest first."""
    entry = get_in_service(current_user, LogEntry, entry_id, "entry.read", "entry")
    args = query_args(PageArgs())
    return page(
        services.entry_conflicts(current_user, entry),
        ConflictSchema().dump,
        args["page"],
        args["per_page"],
    )


@endpoint(
    "/services/<service_id>/ownership",
    methods=("POST",),
    body=AssignOwnersSchema,
    response=AssignedSchema,
    tag="desk",
)
@login_required
def assign_owners(service_id):
    """Name the owners of several entries in one step; one bad item refuses them all."""
    service = get_service(current_user, service_id, "entry.assign")
    data = load(AssignOwnersSchema())
    entries = services.assign_owners(_actor(), service, data["assignments"])
    return AssignedSchema().dump({"entries": entries})


@endpoint(
    "/services/<service_id>/completion-checks",
    query=CompletionChecksArgs,
    response=CompletionChecksSchema,
    tag="desk",
)
@login_required
def completion_checks(service_id):
    """What fell due on the previous working day and today, done or not, and what is open."""
    service = get_service(current_user, service_id, "entry.check_completion")
    day = query_args(CompletionChecksArgs())["day"]
    return CompletionChecksSchema().dump(services.completion_checks(current_user, service, day))


@endpoint(
    "/services/<service_id>/completion-checks",
    methods=("POST",),
    body=RecordChecksSchema,
    response=CompletionChecksSchema,
    tag="desk",
)
@login_required
def record_completion_checks(service_id):
    """Record a completion-check pass: a note on each entry not done, audited once."""
    service = get_service(current_user, service_id, "entry.check_completion")
    data = load(RecordChecksSchema())
    return CompletionChecksSchema().dump(
        services.record_completion_checks(_actor(), service, data["day"], data["results"])
    )
