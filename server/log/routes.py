"""The log's JSON API: entries, their status actions, notes, evidence, escalation, history."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, page, query_args
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
    VagueCheckArgs,
    VagueCheckSchema,
    dump_entry,
)


def _actor() -> Actor:
    return Actor(current_user._get_current_object(), "desk")


def _entry(entry_id) -> LogEntry:
    return get_in_service(current_user, LogEntry, entry_id, "entry.read", "entry")


@endpoint("/entries", query=EntryListArgs, response=EntrySchema, paged=True)
@login_required
def list_entries():
    """List the log entries you may read, filtered and sorted."""
    args = query_args(EntryListArgs())
    number, per_page = args.pop("page"), args.pop("per_page")
    return page(services.list_entries(current_user, args), dump_entry, number, per_page)


@endpoint("/entries", methods=("POST",), status=201, body=EntryCreateSchema, response=EntrySchema)
@login_required
def create_entry():
    """Create a draft entry, optionally from findings."""
    data = load(EntryCreateSchema())
    service = get_service(current_user, data.pop("service_id"), "entry.create")
    data["findings"] = data.pop("finding_ids")
    return dump_entry(services.create_draft(_actor(), service, **data))


@endpoint("/entries/<entry_id>", response=EntrySchema)
@login_required
def get_entry(entry_id):
    """Read one entry with its flags, evidence and carry-forwards."""
    return dump_entry(_entry(entry_id))


@endpoint("/entries/<entry_id>", methods=("PATCH",), body=EntryUpdateSchema, response=EntrySchema)
@login_required
def update_entry(entry_id):
    """Change an entry's fields; send the version you read, and a reason to move a due date."""
    entry = _entry(entry_id)
    data = load(EntryUpdateSchema())
    version, reason = data.pop("version"), data.pop("carry_forward_reason", None)
    return dump_entry(services.update_entry(_actor(), entry, version, data, reason))


@endpoint(
    "/entries/<entry_id>/transitions",
    methods=("POST",),
    body=EntryTransitionSchema,
    response=EntrySchema,
)
@login_required
def transition_entry(entry_id):
    """Open, start, mark done, send back, close, sign off, challenge or reopen an entry."""
    entry = _entry(entry_id)
    data = load(EntryTransitionSchema())
    return dump_entry(
        services.transition(
            _actor(),
            entry,
            data["action"],
            base_version=data["version"],
            reason=data["reason"],
            override_reason=data["override_reason"],
        )
    )


@endpoint("/entries/<entry_id>/notes", query=PageArgs, response=EntryNoteSchema, paged=True)
@login_required
def list_notes(entry_id):
    """List an entry's notes, oldest first."""
    entry, args = _entry(entry_id), query_args(PageArgs())
    select = queries.notes_of(entry)
    return page(select, EntryNoteSchema().dump, args["page"], args["per_page"])


@endpoint(
    "/entries/<entry_id>/notes",
    methods=("POST",),
    status=201,
    body=EntryNoteCreateSchema,
    response=EntryNoteSchema,
)
@login_required
def add_note(entry_id):
    """Add a note to an entry (notes are never edited)."""
    entry = _entry(entry_id)
    data = load(EntryNoteCreateSchema())
    return EntryNoteSchema().dump(services.add_note(_actor(), entry, data["body"], data["id"]))


@endpoint("/entries/<entry_id>/evidence", query=PageArgs, response=EntryEvidenceSchema, paged=True)
@login_required
def list_evidence(entry_id):
    """List an entry's evidence references, oldest first."""
    entry, args = _entry(entry_id), query_args(PageArgs())
    select = queries.evidence_of(entry)
    return page(select, EntryEvidenceSchema().dump, args["page"], args["per_page"])


@endpoint(
    "/entries/<entry_id>/evidence",
    methods=("POST",),
    status=201,
    body=EntryEvidenceCreateSchema,
    response=EntryEvidenceSchema,
)
@login_required
def add_evidence(entry_id):
    """Record where a piece of evidence for an entry lives."""
    entry = _entry(entry_id)
    data = load(EntryEvidenceCreateSchema())
    return EntryEvidenceSchema().dump(services.add_evidence(_actor(), entry, **data))


@endpoint(
    "/entries/<entry_id>/escalation",
    methods=("POST",),
    body=EntryEscalationSchema,
    response=EntrySchema,
)
@login_required
def record_escalation(entry_id):
    """Record whether the entry is escalated to provider level, and why."""
    entry = _entry(entry_id)
    data = load(EntryEscalationSchema())
    return dump_entry(
        services.record_escalation(
            _actor(), entry, data["decision"], data["reason"], base_version=data["version"]
        )
    )


@endpoint(
    "/entries/<entry_id>/history", query=PageArgs, response=EntryHistoryEventSchema, paged=True
)
@login_required
def entry_history(entry_id):
    """List every change to an entry, oldest first: who, when, how, old and new values."""
    entry, args = _entry(entry_id), query_args(PageArgs())
    select = queries.history_of(entry)
    return page(select, EntryHistoryEventSchema().dump, args["page"], args["per_page"])


@endpoint("/vague-check", query=VagueCheckArgs, response=VagueCheckSchema)
@login_required
def vague_check():
    """Check a decision's wording as it is typed."""
    flags = vague.check(query_args(VagueCheckArgs())["decision"])
    return {
        "passes": not flags,
        "flags": [{"phrase": f.phrase, "explanation": f.explanation} for f in flags],
    }
