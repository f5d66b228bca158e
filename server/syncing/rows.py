"""Insert rows whose values are already in the database driver's form, with one executemany.

The push's bulk path writes hundreds of rows at a time; SQLAlchemy's per-value type
processing (``Uuid``, ``UTCDateTime``, ``JSON``) was a quarter of its work. ``Binds`` does
the same conversions once per value, as plain functions chosen for the dialect, and
``insert`` hands the tuples straight to the driver. tests/test_sync_push_rows.py holds every
converter equal to what SQLAlchemy's own types would bind, on SQLite and PostgreSQL.
"""

import functools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from server.audit.services import plain
from server.extensions import db

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _naive(value: datetime) -> None:
    raise ValueError(f"naive datetimes are not stored; use utcnow() ({value!r})")


def _sqlite_uuid(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _sqlite_time(value: datetime | None) -> str | None:
    # What UTCDateTime and SQLite's DATETIME store: naive UTC, six decimals always.
    if value is None:
        return None
    if value.tzinfo is None:
        _naive(value)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _pg_uuid(value: uuid.UUID | None) -> uuid.UUID | None:
    return value


def _pg_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        _naive(value)
    return value.astimezone(UTC)


def to_json(value: Any) -> str:
    """Return JSON text of ``value`` made JSON-safe as audit.plain does (the same JSON value
    SQLAlchemy's JSON type stores for ``plain(value)``; orjson writes it ten times faster)."""
    try:
        return orjson.dumps(value, default=plain, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:  # a key that is not text, an integer beyond 64 bits: the slow way
        return json.dumps(plain(value))


@dataclass(frozen=True)
class Binds:
    """The driver form of each kind of value, and the placeholder, for one dialect."""

    uuid: Callable[[uuid.UUID | None], Any]
    time: Callable[[datetime | None], Any]
    json: Callable[[Any], str]
    mark: str
    dialect: str


@functools.cache
def _binds(dialect: str, paramstyle: str) -> Binds:
    mark = _MARKS[paramstyle]
    if dialect == "sqlite":
        return Binds(_sqlite_uuid, _sqlite_time, to_json, mark, dialect)
    if dialect == "postgresql":
        return Binds(_pg_uuid, _pg_time, to_json, mark, dialect)
    raise NotImplementedError(f"no driver binds for {dialect}")


def binds() -> Binds:
    """Return the converters of the session's database."""
    dialect = db.session.get_bind().dialect
    return _binds(dialect.name, dialect.paramstyle)


@functools.cache
def _sql(table: str, columns: tuple[str, ...], mark: str, casts: tuple[str, ...]) -> str:
    values = ", ".join(f"CAST({mark} AS {cast})" if cast else mark for cast in casts)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"


def insert(table: str, columns: tuple[str, ...], rows: list[tuple], json_columns=()) -> None:
    """Insert ``rows`` (tuples of driver values in ``columns`` order) with one executemany.

    ``json_columns`` hold JSON text (``Binds.json``); PostgreSQL is told to read it as JSON.
    """
    if not rows:
        return
    connection = db.session.connection()
    mark = _MARKS[connection.dialect.paramstyle]
    pg = connection.dialect.name == "postgresql"
    casts = tuple("JSON" if pg and c in json_columns else "" for c in columns)
    connection.exec_driver_sql(_sql(table, columns, mark, casts), rows)


@functools.cache
def _update_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    sets = ", ".join(f"{column} = {mark}" for column in columns)
    return f"UPDATE {table} SET {sets} WHERE id = {mark} AND version = {mark}"


def update(table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """Run ``UPDATE table SET columns WHERE id = ? AND version = ?`` for each row (tuples:
    the new values, then id and version); return how many rows it changed in all."""
    if not rows:
        return 0
    connection = db.session.connection()
    sql = _update_sql(table, columns, _MARKS[connection.dialect.paramstyle])
    return connection.exec_driver_sql(sql, rows).rowcount


def select_in(sql: str, column: str, values: list, *first) -> list[tuple]:
    """Run ``sql`` with ``{in_}`` replaced by ``column IN (values)``; return its rows.

    ``{mark}`` in ``sql`` is a placeholder for each of ``first``, bound before ``values``;
    every value is already in its driver form and rows come back in theirs.
    """
    connection = db.session.connection()
    mark = _MARKS[connection.dialect.paramstyle]
    text = sql.format(mark=mark, in_=f"{column} IN ({', '.join([mark] * len(values))})")
    return connection.exec_driver_sql(text, (*first, *values)).all()


def present(table: str, ids) -> set[uuid.UUID]:
    """Return which of ``ids`` are ids of rows of ``table``, with one SELECT."""
    if not ids:
        return set()
    as_uuid = binds().uuid
    found = select_in(f"SELECT id FROM {table} WHERE {{in_}}", "id", [as_uuid(i) for i in ids])
    return {i if isinstance(i, uuid.UUID) else uuid.UUID(hex=i) for (i,) in found}


def from_json(value: Any) -> Any:
    """Return the value of a JSON column as the driver gave it (text on SQLite)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value
