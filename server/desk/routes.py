"""The desk boards' JSON API: the ownership board, the completion checks and an entry's
open conflicts."""

from flask_login import current_user

from server.api.http import ApiBlueprint, first, page
from server.api.schemas import PageArgs
from server.audit.services import Actor
from server.common.access import get_in_service, get_service
from server.desk import history, services
from server.desk.schemas import (
    AssignedSchema,
    AssignOwnersSchema,
    CompletionChecksArgs,
    CompletionChecksSchema,
    EntryEventWordsSchema,
    OwnershipBoardArgs,
    OwnershipBoardSchema,
    RecordChecksSchema,
)
from server.log import queries
from server.log.models import LogEntry
from server.syncing.routes import conflicts_page
from server.syncing.schemas import ConflictSchema

blp = ApiBlueprint("desk", __name__)


def _actor() -> Actor:
    return Actor(current_user._get_current_object(), "desk")


def _service_for(action: str):
    """A path check giving the view the service, if the user may do ``action`` in it."""
    return lambda path: {"service": get_service(current_user, path["service_id"], action)}


def _entry_found(path) -> dict:
    entry = get_in_service(current_user, LogEntry, path["entry_id"], "entry.read", "entry")
    return {"entry": entry}


@blp.route("/services/<service_id>/ownership")
@first(_service_for("entry.assign"))
@blp.arguments(OwnershipBoardArgs, location="query")
@blp.response(200, OwnershipBoardSchema)
def ownership_board(args, service):
    """Follow-ups with no named owner: entries oldest first, and findings needing an entry."""
    return OwnershipBoardSchema().dump(services.ownership_board(current_user, service, **args))


@blp.route("/entries/<entry_id>/conflicts")
@first(_entry_found)
@blp.arguments(PageArgs, location="query")
@blp.response(200, ConflictSchema, paged=True)
def entry_conflicts(args, entry):
    """The open sync conflicts on an entry that you may decide, oldest first."""
    return conflicts_page(services.entry_conflicts(current_user, entry), args)


@blp.route("/entries/<entry_id>/history")
@first(_entry_found)
@blp.arguments(PageArgs, location="query")
@blp.response(200, EntryEventWordsSchema, paged=True)
def entry_history(args, entry):
    """List every change to an entry, oldest first: who, when, how, old and new values,
    each event also in plain words (``words``)."""
    result = page(queries.history_of(entry), lambda event: event, args)
    events, dump = result["items"], EntryEventWordsSchema().dump
    said = history.describe_all(events)
    return {**result, "items": [{**dump(e), "words": w} for e, w in zip(events, said, strict=True)]}


@blp.route("/services/<service_id>/ownership", methods=["POST"])
@first(_service_for("entry.assign"))
@blp.arguments(AssignOwnersSchema)
@blp.response(200, AssignedSchema)
def assign_owners(data, service):
    """Name the owners of several entries in one step; one bad item refuses them all."""
    entries = services.assign_owners(_actor(), service, data["assignments"])
    return AssignedSchema().dump({"entries": entries})


@blp.route("/services/<service_id>/completion-checks")
@first(_service_for("entry.check_completion"))
@blp.arguments(CompletionChecksArgs, location="query")
@blp.response(200, CompletionChecksSchema)
def completion_checks(args, service):
    """What fell due on the previous working day and today, done or not, and what is open."""
    day = args["day"]
    return CompletionChecksSchema().dump(services.completion_checks(current_user, service, day))


@blp.route("/services/<service_id>/completion-checks", methods=["POST"])
@first(_service_for("entry.check_completion"))
@blp.arguments(RecordChecksSchema)
@blp.response(200, CompletionChecksSchema)
def record_completion_checks(data, service):
    """Record a completion-check pass: a note on each entry not done, audited once."""
    return CompletionChecksSchema().dump(
        services.record_completion_checks(_actor(), service, data["day"], data["results"])
    )
