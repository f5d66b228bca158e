"""The story of a recorder's own findings, sent with a pull (docs/sync-protocol.md §7.2).

A finding's record says whether it is new, dismissed (with the reason), withdrawn or linked
to an entry. For a linked finding the person who recorded it also needs to know which entry
it went into, who owns it and when it is due, even when their role does not read the log.
So each pull page carries, for the user's own linked findings whose link or entry changed
in the page's range of change numbers, just that: the entry's id, a title, the owner's name
and the due date. Nothing else of the entry travels; nobody else's findings get a story.

Two small reads, each by an index, so that a page costs nothing more when none of this
applies: the entries of the page's own linked findings (by their ids), and the user's
findings linked to entries changed in the page's range (entries by change_seq, then their
findings by ix_finding_log_entry_id).
"""

import functools
import uuid

from sqlalchemy import bindparam, select

from server.accounts.models import User
from server.common.serial import to_wire
from server.extensions import db
from server.findings.models import Finding
from server.log.models import LogEntry
from server.syncing.pull_scope import USER, Unindexed, in_scope

TITLE_CHARS = 140
"""The longest title sent: the entry's decision (what will be done), else its concern."""

_F, _E, _U = Finding.__table__, LogEntry.__table__, User.__table__
_ENTRY = (
    _E.c.id.label("entry_id"),
    _E.c.created_at,
    _E.c.decision,
    _E.c.concern,
    _E.c.due_date,
    _E.c.deleted_at,
    _U.c.display_name,
)
_OWNER = _E.outerjoin(_U, _U.c.id == _E.c.owner_id)


def title(decision: str | None, concern: str | None) -> str:
    text = " ".join(((decision or "").strip() or (concern or "")).split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _entry(row) -> dict | None:
    if row.deleted_at is not None:
        return None
    return {
        "id": str(row.entry_id),
        "title": title(row.decision, row.concern),
        "owner_name": row.display_name,
        "due_date": row.due_date.isoformat() if row.due_date else None,
    }


def _story(finding_id, triaged_at: str | None, row) -> dict:
    # Triage that starts a draft from findings links them as the entry is created.
    made = triaged_at is not None and triaged_at == to_wire(row.created_at, "datetime")
    return {
        "finding_id": str(finding_id),
        "outcome": "made_into" if made else "linked",
        "entry": _entry(row),
    }


def _of_page(user_id: str, changes: list[dict]) -> dict:
    """Stories of the user's own linked findings that are in the page."""
    own = {}
    for change in changes:
        if change["entity_type"] != "finding" or not change["record"]:
            continue
        record = change["record"]
        linked = record["log_entry_id"] and record["triage_state"] == "linked"
        if linked and record["recorded_by"] == user_id:
            own[change["id"]] = record
    if not own:
        return {}
    ids = sorted({uuid.UUID(r["log_entry_id"]) for r in own.values()})
    rows = db.session.execute(select(*_ENTRY).select_from(_OWNER).where(_E.c.id.in_(ids)))
    entries = {str(row.entry_id): row for row in rows}
    return {
        finding_id: _story(finding_id, record["triaged_at"], entries[record["log_entry_id"]])
        for finding_id, record in own.items()
        if record["log_entry_id"] in entries
    }


@functools.lru_cache(maxsize=64)
def _statement(wide: frozenset):
    """The user's linked findings (in the pull's scope) of entries changed in the range."""
    plain = Unindexed(_F.c)
    changed = (
        select(_E.c.id)
        .where(_E.c.change_seq > bindparam("story_cursor"), _E.c.change_seq <= bindparam("upto"))
        .scalar_subquery()
    )
    return (
        select(_F.c.id, _F.c.triaged_at, *_ENTRY)
        .select_from(_F.join(_OWNER, _E.c.id == _F.c.log_entry_id))
        .where(
            _F.c.log_entry_id.in_(changed),
            # Checked on those findings alone: no other index may lead (a service's
            # findings of 28 days, or all the user's, would be read on every page).
            plain.recorded_by == USER,
            plain.triage_state == "linked",
            plain.deleted_at.is_(None),
            in_scope("finding", plain, wide),
        )
    )


def stories(params: dict, wide: frozenset, cursor: int, upto: int, changes: list) -> list[dict]:
    """Return the stories of the user's linked findings whose finding (in ``changes``, the
    page) or entry changed in (cursor, upto]; ``params`` and ``wide``: the page's scope
    (pull_scope.scope_params)."""
    if upto <= cursor:
        return []
    out = _of_page(str(params["user_id"]), changes)
    rows = db.session.execute(_statement(wide), params | {"story_cursor": cursor, "upto": upto})
    for row in rows:
        finding_id = str(row.id)
        if finding_id not in out:
            out[finding_id] = _story(finding_id, to_wire(row.triaged_at, "datetime"), row)
    return [out[finding_id] for finding_id in sorted(out)]
