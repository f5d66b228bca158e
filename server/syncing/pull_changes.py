"""The changes of a pull page: each row made into what a device receives.

Records go through their serializer (server.syncing.records), a table at a time; a log
entry's quality statements (a table of their own) are read for the page in one query; a
conflict is sent as the sync engine describes it. Something more a change carries (an
entry's allowed transitions, say) is added in ``changes`` after the records are made.
"""

import uuid
from types import SimpleNamespace

from sqlalchemy import select

from server.extensions import db
from server.log.models import entry_statement
from server.syncing.records import MODELS
from server.syncing.store import conflict_of
from server.syncing.wire import page_maker


def _conflict_change(row) -> dict:
    deleted = row["deleted_at"] is not None
    return {
        "entity_type": "conflict",
        "id": str(row["id"]),
        "change_seq": row["change_seq"],
        "version": row["version"],
        "deleted": deleted,
        "record": conflict_of(SimpleNamespace(**row)).to_dict(),
    }


def _statements(entry_ids: list[str]) -> dict:
    """Return {entry wire id: [statement ids]} for the log entries of a page."""
    out: dict = {}
    if entry_ids:
        links = db.session.execute(
            select(entry_statement.c.entry_id, entry_statement.c.statement_id).where(
                entry_statement.c.entry_id.in_([uuid.UUID(i) for i in entry_ids])
            )
        )
        for entry_id, statement_id in links:
            out.setdefault(str(entry_id), []).append(statement_id)
    return out


def _of_type(entity_type: str, rows: list, dialect) -> list[dict]:
    if entity_type == "conflict":
        return [_conflict_change(r) for r in rows]
    return page_maker(entity_type, MODELS[entity_type].__table__, dialect)(rows)


def _made(taken: list, dialect) -> list[dict]:
    """Return the change of each ``(change_seq, entity_type, raw row)``, in the same order."""
    kinds = {entity_type for _seq, entity_type, _row in taken}
    if len(kinds) == 1:  # most pages: one table's rows, made in one go
        return _of_type(kinds.pop(), [row for _seq, _type, row in taken], dialect)
    by_type: dict = {}
    for _seq, entity_type, row in taken:
        by_type.setdefault(entity_type, []).append(row)
    made = {t: iter(_of_type(t, rows, dialect)) for t, rows in by_type.items()}
    return [next(made[entity_type]) for _seq, entity_type, _row in taken]


def changes(taken: list, dialect) -> list[dict]:
    """Return the changes a pull sends for its page of raw rows (see _made)."""
    made = _made(taken, dialect)
    entries = [c for c in made if c["entity_type"] == "log_entry" and c["record"]]
    if entries:
        statements = _statements([c["id"] for c in entries])
        for change in entries:
            change["record"]["statements"] = sorted(statements.get(change["id"], ()))
    return made
