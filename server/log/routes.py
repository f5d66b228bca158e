"""The log's JSON API: entries, their status actions, notes, evidence, escalation, history."""

from flask_login import current_user

from server.api.http import ApiBlueprint, first, page
from server.api.schemas import PageArgs
from server.audit.services import Actor
from server.common.access import get_in_service, get_service
from server.log import queries, services, vague
from server.log.models import LogEntry
from server.log.schemas import (
    EntryCreateSchema,
    EntryEscalationSchema,
    EntryEvidenceCreateSchema,
    EntryEvidenceSchema,
    EntryHistoryEventSchema,
    EntryListArgs,
    EntryNoteCreateSchema,
    EntryNoteSchema,
    EntrySchema,
    EntryTransitionSchema,
    EntryUpdateSchema,
    SignOffStateSchema,
    VagueCheckArgs,
    VagueCheckSchema,
    dump_entry,
)

blp = ApiBlueprint("log", __name__)


def _actor() -> Actor:
    return Actor(current_user._get_current_object(), "desk")


def _entry(entry_id) -> LogEntry:
    return get_in_service(current_user, LogEntry, entry_id, "entry.read", "entry")


def _entry_found(path) -> dict:
    return {"entry": _entry(path["entry_id"])}


@blp.route("/entries")
@blp.arguments(EntryListArgs, location="query")
@blp.response(200, EntrySchema, paged=True)
def list_entries(args):
    """List the log entries you may read, filtered and sorted."""
    paging = {"page": args.pop("page"), "per_page": args.pop("per_page")}
    return page(services.list_entries(current_user, args), dump_entry, paging)


@blp.route("/entries", methods=["POST"])
@blp.arguments(EntryCreateSchema)
@blp.response(201, EntrySchema)
def create_entry(data):
    """Create a draft entry, optionally from findings."""
    service = get_service(current_user, data.pop("service_id"), "entry.create")
    data["findings"] = data.pop("finding_ids")
    return dump_entry(services.create_draft(_actor(), service, **data))


@blp.route("/entries/<entry_id>")
@blp.response(200, EntrySchema)
def get_entry(entry_id):
    """Read one entry with its flags, evidence and carry-forwards."""
    return dump_entry(_entry(entry_id))


@blp.route("/entries/<entry_id>", methods=["PATCH"])
@first(_entry_found)
@blp.arguments(EntryUpdateSchema)
@blp.response(200, EntrySchema)
def update_entry(data, entry):
    """Change an entry's fields; send the version you read, and a reason to move a due date."""
    version, reason = data.pop("version"), data.pop("carry_forward_reason", None)
    return dump_entry(services.update_entry(_actor(), entry, version, data, reason))


@blp.route("/entries/<entry_id>/transitions", methods=["POST"])
@first(_entry_found)
@blp.arguments(EntryTransitionSchema)
@blp.response(200, EntrySchema)
def transition_entry(data, entry):
    """Open, start, mark done, send back, close, sign off, challenge or reopen an entry."""
    action, version = data.pop("action"), data.pop("version")  # the rest: the reasons
    return dump_entry(services.transition(_actor(), entry, action, base_version=version, **data))


@blp.route("/entries/<entry_id>/notes")
@first(_entry_found)
@blp.arguments(PageArgs, location="query")
@blp.response(200, EntryNoteSchema, paged=True)
def list_notes(args, entry):
    """List an entry's notes, oldest first."""
    return page(queries.notes_of(entry), EntryNoteSchema().dump, args)


@blp.route("/entries/<entry_id>/notes", methods=["POST"])
@first(_entry_found)
@blp.arguments(EntryNoteCreateSchema)
@blp.response(201, EntryNoteSchema)
def add_note(data, entry):
    """Add a note to an entry (notes are never edited)."""
    return EntryNoteSchema().dump(services.add_note(_actor(), entry, data["body"], data["id"]))


@blp.route("/entries/<entry_id>/evidence")
@first(_entry_found)
@blp.arguments(PageArgs, location="query")
@blp.response(200, EntryEvidenceSchema, paged=True)
def list_evidence(args, entry):
    """List an entry's evidence references, oldest first."""
    return page(queries.evidence_of(entry), EntryEvidenceSchema().dump, args)


@blp.route("/entries/<entry_id>/evidence", methods=["POST"])
@first(_entry_found)
@blp.arguments(EntryEvidenceCreateSchema)
@blp.response(201, EntryEvidenceSchema)
def add_evidence(data, entry):
    """Record where a piece of evidence for an entry lives."""
    return EntryEvidenceSchema().dump(services.add_evidence(_actor(), entry, **data))


@blp.route("/entries/<entry_id>/escalation", methods=["POST"])
@first(_entry_found)
@blp.arguments(EntryEscalationSchema)
@blp.response(200, EntrySchema)
def record_escalation(data, entry):
    """Record whether the entry is escalated to provider level, and why."""
    decision, reason, version = data.pop("decision"), data.pop("reason"), data.pop("version")
    return dump_entry(
        services.record_escalation(_actor(), entry, decision, reason, version, **data)
    )


@blp.route("/entries/<entry_id>/sign-off")
@blp.response(200, SignOffStateSchema)
def sign_off_state(entry_id):
    """Who moved the entry along, its open challenges and why a sign-off would be refused."""
    return services.sign_off_state(current_user, _entry(entry_id))


@blp.route("/entries/<entry_id>/history")
@first(_entry_found)
@blp.arguments(PageArgs, location="query")
@blp.response(200, EntryHistoryEventSchema, paged=True)
def entry_history(args, entry):
    """List every change to an entry, oldest first: who, when, how, old and new values."""
    return page(queries.history_of(entry), EntryHistoryEventSchema().dump, args)


@blp.route("/vague-check")
@blp.arguments(VagueCheckArgs, location="query")
@blp.response(200, VagueCheckSchema)
def vague_check(args):
    """Check a decision's wording as it is typed."""
    flags = vague.check(args["decision"])
    return {
        "passes": not flags,
        "flags": [{"phrase": f.phrase, "explanation": f.explanation} for f in flags],
    }
