"""Validation of pushed mutations: raw JSON in, a Mutation or a Rejected out.

This module checks the shape (ids, ops, kinds, sizes, no NUL in any text). Each field's
own rules (required, lengths, choices, date ranges, control characters) are the server's
record schemas, the very ones its REST API loads with: the server passes them in as
``rules`` (a FieldRules), so that sync never holds a second copy of them and never imports
a web framework. Rules of the log that need the database (a service's areas, closing
needs evidence) are reached later, through the store. Every refusal names the field at
fault: a value of the mutation's changes as ``changes.<field>``.
"""

import functools
import uuid
from datetime import datetime
from typing import Any, Protocol

from sync.policies import ALLOWED_OPS, ENTITY_TYPES, OPS, STATE_FIELDS
from sync.types import Mutation, Rejected, Transition
from sync.values import (  # noqa: F401 (MAX_LIST_ITEMS and canonical: part of this module's API)
    MAX_FIELD_BYTES,
    MAX_LIST_ITEMS,
    NUL_MESSAGE,
    PLANS,
    SAFE_TEXT_CHARS,
    as_text,
    canonical,
    parse_datetime,
    too_big,
)

PROTOCOL_VERSION = 1
"""The protocol version this package speaks; clients send theirs with every request."""

SUPPORTED_PROTOCOL_VERSIONS = (1,)

MAX_BATCH_MUTATIONS = 500
"""Most mutations in one push; beyond it the whole push is refused (413) and nothing applied."""

MAX_BATCH_BYTES = 2 * 1024 * 1024
"""Largest push body in bytes (2 MiB); beyond it the push is refused (413)."""

MAX_ID_CHARS = 64
"""Longest mutation_id or device_id."""

MAX_COUNTER = 2**53 - 1
"""The largest ``seq`` or ``base_version``: JavaScript's largest exact whole number, and
well inside the database's 64-bit columns (a larger one would fail there, for ever)."""

MAX_ACTION_CHARS = 40
"""Longest transition action name."""

_EDITS = tuple(op for op in OPS if op not in ("create", "append"))
"""The ops that change a record that exists: each names the version it was made on."""


class FieldRules(Protocol):
    """The field rules of the record types: what a mutation's ``changes`` may hold."""

    def __call__(self, entity_type: str, op: str, changes: dict) -> dict[str, str]:
        """Return {field: why} for each field of ``changes`` its rules refuse.

        A create must hold every required field; other ops check only what they hold.
        """
        ...


def _no_rules(entity_type: str, op: str, changes: dict) -> dict[str, str]:
    return {}


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


def validate_batch(
    items: Any, body_bytes: int, rules: FieldRules = _no_rules
) -> list[Mutation | Rejected]:
    """Check the batch limits, then validate each mutation on its own.

    An item that is not an object (``null``, a number) is rejected alone, like any other
    bad mutation; only a push whose ``mutations`` is not a list is refused as a whole.
    """
    check_batch(items, body_bytes)
    return [validate(item, rules) for item in items]


def validate(raw: Any, rules: FieldRules = _no_rules) -> Mutation | Rejected:
    """Turn one raw mutation into a Mutation, or a Rejected naming every bad field."""
    if not isinstance(raw, dict):
        return _rejected(None, {"_mutation": "Each mutation must be a JSON object."})
    errors: dict[str, str] = {}
    get = raw.get  # a push holds 500: the usual good value is checked inline, cheaply
    mutation_id, device_id, seq = get("mutation_id"), get("device_id"), get("seq")
    entity_type, op = get("entity_type"), get("op")
    if not (
        type(mutation_id) is str
        and 0 < len(mutation_id) <= MAX_ID_CHARS
        and mutation_id.isprintable()
    ):
        mutation_id = _short_text(raw, "mutation_id", errors)
    if not (
        type(device_id) is str and 0 < len(device_id) <= MAX_ID_CHARS and device_id.isprintable()
    ):
        device_id = _short_text(raw, "device_id", errors)
    if type(seq) is not int or not 1 <= seq <= MAX_COUNTER:
        _check_seq(seq, errors)
    if not (type(entity_type) is str and op in ALLOWED_OPS.get(entity_type, ())):
        entity_type, op = _type_and_op(raw, errors)
    entity_id, author_id = get("entity_id"), get("author_id")
    try:
        entity_id = uuid.UUID(entity_id) if type(entity_id) is str else None
    except ValueError:
        entity_id = None
    if entity_id is None:
        entity_id = _uuid_field(raw, "entity_id", errors)
    author_id = _author(raw, errors)
    device_time = get("device_time")
    if device_time is not None:
        device_time = _device_time(raw, errors)
    base_version = get("base_version")
    if not (
        (base_version is None and op in ("create", "append"))
        or (type(base_version) is int and 1 <= base_version <= MAX_COUNTER and op in _EDITS)
    ):
        base_version = _base_version(raw, op, errors)
    changes, base_values = {}, {}
    plan = PLANS.get(entity_type) if isinstance(entity_type, str) else None
    if plan is not None:
        changes = _values(raw, "changes", entity_type, plan, errors)
        base_values = _values(raw, "base_values", entity_type, plan, errors)
        _check_changes_for_op(op, entity_type, changes, base_values, errors)
        if changes and "changes" not in errors:
            for field, why in rules(entity_type, op, changes).items():
                errors.setdefault(f"changes.{field}", why)
    transition = None
    if op == "transition" or get("transition") is not None:
        transition = _transition(raw, op, errors)
    if errors:
        # The id as sent, even a bad one: the device finds its mutation by it.
        sent_id = raw.get("mutation_id")
        return _rejected(sent_id if isinstance(sent_id, str) else None, errors)
    return Mutation(
        mutation_id,
        device_id,
        seq,
        entity_type,
        entity_id,
        op,
        author_id,
        base_version,
        changes,
        base_values,
        device_time,
        transition,
    )


def _check_seq(seq: Any, errors: dict) -> None:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        errors["seq"] = "Must be a whole number from 1, counting this device's mutations."
    elif seq > MAX_COUNTER:
        errors["seq"] = f"Must be at most {MAX_COUNTER}."


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
    if not value.isprintable():  # a control character, NUL…
        errors[name] = (
            f"Must be text of 1 to {MAX_ID_CHARS} characters, without control "
            "characters such as NUL."
        )
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
    parsed, why = parse_datetime(raw.get("device_time"))
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
    if value > MAX_COUNTER:
        errors["base_version"] = f"Must be at most {MAX_COUNTER}."
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
        if (
            check is as_text
            and type(item) is str
            and len(item) <= SAFE_TEXT_CHARS
            and "\x00" not in item
        ):
            out[field] = item  # most values: short text for a text field
            continue
        if check is None:
            errors[f"{name}.{field}"] = f"A {entity_type} has no field {field!r}."
            continue
        if type(item) is str and len(item) <= SAFE_TEXT_CHARS:
            pass
        elif too_big(item):
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
    if (
        op in ("create", "append", "update")
        and not changes
        and not any(name == "changes" or name.startswith("changes.") for name in errors)
    ):
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
    if (
        not isinstance(action, str)
        or not 1 <= len(action) <= MAX_ACTION_CHARS
        or not action.isprintable()
    ):
        errors["transition.action"] = f"Must be text of 1 to {MAX_ACTION_CHARS} characters."
    if reason is not None and (
        not isinstance(reason, str) or len(reason.encode()) > MAX_FIELD_BYTES
    ):
        errors["transition.reason"] = f"Must be text of at most {MAX_FIELD_BYTES} bytes."
    elif reason is not None and "\x00" in reason:
        errors["transition.reason"] = NUL_MESSAGE
    if "transition.action" in errors or "transition.reason" in errors:
        return None
    return Transition(action=action, reason=reason)
