"""One pushed value at a time: its JSON kind checked and written in its canonical form.

sync.validate checks a mutation's shape and uses these for its field values;
sync.resolution uses ``canonical`` for a value a manager writes in a conflict.
"""

import functools
import json
import uuid
from datetime import date, datetime
from typing import Any

from sync.policies import POLICIES

MAX_FIELD_BYTES = 16 * 1024
"""Largest single value, in bytes of its JSON encoding (16 KiB): a long note, not a file."""

MAX_LIST_ITEMS = 200
"""Most items in one list field (areas, statements)."""


def canonical(kind: str, value: Any) -> tuple[Any, str | None]:
    """Return (canonical value, None) or (None, why) for one value of a JSON kind."""
    if value is None:
        return None, None
    return _CANONICAL[kind](value)


NUL_MESSAGE = "Must not contain control characters such as NUL."
"""Why any text holding NUL is refused: no field takes it, and PostgreSQL cannot store it."""


def as_text(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "Must be text."
    return (None, NUL_MESSAGE) if "\x00" in value else (value, None)


def _bool(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, bool) else (None, "Must be true or false.")


def _int(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return (value, None) if ok else (None, "Must be a whole number.")


def _list(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, "Must be a list of text items."
    if any("\x00" in v for v in value):
        return None, NUL_MESSAGE
    if len(value) > MAX_LIST_ITEMS:
        return None, f"May hold at most {MAX_LIST_ITEMS} items."
    return list(dict.fromkeys(value)), None


_EXAMPLES = {
    "uuid": "Must be a UUID.",
    "date": "Must be a date like 2025-03-31.",
    "datetime": "Must be a date and time like 2025-03-31T14:05:00+01:00.",
}


@functools.lru_cache(maxsize=1024)
def _uuid_text(value: str) -> str:
    # Cached: a batch names the same service, walkaround or owner again and again.
    return str(uuid.UUID(value))


def _uuid(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "Must be a uuid written as text."
    try:
        return _uuid_text(value), None
    except ValueError:
        return None, _EXAMPLES["uuid"]


def _date(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "Must be a date written as text."
    try:
        return date.fromisoformat(value).isoformat(), None
    except ValueError:
        return None, _EXAMPLES["date"]


def _datetime(value: Any) -> tuple[Any, str | None]:
    parsed, why = parse_datetime(value)
    return (None, why) if why else (parsed.isoformat(), None)


def parse_datetime(value: Any) -> tuple[datetime | None, str | None]:
    if not isinstance(value, str):
        return None, "Must be a datetime written as text."
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, _EXAMPLES["datetime"]
    if parsed.tzinfo is None:
        return None, "Must include a UTC offset, e.g. +00:00."
    return parsed, None


_CANONICAL = {
    "text": as_text,
    "bool": _bool,
    "int": _int,
    "list": _list,
    "uuid": _uuid,
    "date": _date,
    "datetime": _datetime,
}
# entity type -> {field: canonicaliser}: looked up once per field, no dispatch on the kind.
PLANS = {
    entity_type: {name: _CANONICAL[rule.kind] for name, rule in rules.items()}
    for entity_type, rules in POLICIES.items()
}
# A text of at most this many characters is within MAX_FIELD_BYTES however JSON escapes it
# (at most 12 bytes a character: a surrogate pair of \uXXXX), so it need not be encoded.
SAFE_TEXT_CHARS = (MAX_FIELD_BYTES - 2) // 12


def too_big(value: Any) -> bool:
    kind = type(value)
    if value is None or kind is bool or (kind is str and len(value) <= SAFE_TEXT_CHARS):
        return False
    if kind is int and -(10**15) < value < 10**15:
        return False
    return len(json.dumps(value, default=str).encode()) > MAX_FIELD_BYTES
