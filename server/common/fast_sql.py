"""Insert, update and look up many rows of a model's table with the driver's own
executemany: the one module that sends SQL to the driver itself.

A push writes hundreds of findings, audit events and receipts at once, and SQLAlchemy's
per-value type processing (``Uuid``, ``UTCDateTime``, ``JSON``) was over half the work of a
push of 500 creates (docs/performance.md). Here each column's values are converted once per
distinct value, by plain functions chosen for the dialect, and the rows go to the driver as
tuples, in the table's own column order. tests/test_fast_sql.py holds every converter equal to what
SQLAlchemy's types would bind, and the columns written equal to the model's, on SQLite and
PostgreSQL.
"""

import functools
import json
import operator
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Date, Table, Uuid
from sqlalchemy.orm import Session

from server.common.serial import plain
from server.common.types import UTCDateTime

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def to_json(value: Any) -> str:
    """Return the JSON text SQLAlchemy's JSON type stores for ``value`` (already JSON-safe);
    orjson writes it ten times faster."""
    try:
        return orjson.dumps(value, default=plain, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:  # a key that is not text, an integer beyond 64 bits: the slow way
        return json.dumps(plain(value))


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetimes are not stored; use utcnow() ({value!r})")
    return value.astimezone(UTC)


def _sqlite_uuid(value):
    return None if value is None else value.hex


def _sqlite_time(value):
    # What UTCDateTime and SQLite's DATETIME store: naive UTC, six decimals always.
    if value is None:
        return None
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(value):
    return None if value is None else value.isoformat()


def _same(value):
    return value


def _pg_time(value):
    return None if value is None else _utc(value)


_CONVERTERS = {
    "sqlite": {Uuid: _sqlite_uuid, UTCDateTime: _sqlite_time, Date: _sqlite_date, JSON: to_json},
    "postgresql": {Uuid: _same, UTCDateTime: _pg_time, Date: _same, JSON: to_json},
}


def converter(column_type, dialect: str) -> Callable | None:
    """Return the function giving a value of ``column_type`` in the driver's form (None:
    the value as it is)."""
    for kind, convert in _CONVERTERS[dialect].items():
        if isinstance(column_type, kind):
            return convert
    return None


_UNSET = object()


def _converted(rows: list[tuple], converters: tuple) -> list[tuple]:
    """Return ``rows`` (tuples in column order) with each column's values converted by its
    converter (None: as they are). A batch's rows share their time, author and service (the
    same objects), so a value the same as the one above it in its column is converted once;
    the work goes column by column, without a Python call per value."""
    columns = list(zip(*rows, strict=True))
    for index, convert in enumerate(converters):
        if convert is None:
            continue
        column, last, done = list(columns[index]), _UNSET, None
        for at, value in enumerate(column):
            if value is not last:
                last, done = value, None if value is None else convert(value)
            column[at] = done
        columns[index] = column
    return list(zip(*columns, strict=True))


@functools.cache
def _statement(table: Table, keys: tuple[str, ...], dialect: str, paramstyle: str) -> tuple:
    mark = _MARKS[paramstyle]
    columns = [table.c[key] for key in keys]
    casts = [dialect == "postgresql" and isinstance(c.type, JSON) for c in columns]
    values = ", ".join(f"CAST({mark} AS JSON)" if cast else mark for cast in casts)
    sql = f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({values})"
    return sql, tuple(converter(c.type, dialect) for c in columns)


def columns_written(table: Table, rows: list[dict]) -> tuple[str, ...]:
    """Return the columns an insert of ``rows`` writes: the table's, in its order, that the
    rows hold (every row holds the same keys)."""
    return tuple(c.key for c in table.columns if c.key in rows[0])


def insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys, each a column of ``table``) in one
    executemany, each value converted as its column's type would bind it."""
    if not rows:
        return
    unknown = set(rows[0]) - set(table.c.keys())
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    connection = session.connection()
    dialect = connection.dialect
    keys = columns_written(table, rows)
    sql, converters = _statement(table, keys, dialect.name, dialect.paramstyle)
    if len(keys) > 1:
        values = list(map(operator.itemgetter(*keys), rows))
    else:
        values = [(row[keys[0]],) for row in rows]
    connection.exec_driver_sql(sql, _converted(values, converters))


@functools.cache
def _update_statement(table: Table, keys: tuple[str, ...], dialect: str, paramstyle: str):
    mark = _MARKS[paramstyle]
    columns = [table.c[key] for key in keys]
    sets = ", ".join(
        f"{c.key} = CAST({mark} AS JSON)"
        if dialect == "postgresql" and isinstance(c.type, JSON)
        else f"{c.key} = {mark}"
        for c in columns
    )
    sql = f"UPDATE {table.name} SET {sets} WHERE id = {mark} AND version = {mark}"
    kinds = [*(c.type for c in columns), table.c.id.type, table.c.version.type]
    return sql, tuple(converter(kind, dialect) for kind in kinds)


def update_versioned(session: Session, table: Table, keys: tuple[str, ...], rows: list) -> int:
    """Run ``UPDATE table SET keys WHERE id = ? AND version = ?`` for each of ``rows``
    (tuples: the new values in ``keys`` order, then the id and the version it must still
    be at) in one executemany; return how many rows it changed in all."""
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    sql, converters = _update_statement(table, keys, dialect.name, dialect.paramstyle)
    return connection.exec_driver_sql(sql, _converted(rows, converters)).rowcount


def select_in(
    session: Session, table: Table, wanted: tuple[str, ...], where: dict, key: str, values
) -> list[tuple]:
    """Return the ``wanted`` columns of ``table``'s rows whose ``key`` is one of ``values``
    and whose other columns equal ``where``'s, in one SELECT; values come back as the
    driver gives them (read_value turns one into its Python value)."""
    values = list(values)
    if not values:
        return []
    connection = session.connection()
    dialect = connection.dialect
    mark = _MARKS[dialect.paramstyle]
    conditions = [f"{name} = {mark}" for name in where]
    conditions.append(f"{key} IN ({', '.join([mark] * len(values))})")
    sql = f"SELECT {', '.join(wanted)} FROM {table.name} WHERE {' AND '.join(conditions)}"
    binds = [_bind(table.c[name].type, dialect.name, value) for name, value in where.items()]
    convert = converter(table.c[key].type, dialect.name) or _same
    binds += [convert(value) for value in values]
    return connection.exec_driver_sql(sql, tuple(binds)).all()


def _bind(column_type, dialect: str, value):
    convert = converter(column_type, dialect)
    return value if convert is None or value is None else convert(value)


def read_value(column_type, value):
    """Return the Python value of a value of ``column_type`` as the driver gave it."""
    if value is None:
        return None
    if isinstance(column_type, Uuid) and not isinstance(value, uuid.UUID):
        return uuid.UUID(hex=value)
    if isinstance(column_type, JSON) and isinstance(value, (str, bytes)):
        return orjson.loads(value)
    return value
