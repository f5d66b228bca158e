"""Write many rows of one table with one executemany, each row as the ORM would have made it.

Every service that writes records in batches (findings, audit events, sync receipts) builds
its rows with ``complete`` and writes them with ``insert_rows``: a column a row leaves out
takes its model's Python-side default (``default=`` on the column), whichever path wrote
the row, so a column added with a default is filled the same way by REST and by sync.
"""

import functools
from collections.abc import Iterable

from sqlalchemy import Table
from sqlalchemy.orm import Session

from server.common import fast_sql


@functools.cache
def _defaults(table: Table) -> tuple[tuple[str, object, bool], ...]:
    """(column, default, whether it is a callable) of each column with a Python-side one."""
    out = []
    for column in table.columns:
        default = column.default
        if default is not None and (default.is_scalar or default.is_callable):
            out.append((column.key, default.arg, default.is_callable))
    return tuple(out)


def complete(table: Table, values: dict) -> dict:
    """Return ``values`` with every column of ``table`` it leaves out that has a Python-side
    default set to that default (columns without one are left out)."""
    row = dict(values)
    for key, default, is_callable in _defaults(table):
        if key not in row:
            # A callable default is wrapped by SQLAlchemy to take an execution context;
            # ours (utcnow, uuid4, dict, list) ignore it.
            row[key] = default(None) if is_callable else default
    return row


def uniform(rows: list[dict]) -> list[dict]:
    """Give every row the same keys (an executemany binds the first row's): a key some rows
    leave out is None in them."""
    if not rows:
        return rows
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):
        return rows
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
    if rows:
        fast_sql.insert(session, table, rows)
