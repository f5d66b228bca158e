"""A finding withdrawn by the person who recorded it, before the office has triaged it.

Withdrawal is a transition of the finding's ``triage_state`` (``new`` -> ``withdrawn``),
sent from the tablet like any other (docs/sync-protocol.md). The finding stays, out of the
triage inbox; the audit event says who withdrew it, when, and why if they said.
"""

from server.audit import services as audit
from server.audit.services import Actor
from server.errors import Forbidden
from server.extensions import db
from server.findings.models import Finding

WITHDRAWN = "withdrawn"


def require_withdrawable(actor: Actor, finding: Finding) -> None:
    """Raise Forbidden unless the actor recorded this finding and it is still new."""
    if finding.recorded_by != actor.user_id:
        raise Forbidden(
            "Only the person who recorded this finding may withdraw it.",
            action="finding.create",
        )
    if finding.triage_state == WITHDRAWN:
        raise Forbidden("This finding has already been withdrawn.", action="finding.create")
    if finding.triage_state != "new":
        raise Forbidden(
            "This finding has been triaged; ask a manager to change it.", action="finding.triage"
        )


def withdraw(actor: Actor, finding: Finding, reason: str | None = None) -> Finding:
    """Withdraw a new finding its recorder no longer stands by; the reason is kept."""
    require_withdrawable(actor, finding)
    changed = audit.apply_changes(finding, {"triage_state": WITHDRAWN})
    reason = (reason or "").strip()
    if reason:
        changed["reason"] = reason
    audit.record(actor, "finding", finding.id, "withdraw", changed, service_id=finding.service_id)
    db.session.flush()
    return finding
