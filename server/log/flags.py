"""What an entry shows on its face: overdue, missing interim controls, vague decision.

Dates are Europe/London calendar days; an entry is overdue from the day after its due date
(DESIGN.md rule 8), and only while its owner still has the work to do (open or in
progress): once marked done, the wait is for a manager's check, not for the owner.
"""

from datetime import date

from server.log import vague
from server.log.figures import FIGURES, OVERDUE_STATUSES

WAITING_FOR = {"awaiting_check": "a manager's check", "awaiting_sign_off": "sign-off"}

__all__ = ["OVERDUE_STATUSES", "entry_flags", "interim_control_flags", "is_entry_overdue"]


def is_entry_overdue(entry, today: date) -> bool:
    """Tell whether the entry's owner is past its due date on London day ``today``: the
    figure "overdue" of server.log.figures."""
    return FIGURES["overdue"].holds(entry, today)


def interim_control_flags(entry, today: date) -> list[str]:
    """Say why interim controls are missing: open entries that are overdue or high-risk
    must show what keeps people safe in the meantime (DESIGN.md rule 4)."""
    reasons = []
    if FIGURES["overdue_without_interim_controls"].holds(entry, today):
        reasons.append(
            f"This entry is overdue (due {entry.due_date:%-d %B %Y}) and has no interim "
            "controls. Record what is keeping people safe until the action is done."
        )
    if FIGURES["high_risk_without_interim_controls"].holds(entry, today):
        reasons.append(
            "This high-risk entry has no interim controls. Record what is keeping people "
            "safe until the action is done and checked."
        )
    return reasons


def entry_flags(entry, today: date) -> list[dict]:
    """Return the entry's flags as {"code", "message"}: overdue, past due and waiting for a
    check or sign-off, missing interim controls, vague decision (unless a registered
    manager overrode it)."""
    flags = []
    if is_entry_overdue(entry, today):
        days = (today - entry.due_date).days
        flags.append(
            {
                "code": "overdue",
                "message": f"Overdue by {days} day{'s' if days != 1 else ''}: "
                f"it was due on {entry.due_date:%-d %B %Y}.",
            }
        )
    if FIGURES["past_due_waiting"].holds(entry, today):
        flags.append(
            {
                "code": "past_due_waiting",
                "message": f"Past its due date ({entry.due_date:%-d %B %Y}) and waiting for "
                + WAITING_FOR[entry.status]
                + ": the owner has marked it done, so it is not overdue.",
            }
        )
    flags += [
        {"code": "missing_interim_controls", "message": message}
        for message in interim_control_flags(entry, today)
    ]
    if (entry.decision or "").strip() and entry.vague_override_reason is None:
        problems = vague.check(entry.decision)
        if problems:
            flags.append(
                {
                    "code": "vague_decision",
                    "message": " ".join(p.explanation for p in problems),
                }
            )
    return flags
