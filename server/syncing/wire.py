"""Raw table rows straight to the changes a pull sends, without SQLAlchemy's result processing.

A pull selects each column through ``raw_columns`` (no result processor), so the driver's
own values arrive: on SQLite a UUID is its stored 32 hex digits and a datetime its stored
``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC) text, which are rewritten as the strings
``records.plain`` gives without building a UUID or a datetime; psycopg gives UUID and
datetime objects, which are formatted directly. Anything in another form (a row written by
hand, a type this module does not know) goes through the column type's own result
processor and ``records.to_wire``, so the output is always what ``records.plain`` gives.
tests/test_sync_pull_wire.py holds the two equal for every record type on both databases.
"""

import uuid
from datetime import UTC

from sqlalchemy import Boolean, Date, String, Uuid, type_coerce
from sqlalchemy.types import NullType

from server.common.types import UTCDateTime, stored_uuid_text
from server.syncing import records
from sync.policies import POLICIES


def raw_columns(columns) -> list:
    """Return ``columns`` labelled by name, each read without a result processor."""
    return [type_coerce(c, NullType()).label(c.name) for c in columns]


def _processed(column, dialect, kind: str):
    """Return a converter through the column type's own result processor, then to_wire."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)

    def convert(value):
        return records.to_wire(process(value) if process else value, kind)

    return convert


def _sqlite_uuid(fallback):
    def convert(value):
        text = stored_uuid_text(value)
        return fallback(value) if text is None else text

    return convert


def _sqlite_datetime(fallback):
    # SQLAlchemy stores a UTCDateTime on SQLite as naive UTC text with six decimals;
    # isoformat() leaves out a zero fraction.
    def convert(value):
        if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == ".":
            if value.endswith("000000"):
                return f"{value[:10]}T{value[11:19]}+00:00"
            return f"{value[:10]}T{value[11:]}+00:00"
        return fallback(value)

    return convert


def _sqlite_date(fallback):
    def convert(value):
        return value if type(value) is str and len(value) == 10 else fallback(value)

    return convert


def _pg_datetime(value):
    return value.astimezone(UTC).isoformat()


def _iso(value):
    return value.isoformat()


def _pg_uuid(value):
    return str(value) if type(value) is uuid.UUID else str(uuid.UUID(str(value)))


def converter(column, dialect, kind: str):
    """Return the function from a raw value of ``column`` to its wire value, or None (as is)."""
    fallback = _processed(column, dialect, kind)
    sqlite = dialect.name == "sqlite"
    kind_of = type(column.type)
    if isinstance(column.type, UTCDateTime):
        return _sqlite_datetime(fallback) if sqlite else _pg_datetime
    if kind_of is Uuid:
        return _sqlite_uuid(fallback) if sqlite else _pg_uuid
    if kind_of is Date:
        return _sqlite_date(fallback) if sqlite else _iso
    if isinstance(column.type, Boolean):
        return bool
    if isinstance(column.type, String) and kind == "text":
        return None
    if kind == "int" and column.type.python_type is int:
        return None
    return fallback


_MAKERS: dict = {}


def change_maker(entity_type: str, table, dialect):
    """Return ``make(row) -> change`` for raw rows of ``raw_columns(table.c)``.

    The change is what a pull sends for one record: its type, id, change number, version,
    tombstone flag, and the record as ``records.plain`` gives it (None for a tombstone). A
    log entry's ``statements`` (a table of their own) are left empty for the caller to fill.
    """
    key = (entity_type, dialect.name)
    if key not in _MAKERS:
        _MAKERS[key] = _build(entity_type, table, dialect)
    return _MAKERS[key]


def _inline(name: str, column, dialect, kind: str, names: dict) -> str:
    """Return the expression of a field's wire value from ``v`` (its raw value, not None).

    The common stored forms are converted inline (a call per value was most of a record's
    cost); anything else goes through the same converter as before, bound as ``names[name]``.
    """
    convert = converter(column, dialect, kind)
    if convert is None:
        return "v"
    names[f"c_{name}"] = convert
    if dialect.name == "sqlite" and isinstance(column.type, UTCDateTime):
        return (
            '(f"{v[:10]}T{v[11:19]}+00:00" if v.endswith("000000") else '
            'f"{v[:10]}T{v[11:]}+00:00") if type(v) is str and len(v) == 26 and '
            f'v[10] == " " and v[19] == "." else c_{name}(v)'
        )
    if dialect.name == "sqlite" and type(column.type) is Uuid:
        if name == "id":
            return (
                'f"{(v := v.lower())[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}" '
                f"if type(v) is str and len(v) == 32 else c_{name}(v)"
            )
        # A service, an author: the same few ids on most rows of a page, formatted once.
        names[f"seen_{name}"], names[f"c_{name}"] = _uuid_memo(convert)
        return f"seen_{name}(v) or c_{name}(v)"
    if convert is bool:
        return "True if v else False"
    return f"c_{name}(v)"


def _uuid_memo(convert):
    """Return (seen, convert_and_remember) over a bounded memo of raw id -> wire id."""
    memo: dict = {}

    def remember(value):
        if len(memo) > 4096:
            memo.clear()
        wire = memo[value] = convert(value)
        return wire

    return memo.get, remember


def _value(name: str, i: int, expression: str) -> str:
    if expression == "v":
        return f"r[{i}]"
    return f"(None if (v := r[{i}]) is None else {expression})"


def _build(entity_type: str, table, dialect):
    """Compile ``make`` for one record type: one dict display, every conversion inline."""
    index = {c.name: i for i, c in enumerate(table.c)}
    names: dict = {"entity_type": entity_type}
    fields = [
        # Only a live record has a body, so its deleted_at is None.
        f"{name!r}: None"
        if name == "deleted_at"
        else f"{name!r}: {_value(name, index[name], _inline(name, table.c[name], dialect, rule.kind, names))}"
        for name, rule in POLICIES[entity_type].items()
        if name not in ("id", "statements")
    ]
    if "statements" in POLICIES[entity_type]:
        fields.append("'statements': []")
    record_id = _value("id", index["id"], _inline("id", table.c.id, dialect, "uuid", names))
    head = (
        f"'entity_type': entity_type, 'id': record_id, 'change_seq': r[{index['change_seq']}], "
        f"'version': r[{index['version']}]"
    )
    source = (
        "def make(r):\n"
        f"    record_id = {record_id}\n"
        f"    if r[{index['deleted_at']}] is not None:\n"
        f"        return {{{head}, 'deleted': True, 'record': None}}\n"
        f"    return {{{head}, 'deleted': False, 'record': {{{', '.join(fields)}, "
        "'id': record_id, 'deleted': False}}\n"
    )
    exec(compile(source, f"<wire {entity_type} {dialect.name}>", "exec"), names)  # noqa: S102
    make = names["make"]
    make.source = source
    return make
