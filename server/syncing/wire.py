"""Raw table rows straight to the changes a pull sends, without SQLAlchemy's result processing.

A pull selects each column through ``raw_columns`` (no result processor), so the driver's
own values arrive: on SQLite a UUID is its stored 32 hex digits and a datetime its stored
``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC) text, which are rewritten as the strings
``records.plain`` gives without building a UUID or a datetime; psycopg gives UUID and
datetime objects, which are formatted directly. Anything in another form (a row written by
hand, a type this module does not know) goes through the column type's own result
processor and ``to_wire``, so the output is always what ``records.plain`` gives.
tests/test_sync_pull_wire.py holds the two equal for every record type on both databases.

A page is converted a column at a time (one comprehension per field over the page's rows),
then zipped back into records: no per-value call for the common stored forms, and no
generated source.
"""

import uuid
from datetime import UTC
from itertools import repeat

from sqlalchemy import Boolean, Date, String, Uuid, type_coerce
from sqlalchemy.types import NullType

from server.common.serial import to_wire
from server.common.types import UTCDateTime, stored_uuid_text
from sync.policies import POLICIES


def raw_columns(columns) -> list:
    """Return ``columns`` labelled by name, each read without a result processor."""
    return [type_coerce(c, NullType()).label(c.name) for c in columns]


def _processed(column, dialect, kind: str):
    """Return a converter through the column type's own result processor, then to_wire."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)

    def convert(value):
        return to_wire(process(value) if process else value, kind)

    return convert


def _sqlite_uuid(fallback):
    def convert(value):
        text = stored_uuid_text(value)
        return fallback(value) if text is None else text

    return convert


def _pg_datetime(value):
    return value.astimezone(UTC).isoformat()


def _iso(value):
    return value.isoformat()


def _pg_uuid(value):
    return str(value) if type(value) is uuid.UUID else str(uuid.UUID(str(value)))


# ---- a page's column at a time -----------------------------------------------------------
# Each returns ``convert(values) -> list`` over one column of a page (None stays None). The
# common stored forms are converted inside the comprehension: a call per value was most of
# a record's cost.


def _column_sqlite_time(convert):
    # SQLAlchemy stores a UTCDateTime on SQLite as naive UTC text with six decimals;
    # isoformat() leaves out a zero fraction.
    def column(values):
        return [
            None
            if v is None
            else (
                (
                    f"{v[:10]}T{v[11:19]}+00:00"
                    if v.endswith("000000")
                    else f"{v[:10]}T{v[11:]}+00:00"
                )
                if type(v) is str and len(v) == 26 and v[10] == " " and v[19] == "."
                else convert(v)
            )
            for v in values
        ]

    return column


def _column_sqlite_id(convert):
    # A record's own id: never None, and different on every row.
    def column(values):
        return [
            f"{(w := v.lower())[:8]}-{w[8:12]}-{w[12:16]}-{w[16:20]}-{w[20:]}"
            if type(v) is str and len(v) == 32
            else convert(v)
            for v in values
        ]

    return column


def _column_memo(convert):
    """Convert through a bounded memo: a service, an author is the same few ids on a page."""
    memo: dict = {}
    seen = memo.get

    def remember(value):
        if len(memo) > 4096:
            memo.clear()
        wire = memo[value] = convert(value)
        return wire

    def column(values):
        return [None if v is None else seen(v) or remember(v) for v in values]

    return column


def _column_bool(values):
    return [None if v is None else bool(v) for v in values]


def _column_each(convert):
    def column(values):
        return [None if v is None else convert(v) for v in values]

    return column


def _column_sqlite_date(convert):
    def column(values):
        return [
            None if v is None else v if type(v) is str and len(v) == 10 else convert(v)
            for v in values
        ]

    return column


def column_converter(name: str, column, dialect, kind: str):
    """Return ``convert(values) -> list`` for one column of a page, or None (as is)."""
    fallback = _processed(column, dialect, kind)
    sqlite = dialect.name == "sqlite"
    type_ = column.type
    if isinstance(type_, UTCDateTime):
        return _column_sqlite_time(fallback) if sqlite else _column_each(_pg_datetime)
    if type(type_) is Uuid and not sqlite:
        return _column_each(_pg_uuid)
    if type(type_) is Uuid:
        return _column_sqlite_id(fallback) if name == "id" else _column_memo(_sqlite_uuid(fallback))
    if type(type_) is Date:
        return _column_sqlite_date(fallback) if sqlite else _column_each(_iso)
    if isinstance(type_, Boolean):
        return _column_bool
    if isinstance(type_, String) and kind == "text":
        return None
    if kind == "int" and type_.python_type is int:
        return None
    return _column_each(fallback)


_MAKERS: dict = {}


def page_maker(entity_type: str, table, dialect):
    """Return ``make(rows) -> [change]`` for raw rows of ``raw_columns(table.c)``.

    A change is what a pull sends for one record: its type, id, change number, version,
    tombstone flag, and the record as ``records.plain`` gives it (None for a tombstone). A
    log entry's ``statements`` (a table of their own) are left empty for the caller to fill.
    """
    key = (entity_type, dialect.name)
    if key not in _MAKERS:
        _MAKERS[key] = _page_maker(entity_type, table, dialect)
    return _MAKERS[key]


def _page_maker(entity_type: str, table, dialect):
    index = {c.name: i for i, c in enumerate(table.c)}
    # Only a live record has a body, so its deleted_at is None: taken as it is.
    names = tuple(n for n in POLICIES[entity_type] if n != "statements")
    plan = tuple(
        (
            index[name],
            None
            if name == "deleted_at"
            else column_converter(name, table.c[name], dialect, POLICIES[entity_type][name].kind),
        )
        for name in names
    )
    convert_id = plan[names.index("id")][1]
    at_id, at_seq = index["id"], index["change_seq"]
    at_version, at_deleted = index["version"], index["deleted_at"]
    # Two more "columns" on every record: its tombstone flag, and a log entry's statements.
    keys = (*names, "deleted", *(("statements",) if "statements" in POLICIES[entity_type] else ()))

    def live(rows) -> list[dict]:
        """Return the change of each live row: a column at a time, then zipped back."""
        if not rows:
            return []
        columns = list(zip(*rows, strict=True))
        values = [columns[i] if convert is None else convert(columns[i]) for i, convert in plan]
        values.append(repeat(False, len(rows)))
        if len(keys) > len(values):
            values.append([[] for _ in rows])
        return [
            {
                "entity_type": entity_type,
                "id": record["id"],
                "change_seq": seq,
                "version": version,
                "deleted": False,
                "record": record,
            }
            for seq, version, record in zip(
                columns[at_seq],
                columns[at_version],
                # map(zip, ...) rather than a comprehension: a tenth of a record's cost.
                list(map(dict, map(zip, repeat(keys), zip(*values, strict=True)))),
                strict=True,
            )
        ]

    def tombstone(row) -> dict:
        return {
            "entity_type": entity_type,
            "id": convert_id([row[at_id]])[0],
            "change_seq": row[at_seq],
            "version": row[at_version],
            "deleted": True,
            "record": None,
        }

    def make(rows) -> list[dict]:
        if all(row[at_deleted] is None for row in rows):
            return live(rows)
        made = iter(live([r for r in rows if r[at_deleted] is None]))
        return [next(made) if r[at_deleted] is None else tombstone(r) for r in rows]

    return make
