"""The leadership log's writes: drafts, edits, carry-forwards, notes, evidence, escalation.

Status changes live in server.log.transitions, what an edit may change in server.log.edits
and reading the log in server.log.listing; they are re-exported here, so that routes and
the sync engine call one module. Every function checks permissions itself, audits what it
changes and flushes; the caller commits.
"""

from server.audit import services as audit
from server.audit.services import Actor
from server.common import dates, vocab
from server.common.types import utcnow
from server.errors import Invalid
from server.extensions import db
from server.log import annotations, drafts, guards
from server.log.edits import require_edit  # noqa: F401  (the sync engine imports it here)
from server.log.listing import list_entries  # noqa: F401  (the routes list through here)
from server.log.models import EvidenceRef, LogEntry, Note
from server.log.transitions import challenge, transition  # noqa: F401  (re-exported)
from server.providers.models import Service

MAX_TEXT = annotations.MAX_TEXT


def _only(results: list):
    """The one item of a batch of one, or raise the error that refused it."""
    (result,) = results
    if isinstance(result, Exception):
        raise result
    return result


def create_draft(actor, service: Service, *, id=None, **fields) -> LogEntry:
    """Create a draft entry from ``fields`` (drafts.DRAFT_FIELDS: concern and source
    required; risk medium unless said), linking the findings it came from (DESIGN.md
    rule 1): create_drafts of one."""
    row = _only(drafts.create_drafts([(actor, service, fields, id)]))
    return db.session.get(LogEntry, row["id"])


def update_entry(
    actor, entry: LogEntry, base_version, changes: dict, carry_forward_reason: str | None = None
) -> LogEntry:
    """Change an entry's fields; a moved due date is a carry-forward with a reason:
    update_entries of one."""
    return _only(
        drafts.update_entries([(actor, entry, base_version, changes, carry_forward_reason)])
    )


def hand_over(actor, entry: LogEntry, owner_id, reason: str) -> LogEntry:
    """Give an entry a new owner because its owner is leaving.

    The right comes from managing people (user.manage), not from running the log: the
    provider admin deactivating a leaver must be able to leave nothing without an owner.
    """
    service = guards.require_on_entry(actor, "user.manage", entry)
    changed = audit.apply_changes(entry, {"owner_id": guards.owner_for(service, owner_id)})
    if changed:
        changed["reason"] = [None, reason]
        audit.record(actor, "log_entry", entry.id, "hand_over", changed, entry.service_id)
        entry.updated_at = utcnow()
    db.session.flush()
    return entry


def add_note(actor, entry: LogEntry, body: str, id=None) -> Note:
    """Append a note to an entry: add_notes of one."""
    return db.session.get(Note, _only(annotations.add_notes([(actor, entry, body, id)]))["id"])


def add_evidence(actor, entry: LogEntry, *, id=None, **fields) -> EvidenceRef:
    """Record where evidence for an entry lives (``fields``: type, location, evidence_date,
    checked_by and an optional description): add_evidence_refs of one."""
    row = _only(annotations.add_evidence_refs([(actor, entry, fields, id)]))
    return db.session.get(EvidenceRef, row["id"])


def sign_off_state(user, entry: LogEntry) -> dict:
    """What the sign-off panel shows of ``entry`` to ``user``: who moved it along, the
    challenges not yet answered, whether a safeguarding concern is behind it, and every
    reason a sign-off would be refused now (the person's own only to one who may sign off)."""
    waiting = entry.status == "awaiting_sign_off"
    may_sign = guards.may(Actor(user), "entry.sign_off", entry)
    refusals = (
        (
            guards.sign_off_refusals(user.id, entry)
            if may_sign
            else guards.missing_for_sign_off(entry)
        )
        if waiting
        else []
    )
    return {
        "steps": guards.steps_sentence(entry),
        "follow_through": guards.follow_through_sentence(entry),
        "safeguarding": guards.is_safeguarding(entry),
        "challenges": guards.open_challenges(entry),
        "refusals": [{"rule": r.rule, "message": r.message} for r in refusals],
        "ready": waiting and may_sign and not refusals,
    }


SAFEGUARDING_STEPS = (
    # (the day it was made, why it was not needed, what it is)
    ("referral_made_on", "referral_not_needed", "local-authority safeguarding referral"),
    ("cqc_notified_on", "cqc_not_needed", "CQC notification"),
)


def record_escalation(
    actor, entry: LogEntry, decision: str, reason: str, base_version=None, **follow_through
) -> LogEntry:
    """Record whether an entry goes to provider level, by whom and why (rule b), and for a
    safeguarding concern whether the local-authority referral and the CQC notification were
    made (``follow_through``: the day of each, or why it was not needed)."""
    guards.check_version(entry, base_version)
    guards.require_on_entry(actor, "entry.escalate", entry)
    guards.one_of(decision, vocab.ESCALATION_DECISIONS, "decision", "escalation decision")
    reason = guards.reason_for(
        reason,
        "escalation_needs_reason",
        "Say why the entry is, or is not, escalated to provider level.",
    )
    changed = audit.apply_changes(
        entry,
        {
            "escalated": decision == "escalated",
            "escalation_decision": decision,
            "escalation_reason": reason,
            "escalation_by": actor.user_id,
            "escalation_at": utcnow(),
            **_follow_through(follow_through),
        },
    )
    audit.record(actor, "log_entry", entry.id, "escalation", changed, entry.service_id)
    db.session.flush()
    return entry


def _follow_through(given: dict) -> dict:
    """The safeguarding steps as stored: each made on a day no later than today, or not
    needed for a reason, never both; one not given stays unrecorded."""
    out = {}
    for made, not_needed, what in SAFEGUARDING_STEPS:
        day, why = given.get(made), (given.get(not_needed) or "").strip() or None
        if day is not None and why is not None:
            raise Invalid(
                f"Give the day the {what} was made, or why it was not needed, not both.",
                {not_needed: "Leave this empty when you give the day."},
            )
        if day is not None and day > dates.london_today():
            raise Invalid(
                f"The {what} cannot be dated in the future.",
                {made: "Give the day it was made: today or earlier."},
            )
        out[made], out[not_needed] = day, why
    return out
