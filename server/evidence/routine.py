"""Which entries the evidence pack summarises as routine: one table row each (concern,
decision, owner, closed on, evidence count) instead of a full card (docs/evidence-pack.md).

An entry is routine when it is of low risk and nothing about it needs an inspector's closer
look: it was never challenged, no escalation decision was recorded on it, and no
safeguarding concern is behind it. In the whole pack it must also be closed, so that every
open action is printed in full; in a pack for chosen statements, which is short anyway, a
routine entry is summarised whatever its status (the table says it).
"""

from server.audit.models import AuditEvent
from server.extensions import db

ROUTINE_RISKS = ("low",)


def challenged(entry_ids) -> set:
    """The entries challenged at any time (a review's or a signer's challenge), answered
    or not: a challenge is printed in full."""
    if not entry_ids:
        return set()
    rows = db.session.scalars(
        db.select(AuditEvent.entity_id).where(
            AuditEvent.entity_type == "log_entry",
            AuditEvent.entity_id.in_([str(i) for i in entry_ids]),
            AuditEvent.action == "challenge",
        )
    )
    return set(rows)


def attention(entry, findings, was_challenged: bool) -> list[str]:
    """Why an entry is printed in full whatever its risk: challenged, escalation,
    safeguarding (empty when there is no such reason)."""
    reasons = []
    if was_challenged:
        reasons.append("challenged")
    if entry.escalated or entry.escalation_decision:
        reasons.append("escalation")
    if any(f.safeguarding_concern for f in findings) or entry.referral_made_on:
        reasons.append("safeguarding")
    return reasons


def is_routine(view: dict, whole_pack: bool) -> bool:
    """Whether the pack summarises this entry (a view from services._entry_views)."""
    if view["risk"] not in ROUTINE_RISKS or view["attention"]:
        return False
    return view["status"] == "closed" or not whole_pack
