"""Structural validation of pushed mutations: raw JSON in, a Mutation or a Rejected out.

This checks shape only (ids, ops, kinds, sizes); whether a value makes sense for the log
(a known risk level, a due date in the future) is the server's rules' business, reached
through the store. Every refusal names the field at fault.
"""

import functools
import json
import uuid
from datetime import date, datetime
from typing import Any

from sync.policies import ALLOWED_OPS, ENTITY_TYPES, OPS, POLICIES, STATE_FIELDS
from sync.types import Mutation, Rejected, Transition

PROTOCOL_VERSION = 1
"""The protocol version this package speaks; clients send theirs with every request."""

SUPPORTED_PROTOCOL_VERSIONS = (1,)

MAX_BATCH_MUTATIONS = 500
"""Most mutations in one push; beyond it the whole push is refused (413) and nothing applied."""

MAX_BATCH_BYTES = 2 * 1024 * 1024
"""Largest push body in bytes (2 MiB); beyond it the push is refused (413)."""

MAX_FIELD_BYTES = 16 * 1024
"""Largest single value, in bytes of its JSON encoding (16 KiB): a long note, not a file."""

MAX_ID_CHARS = 64
"""Longest mutation_id or device_id."""

MAX_ACTION_CHARS = 40
"""Longest transition action name."""

MAX_LIST_ITEMS = 200
"""Most items in one list field (areas, statements)."""


class BatchRefused(Exception):
    """A push refused as a whole before any mutation is looked at."""

    code = "malformed"
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BatchTooLarge(BatchRefused):
    code = "too_large"
    status = 413


class ProtocolMismatch(BatchRefused):
    """The client speaks a protocol version this server does not: the app must update."""

    code = "update_required"
    status = 400


def check_protocol(version: Any) -> None:
    """Refuse a client whose protocol version this server cannot serve."""
    if version not in SUPPORTED_PROTOCOL_VERSIONS or isinstance(version, bool):
        raise ProtocolMismatch(
            f"This app speaks sync protocol {version!r}; the server speaks "
            f"{', '.join(map(str, SUPPORTED_PROTOCOL_VERSIONS))}. Update the app; "
            "nothing waiting on the device is lost."
        )


def check_batch(items: Any, body_bytes: int) -> None:
    """Refuse a push that is not a list or is over the documented limits."""
    if body_bytes > MAX_BATCH_BYTES:
        raise BatchTooLarge(
            f"A push may be at most {MAX_BATCH_BYTES} bytes; this one is {body_bytes}. "
            "Send the rest in another push."
        )
    if not isinstance(items, list):
        raise BatchRefused("mutations must be a list.")
    if len(items) > MAX_BATCH_MUTATIONS:
        raise BatchTooLarge(
            f"A push may hold at most {MAX_BATCH_MUTATIONS} mutations; this one holds "
            f"{len(items)}. Send the rest in another push."
        )


def validate_batch(items: Any, body_bytes: int) -> list[Mutation | Rejected]:
    """Check the batch limits, then validate each mutation on its own."""
    check_batch(items, body_bytes)
    return [validate(item) for item in items]


def validate(raw: Any) -> Mutation | Rejected:
    """Turn one raw mutation into a Mutation, or a Rejected naming every bad field."""
    if not isinstance(raw, dict):
        return _rejected(None, {"_mutation": "Each mutation must be a JSON object."})
    errors: dict[str, str] = {}
    mutation_id = _short_text(raw, "mutation_id", errors)
    device_id = _short_text(raw, "device_id", errors)
    seq = raw.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        errors["seq"] = "Must be a whole number from 1, counting this device's mutations."
    entity_type, op = _type_and_op(raw, errors)
    entity_id = _uuid_field(raw, "entity_id", errors)
    author_id = _author(raw, errors)
    device_time = _device_time(raw, errors)
    base_version = _base_version(raw, op, errors)
    changes, base_values = {}, {}
    plan = _PLANS.get(entity_type) if isinstance(entity_type, str) else None
    if plan is not None:
        changes = _values(raw, "changes", entity_type, plan, errors)
        base_values = _values(raw, "base_values", entity_type, plan, errors)
        _check_changes_for_op(op, entity_type, changes, base_values, errors)
    transition = _transition(raw, op, errors)
    if errors:
        return _rejected(mutation_id if isinstance(mutation_id, str) else None, errors)
    return Mutation(
        mutation_id=mutation_id,
        device_id=device_id,
        seq=seq,
        entity_type=entity_type,
        entity_id=entity_id,
        op=op,
        author_id=author_id,
        base_version=base_version,
        changes=changes,
        base_values=base_values,
        device_time=device_time,
        transition=transition,
    )


def canonical(kind: str, value: Any) -> tuple[Any, str | None]:
    """Return (canonical value, None) or (None, why) for one value of a JSON kind."""
    if value is None:
        return None, None
    return _CANONICAL[kind](value)


def _text(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, str) else (None, "Must be text.")


def _bool(value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, bool) else (None, "Must be true or false.")


def _int(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, int) and not isinstance(value, bool)
    return (value, None) if ok else (None, "Must be a whole number.")


def _list(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, "Must be a list of text items."
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
    parsed, why = _parse_datetime(value)
    return (None, why) if why else (parsed.isoformat(), None)


def _parse_datetime(value: Any) -> tuple[datetime | None, str | None]:
    if not isinstance(value, str):
        return None, "Must be a datetime written as text."
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, _EXAMPLES["datetime"]
    if parsed.tzinfo is None:
        return None, "Must include a UTC offset, e.g. +00:00."
    return parsed, None


_CANONICAL = {"text": _text, "bool": _bool, "int": _int, "list": _list, "uuid": _uuid,
              "date": _date, "datetime": _datetime}
# entity type -> {field: canonicaliser}: looked up once per field, no dispatch on the kind.
_PLANS = {
    entity_type: {name: _CANONICAL[rule.kind] for name, rule in rules.items()}
    for entity_type, rules in POLICIES.items()
}
# A text of at most this many characters is within MAX_FIELD_BYTES however JSON escapes it
# (at most 12 bytes a character: a surrogate pair of \uXXXX), so it need not be encoded.
_SAFE_TEXT_CHARS = (MAX_FIELD_BYTES - 2) // 12


def _too_big(value: Any) -> bool:
    kind = type(value)
    if value is None or kind is bool or (kind is str and len(value) <= _SAFE_TEXT_CHARS):
        return False
    if kind is int and -(10**15) < value < 10**15:
        return False
    return len(json.dumps(value, default=str).encode()) > MAX_FIELD_BYTES


def _type_and_op(raw: dict, errors: dict) -> tuple[Any, Any]:
    entity_type, op = raw.get("entity_type"), raw.get("op")
    if entity_type not in ENTITY_TYPES:
        errors["entity_type"] = f"Must be one of: {', '.join(ENTITY_TYPES)}."
    if op not in OPS:
        errors["op"] = f"Must be one of: {', '.join(OPS)}."
    elif entity_type in ENTITY_TYPES and op not in ALLOWED_OPS[entity_type]:
        allowed = ", ".join(ALLOWED_OPS[entity_type])
        errors["op"] = f"A {entity_type} allows only: {allowed}."
    return entity_type, op


def _rejected(mutation_id: str | None, errors: dict[str, str]) -> Rejected:
    names = ", ".join(sorted(errors))
    return Rejected(
        mutation_id=mutation_id,
        code="invalid",
        reason=f"Please check these fields: {names}.",
        fields=errors,
    )


def _short_text(raw: dict, name: str, errors: dict) -> str | None:
    value = raw.get(name)
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_CHARS:
        errors[name] = f"Must be text of 1 to {MAX_ID_CHARS} characters."
        return None
    return value


def _uuid_field(raw: dict, name: str, errors: dict) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw.get(name))
    except (TypeError, ValueError, AttributeError):
        errors[name] = "Must be a UUID."
        return None


@functools.lru_cache(maxsize=64)
def _author_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def _author(raw: dict, errors: dict) -> uuid.UUID | None:
    # Every mutation of a push names the same author: parse the text once.
    value = raw.get("author_id")
    if type(value) is not str:
        return _uuid_field(raw, "author_id", errors)
    try:
        return _author_uuid(value)
    except ValueError:
        errors["author_id"] = "Must be a UUID."
        return None


def _device_time(raw: dict, errors: dict) -> datetime | None:
    value = raw.get("device_time")
    if value is None:
        return None
    parsed, why = _parse_datetime(value)
    if why:
        errors["device_time"] = why
    return parsed


def _base_version(raw: dict, op: Any, errors: dict) -> int | None:
    value = raw.get("base_version")
    if op in ("create", "append"):
        if value is not None:
            errors["base_version"] = f"Must be absent for {op}: the record is new."
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        errors["base_version"] = "Must be the record's version the device last saw."
        return None
    return value


def _values(raw: dict, name: str, entity_type: str, plan: dict, errors: dict) -> dict:
    value = raw.get(name, {})
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors[name] = "Must be an object of field: value."
        return {}
    out = {}
    for field, item in value.items():
        check = plan.get(field)
        if check is None:
            errors[f"{name}.{field}"] = f"A {entity_type} has no field {field!r}."
            continue
        if type(item) is str and len(item) <= _SAFE_TEXT_CHARS:
            if check is _text:  # most values: short text for a text field
                out[field] = item
                continue
        elif _too_big(item):
            errors[f"{name}.{field}"] = f"Must be at most {MAX_FIELD_BYTES} bytes."
            continue
        if item is None:
            out[field] = None
            continue
        clean, why = check(item)
        if why:
            errors[f"{name}.{field}"] = why
        else:
            out[field] = clean
    return out


def _check_changes_for_op(op, entity_type, changes, base_values, errors) -> None:
    if op in ("create", "append", "update") and not changes and "changes" not in errors:
        errors["changes"] = f"Must hold at least one field to {op}."
    if op in ("delete", "transition") and changes:
        errors["changes"] = f"Must be empty for {op}."
    state = STATE_FIELDS.get(entity_type)
    if op == "transition" and state and state not in base_values:
        errors[f"base_values.{state}"] = (
            f"Must say which {state} the device saw, so a transition made on an out-of-date "
            "copy is never applied silently."
        )


def _transition(raw: dict, op: Any, errors: dict) -> Transition | None:
    value = raw.get("transition")
    if op != "transition":
        if value is not None:
            errors["transition"] = "Must be absent unless op is transition."
        return None
    if not isinstance(value, dict):
        errors["transition"] = "Must be an object with action and reason."
        return None
    action, reason = value.get("action"), value.get("reason")
    if not isinstance(action, str) or not 1 <= len(action) <= MAX_ACTION_CHARS:
        errors["transition.action"] = f"Must be text of 1 to {MAX_ACTION_CHARS} characters."
    if reason is not None and (
        not isinstance(reason, str) or len(reason.encode()) > MAX_FIELD_BYTES
    ):
        errors["transition.reason"] = f"Must be text of at most {MAX_FIELD_BYTES} bytes."
    if "transition.action" in errors or "transition.reason" in errors:
        return None
    return Transition(action=action, reason=reason)
