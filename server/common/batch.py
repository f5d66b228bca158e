"""Write many rows of one table with one executemany, each row as the ORM would have made it.

Every service that writes records in batches (findings, audit events, sync receipts) builds
its rows with ``complete`` and writes them with ``insert_rows``: a column a row leaves out
takes its model's Python-side default (``default=`` on the column), whichever path wrote
the row, so a column added with a default is filled the same way by REST and by sync.
"""

from collections.abc import Iterable

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def _default(column):
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    # A callable default is wrapped by SQLAlchemy to take an execution context; ours
    # (utcnow, uuid4, dict, list) ignore it.
    return default.arg(None) if default.is_callable else default.arg


def complete(table: Table, values: dict) -> dict:
    """Return ``values`` with every column of ``table`` it leaves out that has a Python-side
    default set to that default (columns without one are left out)."""
    row = dict(values)
    for column in table.columns:
        if column.key not in row and column.default is not None:
            row[column.key] = _default(column)
    return row


def uniform(rows: list[dict]) -> list[dict]:
    """Give every row the same keys (an executemany binds the first row's): a key some rows
    leave out is None in them."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    for row in rows:
        if len(row) != len(keys):
            for key in keys:
                row.setdefault(key, None)
    return rows


def insert_rows(session: Session, table: Table, rows: Iterable[dict]) -> None:
    """Insert ``rows`` (from ``complete``) into ``table`` with one executemany.

    Pending ORM changes are not flushed: a row that refers to a record made just before
    needs the caller to flush first.
    """
    rows = uniform(list(rows))
    if not rows:
        return
    with session.no_autoflush:  # a flush here would write a record's changes half made
        session.execute(insert(table), rows)
