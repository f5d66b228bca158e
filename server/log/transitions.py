"""The entry's status machine (DESIGN.md rules 1-3), as explicit named actions.

draft -> open -> in_progress -> awaiting_check -> closed; a high-risk entry's closure goes
to awaiting_sign_off, which a nominated individual or provider quality lead signs off
(closed) or challenges (back to in_progress). A closed entry reopens with a reason.
"""

from server.accounts.permissions import can
from server.audit import services as audit
from server.common import dates, vocab
from server.common.types import utcnow
from server.errors import Forbidden, Invalid, RuleBroken
from server.extensions import db
from server.log import guards, vague
from server.log.machine import ACTIONS, TRANSITIONS, Step  # noqa: F401  (imported from here too)

CLOSURE_NEEDS_EVIDENCE = (
    "Closure needs evidence from records, audits, feedback or practice checks. Verbal "
    "reassurance alone is not enough: add a care record, audit, feedback, observation, "
    "handover record, incident trend, governance minutes, staff practice check or training "
    "record."
)
STATUS_LABELS = {
    "draft": "a draft",
    "open": "open",
    "in_progress": "in progress",
    "awaiting_check": "awaiting a completion check",
    "awaiting_sign_off": "awaiting sign-off",
    "closed": "closed",
}


def vague_override(
    actor, entry, decision: str, override_reason: str | None, evidence_needed: str | None = None
) -> dict:
    """Refuse a vague decision unless a registered manager records why it stands; return
    the override fields to store (cleared when the wording passes)."""
    flags = vague.check(decision, evidence_needed or entry.evidence_needed)
    if not flags:
        return {"vague_override_reason": None, "vague_override_by": None}
    reason = (override_reason or "").strip()
    if not reason:
        raise RuleBroken(
            "vague_decision",
            "The decision is too vague to check. "
            + " ".join(f.explanation for f in flags)
            + " A registered manager can accept the wording by recording why.",
            {"decision": flags[0].explanation},
            flags=[{"phrase": f.phrase, "explanation": f.explanation} for f in flags],
        )
    if not guards.may(actor, "entry.override_vague", entry):
        raise Forbidden(
            "Only a registered manager can accept a decision flagged as vague. Reword the "
            "decision so that it says what will be done, by whom and how often.",
            {"override_reason": "Only a registered manager can give this."},
            action="entry.override_vague",
        )
    return {"vague_override_reason": reason, "vague_override_by": actor.user_id}


def _open(actor, entry, reason, override_reason) -> dict:
    missing = [
        (name, rule, what)
        for name, rule, what in (
            ("owner_id", "needs_owner", "a named owner"),
            ("due_date", "needs_due_date", "a due date"),
            ("evidence_needed", "needs_evidence_needed", "the evidence needed"),
            ("decision", "needs_decision", "a decision"),
        )
        if not getattr(entry, name)
    ]
    if missing:
        whats = [what for _, _, what in missing]
        listed = whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " and " + whats[-1]
        raise RuleBroken(
            missing[0][1],
            f"This entry cannot be opened without {listed}.",
            {name: f"Add {what}." for name, _, what in missing},
        )
    fields = vague_override(actor, entry, entry.decision, override_reason)
    return {**fields, "status": "open", "opened_at": utcnow()}


def _mark_done(actor, entry, reason, override_reason) -> dict:
    # The first completion day counts for "completed within timescale"; a send-back and
    # a second completion do not move it.
    return {
        "status": "awaiting_check",
        "completed_on": entry.completed_on or dates.london_today(),
        "done_by": actor.user_id,
        "done_at": utcnow(),
        "checked_by": None,
        "checked_at": None,
    }


def _close(actor, entry, reason, override_reason) -> dict:
    if not any(ref.type in vocab.EVIDENCE_TYPES for ref in entry.evidence):
        raise RuleBroken(
            "closure_needs_evidence",
            CLOSURE_NEEDS_EVIDENCE,
            {"evidence": "Add at least one evidence reference of a real type."},
        )
    guards.require_safeguarding_follow_through(entry)
    checked = {"checked_by": actor.user_id, "checked_at": utcnow()}
    if entry.risk == "high":
        return {"status": "awaiting_sign_off", **checked}
    return {"status": "closed", "closed_at": utcnow(), "closed_by": actor.user_id, **checked}


def _sign_off(actor, entry, reason, override_reason) -> dict:
    guards.require_sign_off(actor, entry)
    now = utcnow()
    return {
        "status": "closed",
        "closed_at": now,
        "closed_by": actor.user_id,
        "signed_off_by": actor.user_id,
        "signed_off_at": now,
    }


def _back(actor, entry, reason, override_reason) -> dict:
    return {"status": "in_progress"}


def _reopen(actor, entry, reason, override_reason) -> dict:
    return {
        "status": "in_progress",
        "closed_at": None,
        "closed_by": None,
        "signed_off_by": None,
        "signed_off_at": None,
    }


_HANDLERS = {
    "open": _open,
    "start": _back,
    "mark_done": _mark_done,
    "send_back": _back,
    "close": _close,
    "sign_off": _sign_off,
    "challenge": _back,
    "reopen": _reopen,
}
_NEEDS_REASON = {
    "send_back": "Say what is still missing before this can be checked again.",
    "challenge": "Say what the challenge is, so that the owner can act on it.",
    "reopen": "Say why this closed entry is being reopened.",
}


def _check_source(entry, action: str, step: Step) -> None:
    if entry.status in step.sources:
        return
    if action == "close" and entry.status == "awaiting_sign_off":
        raise RuleBroken(
            "high_risk_needs_sign_off",
            (
                "This high-risk entry closes only when the nominated individual or provider "
                "quality lead signs it off."
            ),
            {"action": "Waiting for sign-off."},
        )
    allowed = " or ".join(STATUS_LABELS[s] for s in step.sources)
    raise RuleBroken(
        "not_allowed_from_status",
        f"An entry that is {STATUS_LABELS[entry.status]} cannot be {step.done}; "
        f"only one that is {allowed} can.",
        {"action": f"Not possible while the entry is {STATUS_LABELS[entry.status]}."},
        status=entry.status,
    )


def transition(
    actor,
    entry,
    action: str,
    *,
    base_version=None,
    reason: str | None = None,
    override_reason: str | None = None,
):
    """Move an entry along its status machine, or say which rule refuses it."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise Invalid(
            f"Unknown action: {action!r}.", {"action": f"Must be one of: {', '.join(ACTIONS)}."}
        )
    guards.require_on_entry(actor, step.permission, entry, owner_may=step.owner_may)
    guards.check_version(entry, base_version)
    _check_source(entry, action, step)
    if action in _NEEDS_REASON:
        reason = guards.reason_for(reason, "needs_reason", _NEEDS_REASON[action])
    fields = _HANDLERS[action](actor, entry, reason, override_reason)
    changed = audit.apply_changes(entry, fields)
    if (reason or "").strip():
        changed["reason"] = reason.strip()
    audit.record(actor, "log_entry", entry.id, action, changed, entry.service_id)
    db.session.flush()
    return entry


def challenge(actor, entry, reason: str, review_id=None):
    """Record a review's challenge on an entry; a closed or awaiting-sign-off entry goes
    back to in progress, any other keeps its status. The owner sees it in the history."""
    service = guards.service_of(entry)
    if not any(
        can(actor.user, a, service) for a in ("review.rm", "review.provider", "entry.sign_off")
    ):
        raise Forbidden("Your role does not allow this (review challenge).", action="review.rm")
    reason = guards.reason_for(reason, "needs_reason", _NEEDS_REASON["challenge"])
    fields = (
        _reopen(actor, entry, reason, None)
        if entry.status in ("awaiting_sign_off", "closed")
        else {}
    )
    changed = audit.apply_changes(entry, fields)
    changed.update(reason=reason, review_id=review_id)
    audit.record(actor, "log_entry", entry.id, "challenge", changed, entry.service_id)
    db.session.flush()
    return entry
