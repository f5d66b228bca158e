"""The story of a recorder's own findings, sent with a pull (docs/sync-protocol.md §7.2).

A finding's record says whether it is new, dismissed (with the reason), withdrawn or linked
to an entry. For a linked finding the person who recorded it also needs to know which entry
it went into, who owns it and when it is due, even when their role does not read the log.
So each pull page carries, for the user's own linked findings whose link or entry changed
in the page's range of change numbers, just that: the entry's id, a title, the owner's name
and the due date. Nothing else of the entry travels; nobody else's findings get a story.
"""

from sqlalchemy import and_, bindparam, or_, select

from server.accounts.models import User
from server.extensions import db
from server.findings.models import Finding
from server.log.models import LogEntry
from server.syncing.pull_scope import USER, in_scope

TITLE_CHARS = 140
"""The longest title sent: the entry's decision (what will be done), else its concern."""


def _statement(wide: frozenset):
    f, e, u = Finding.__table__, LogEntry.__table__, User.__table__
    cursor, upto = bindparam("story_cursor"), bindparam("story_upto")
    return (
        select(
            f.c.id,
            f.c.triaged_at,
            e.c.id.label("entry_id"),
            e.c.created_at,
            e.c.decision,
            e.c.concern,
            e.c.due_date,
            e.c.deleted_at,
            u.c.display_name,
        )
        .select_from(f.join(e, e.c.id == f.c.log_entry_id).outerjoin(u, u.c.id == e.c.owner_id))
        .where(
            f.c.recorded_by == USER,
            f.c.triage_state == "linked",
            f.c.deleted_at.is_(None),
            in_scope("finding", f.c, wide),
            or_(
                and_(f.c.change_seq > cursor, f.c.change_seq <= upto),
                and_(e.c.change_seq > cursor, e.c.change_seq <= upto),
            ),
        )
        .order_by(f.c.id)
    )


def title(decision: str | None, concern: str | None) -> str:
    text = " ".join(((decision or "").strip() or (concern or "")).split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _story(row) -> dict:
    entry = None
    if row.deleted_at is None:
        entry = {
            "id": str(row.entry_id),
            "title": title(row.decision, row.concern),
            "owner_name": row.display_name,
            "due_date": row.due_date.isoformat() if row.due_date else None,
        }
    # Triage that starts a draft from findings links them as the entry is created.
    made = row.triaged_at is not None and row.triaged_at == row.created_at
    return {
        "finding_id": str(row.id),
        "outcome": "made_into" if made else "linked",
        "entry": entry,
    }


def stories(params: dict, wide: frozenset, cursor: int, upto: int) -> list[dict]:
    """Return the stories of the user's linked findings whose finding or entry changed in
    (cursor, upto]; ``params`` and ``wide``: the page's scope (pull_scope.scope_params)."""
    if upto <= cursor:
        return []
    rows = db.session.execute(
        _statement(wide), params | {"story_cursor": cursor, "story_upto": upto}
    )
    return [_story(row) for row in rows]
