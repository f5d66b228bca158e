"""Checks shared by the log's services: permissions on an entry, versions, owners, reasons."""

import uuid
from dataclasses import dataclass

from server.accounts.models import User
from server.accounts.permissions import can, require, roles_in
from server.common import rendering, vocab
from server.errors import Conflict, Invalid, RuleBroken
from server.extensions import db
from server.providers.models import Service

STALE = "This entry was changed by someone else since you opened it. Here is the current copy."


def service_of(entry) -> Service:
    return db.session.get(Service, entry.service_id)


def is_owner(actor, entry) -> bool:
    return entry.owner_id is not None and entry.owner_id == actor.user_id


def require_on_entry(actor, action: str, entry, owner_may: bool = False) -> Service:
    """Raise Forbidden unless the actor may do ``action`` on ``entry``; owners may too
    when ``owner_may`` (while they still hold a role in the entry's service)."""
    service = service_of(entry)
    if owner_may and is_owner(actor, entry) and roles_in(actor.user, service):
        return service
    require(actor.user, action, service)
    return service


def may(actor, action: str, entry) -> bool:
    return can(actor.user, action, service_of(entry))


def check_version(entry, base_version) -> None:
    """Refuse a write based on a version of the entry that is no longer current."""
    if base_version is not None and base_version != entry.version:
        from server.log.schemas import dump_entry

        raise Conflict(
            STALE,
            {"version": f"The current version is {entry.version}."},
            current=dump_entry(entry),
        )


NOT_INDEPENDENT = (
    "so someone else must sign it off: another nominated individual or provider quality lead."
)


@dataclass(frozen=True)
class Refusal:
    """One reason a sign-off is refused: its rule, in plain words, and the field it names."""

    rule: str
    message: str
    field: str
    hint: str


def sign_off_refusals(actor_id, entry) -> list[Refusal]:
    """Every reason ``actor_id`` may not sign ``entry`` off now, the person's first (DESIGN.md
    rule 3): the sign-off is a second pair of eyes, and it signs off a whole record."""
    return _not_independent(actor_id, entry) + missing_for_sign_off(entry)


def require_sign_off(actor, entry) -> None:
    """Refuse a sign-off naming everything that stops it (server-side, so REST and sync)."""
    refusals = sign_off_refusals(actor.user_id, entry)
    if refusals:
        fields: dict[str, str] = {}
        for refusal in refusals:
            fields.setdefault(refusal.field, refusal.hint)
        raise RuleBroken(
            refusals[0].rule,
            " ".join(r.message for r in refusals),
            fields,
            reasons=[{"rule": r.rule, "message": r.message} for r in refusals],
        )


def is_independent_signer(actor_id, entry) -> bool:
    """Tell whether ``actor_id`` is a second pair of eyes on ``entry`` (My day lists only
    the sign-offs that are theirs to give)."""
    return not _not_independent(actor_id, entry)


def _not_independent(actor_id, entry) -> list[Refusal]:
    """The independence rule, in one place: the signer neither marked the entry done, nor
    checked it (recorded its closure), nor checked any of its evidence."""
    why = []
    if actor_id == (entry.checked_by or closer_of(entry)):
        why.append(("You recorded this closure", "You closed this entry."))
    elif actor_id == entry.done_by:
        why.append(("You marked this entry done", "You marked this entry done."))
    if any(ref.checked_by == actor_id for ref in entry.evidence if ref.deleted_at is None):
        why.append(("You checked evidence for this closure", "You checked this entry's evidence."))
    return [
        Refusal("sign_off_not_independent", f"{what}, {NOT_INDEPENDENT}", "action", hint)
        for what, hint in why[:1]
    ]


def missing_for_sign_off(entry) -> list[Refusal]:
    """What the record lacks before anyone may sign it off."""
    out = []
    if not any(
        ref.type in vocab.EVIDENCE_TYPES for ref in entry.evidence if ref.deleted_at is None
    ):
        out.append(
            Refusal(
                "sign_off_needs_evidence",
                "No evidence is attached: add where the proof that the action worked is kept.",
                "evidence",
                "Add at least one evidence reference of a real type.",
            )
        )
    if entry.risk == "high" and entry.escalation_decision is None:
        out.append(
            Refusal(
                "sign_off_needs_escalation",
                "No escalation decision is recorded: record whether this high-risk entry goes "
                "to provider level, and why.",
                "escalation_decision",
                "Record the escalation decision.",
            )
        )
    for challenge in open_challenges(entry):
        out.append(
            Refusal(
                "sign_off_challenge_open",
                f"{challenge['by']}'s challenge of {challenge['on']} is not answered yet "
                f"(\u201c{challenge['reason']}\u201d): the owner answers it with a note, or "
                "by marking the entry done again.",
                "challenge",
                "Answer the challenge.",
            )
        )
    if is_safeguarding(entry):
        out.extend(_safeguarding_missing(entry))
    return out


def require_safeguarding_follow_through(entry) -> None:
    """Refuse to close a safeguarding concern that no sign-off will look at (not high risk)
    until its referral and CQC notification are recorded, made or not needed."""
    if entry.risk == "high" or not is_safeguarding(entry):
        return
    missing = _safeguarding_missing(entry)
    if missing:
        raise RuleBroken(
            "closure_needs_safeguarding_follow_through",
            " ".join(r.message for r in missing),
            {r.field: r.hint for r in missing},
            reasons=[{"rule": r.rule, "message": r.message} for r in missing],
        )


def _safeguarding_missing(entry) -> list[Refusal]:
    out = []
    if entry.referral_made_on is None and not entry.referral_not_needed:
        out.append(
            Refusal(
                "sign_off_needs_referral",
                "No local-authority safeguarding referral is recorded for this safeguarding "
                "concern: record the day it was made, or why it was not needed.",
                "referral_made_on",
                "Record the safeguarding referral, or why it was not needed.",
            )
        )
    if entry.cqc_notified_on is None and not entry.cqc_not_needed:
        out.append(
            Refusal(
                "sign_off_needs_cqc_notification",
                "No CQC notification is recorded for this safeguarding concern: record the "
                "day it was sent, or why it was not needed.",
                "cqc_notified_on",
                "Record the CQC notification, or why it was not needed.",
            )
        )
    return out


def is_safeguarding(entry) -> bool:
    """Whether a finding flagged as a possible safeguarding concern is behind ``entry``."""
    from server.findings.models import Finding

    return (
        db.session.scalar(
            db.select(Finding.id)
            .where(
                Finding.log_entry_id == entry.id,
                Finding.safeguarding_concern.is_(True),
                Finding.deleted_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def open_challenges(entry) -> list[dict]:
    """The challenges on ``entry`` not answered yet: a challenge is answered by a note from
    anyone but the challenger after it, or by the entry being marked done again."""
    from server.audit.models import AuditEvent
    from server.log.models import Note

    events = db.session.execute(
        db.select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.at, AuditEvent.changes)
        .where(
            AuditEvent.entity_type == "log_entry",
            AuditEvent.entity_id == str(entry.id),
            AuditEvent.action.in_(("challenge", "mark_done")),
        )
        .order_by(AuditEvent.id)
    ).all()
    pending = []
    for action, actor_id, at, changes in events:
        pending = [] if action == "mark_done" else [*pending, (actor_id, at, changes or {})]
    if not pending:
        return []
    notes = db.session.execute(
        db.select(Note.author_id, Note.created_at).where(
            Note.entry_id == entry.id, Note.deleted_at.is_(None)
        )
    ).all()
    pending = [(by, at, changes) for by, at, changes in pending if not _noted(notes, by, at)]
    names = _names(by for by, _, _ in pending)
    return [
        {
            "by": names.get(by, "Someone"),
            "by_id": by,
            "at": at,
            "on": rendering.day(at),
            "reason": str(changes.get("reason") or ""),
        }
        for by, at, changes in pending
    ]


def _noted(notes, by, at) -> bool:
    """A challenge made by ``by`` at ``at`` is answered by a later note from someone else."""
    return any(author != by and written > at for author, written in notes)


def is_challenge_answered(entry_id, by, at) -> bool:
    """Tell whether a challenge (a sign-off's or a review's) made by ``by`` at ``at`` has
    been answered, by the rule open_challenges applies: a later note from anyone else, or
    the entry marked done again."""
    from server.audit.models import AuditEvent
    from server.log.models import Note

    notes = db.session.execute(
        db.select(Note.author_id, Note.created_at).where(
            Note.entry_id == entry_id, Note.deleted_at.is_(None), Note.created_at > at
        )
    ).all()
    if _noted(notes, by, at):
        return True
    done_again = db.select(AuditEvent.id).where(
        AuditEvent.entity_type == "log_entry",
        AuditEvent.entity_id == str(entry_id),
        AuditEvent.action == "mark_done",
        AuditEvent.at > at,
    )
    return db.session.scalar(done_again.limit(1)) is not None


def steps_sentence(entry, names: dict | None = None) -> str:
    """Say who moved ``entry`` along, each step separately: "Marked done by Sam Carer on
    3 December 2026, checked by Kate Williams on 4 December 2026, signed off by Jo Lead on
    5 December 2026." ("" before anyone marked it done). ``names`` may hold the people."""
    steps = [
        ("Marked done", entry.done_by, entry.done_at),
        ("checked", entry.checked_by, entry.checked_at),
        ("signed off", entry.signed_off_by, entry.signed_off_at or entry.closed_at),
    ]
    steps = [(what, by, at) for what, by, at in steps if by is not None]
    if not steps:
        return ""
    names = names if names is not None else _names(by for _, by, _ in steps)
    said = [
        f"{what} by {names.get(by, 'a colleague')}" + (f" on {rendering.day(at)}" if at else "")
        for what, by, at in steps
    ]
    return (said[0][0].upper() + ", ".join(said)[1:]) + "."


def follow_through_sentence(entry) -> str:
    """Say a safeguarding concern's follow-through as recorded with the escalation decision
    ("" when none of it is recorded)."""
    said = []
    for made, reason, what in (
        (
            entry.referral_made_on,
            entry.referral_not_needed,
            "local-authority safeguarding referral",
        ),
        (entry.cqc_notified_on, entry.cqc_not_needed, "CQC notification"),
    ):
        if made is not None:
            said.append(f"{what} made on {rendering.day(made)}")
        elif reason:
            said.append(f"{what} not needed: {reason.rstrip('.')}")
    return ("Safeguarding: " + "; ".join(said) + ".") if said else ""


def people_names(user_ids) -> dict:
    """{user id: display name} of the people named (None among them skipped)."""
    return _names(user_ids)


def _names(user_ids) -> dict:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(db.select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )


def closer_of(entry) -> uuid.UUID | None:
    """Return who recorded the entry's latest closure (its check) from the audit trail, for
    an entry whose checked_by was never filled (one written before migration 0012)."""
    from server.audit.models import AuditEvent

    return db.session.scalar(
        db.select(AuditEvent.actor_id)
        .where(
            AuditEvent.entity_type == "log_entry",
            AuditEvent.entity_id == str(entry.id),
            AuditEvent.action == "close",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def _staff_of(service: Service, user_id) -> User | None:
    """The active user ``user_id`` names, if they can read ``service``'s log."""
    try:
        user = db.session.get(
            User, user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
        )
    except ValueError:
        return None
    return user if user is not None and can(user, "entry.read", service) else None


def owner_for(service: Service, owner_id) -> uuid.UUID | None:
    """Return ``owner_id`` if it names an active user who can read ``service``'s log."""
    if owner_id is None:
        return None
    user = _staff_of(service, owner_id)
    if user is None:
        raise Invalid(
            "The owner must be an active member of staff with a role in this service.",
            {"owner_id": "Choose an active member of staff who works in this service."},
        )
    return user.id


def checker_for(service: Service, user_id) -> uuid.UUID:
    """Return ``user_id`` if it names an active user who can read ``service``'s log."""
    user = _staff_of(service, user_id)
    if user is None:
        raise Invalid(
            "The person who checked the evidence must be an active member of staff with a "
            "role in this service.",
            {"checked_by": "Choose an active member of staff who works in this service."},
        )
    return user.id


def reason_for(reason: str | None, rule: str, message: str, field: str = "reason") -> str:
    """Return the stripped reason, or refuse the change with ``rule``."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken(rule, message, {field: "Give a reason."})
    return reason


def one_of(value, allowed, field: str, what: str):
    if value not in allowed:
        raise Invalid(
            f"Unknown {what}: {value!r}.", {field: f"Must be one of: {', '.join(allowed)}."}
        )
    return value


def not_blank(value, field: str, what: str) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str) or not value:
        raise Invalid(f"The {what} is required.", {field: f"Write the {what}."})
    return value
