"""One serializer per synced record type: the record as devices and the API see it, and back.

Each ``Serializer`` is built once from the model's table and the field policy table
(``sync.policies.POLICIES``): every field travels in its JSON kind. It gives the record
from a model (``record``: REST answers, the sync store, the merge), from a plain mapping of
column values (``row``: the write path without the ORM), the changes a pull sends from raw
driver rows (``changes``: server.syncing.wire converts the stored forms), and the Python
values of pushed fields (``python``). REST answers are the same dict cut to the documented
schema's fields (``answer``); tests/test_record_serializers.py holds each output equal to
the marshmallow schema's dump for every record type on both databases.
"""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter, itemgetter

from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note
from server.syncing import wire
from server.syncing.wire import to_wire
from sync.policies import POLICIES

__all__ = ["MODELS", "SERIALIZERS", "from_wire", "plain", "python_fields", "to_wire"]

MODELS = {
    "finding": Finding,
    "walkaround": Walkaround,
    "log_entry": LogEntry,
    "note": Note,
    "evidence": EvidenceRef,
}


def from_wire(value, kind: str):
    """Return the Python value of a JSON value of ``kind`` (already checked by sync.validate)."""
    if value is None:
        return None
    if kind == "uuid":
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(value)
    if kind == "datetime":
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return value


def _iso(value) -> str:
    return value.isoformat()


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


# kind -> conversion of a value that is not None; a kind not named travels as it is.
_OUT = {"uuid": str, "date": _iso, "datetime": _iso, "list": list}
_IN = {"uuid": _uuid, "date": _date, "datetime": _datetime}


def _plain_maker(entity_type: str, getter: Callable) -> Callable:
    """Return ``plain(source, statements)`` reading each field with ``getter(name)``."""
    plan = tuple(
        (name, getter(name), _OUT.get(rule.kind))
        for name, rule in POLICIES[entity_type].items()
        if name != "statements"
    )
    has_statements = "statements" in POLICIES[entity_type]
    is_deleted = getter("deleted_at")

    def plain(source, statements=()) -> dict:
        out = {}
        for name, get, convert in plan:
            value = get(source)
            out[name] = value if value is None or convert is None else convert(value)
        if has_statements:
            out["statements"] = sorted(statements)
        out["deleted"] = is_deleted(source) is not None
        return out

    return plain


@dataclass(frozen=True)
class Serializer:
    """The wire form of one record type; see the module's docstring."""

    entity_type: str
    table: object
    of_model: Callable
    row: Callable[..., dict]
    python_plan: dict

    def record(self, model) -> dict:
        """Return the record as a pull sends it, from its model."""
        if "statements" in POLICIES[self.entity_type]:
            return self.of_model(model, [s.id for s in model.statements])
        return self.of_model(model)

    def python(self, fields: dict) -> dict:
        """Return pushed field values (JSON kinds, checked) as Python values."""
        plan = self.python_plan
        return {
            name: value if value is None or (c := plan[name]) is None else c(value)
            for name, value in fields.items()
        }

    def changes(self, rows, dialect) -> list[dict]:
        """Return the changes a pull sends for raw rows of ``wire.raw_columns(table.c)``."""
        return wire.page_maker(self.entity_type, self.table, dialect)(rows)

    def answer(self, schema_cls) -> Callable[[object], dict]:
        """Return the REST answer of a model: ``record`` cut to the documented schema's fields."""
        return _answer(self.entity_type, schema_cls)


@functools.cache
def _answer(entity_type: str, schema_cls) -> Callable[[object], dict]:
    names = tuple(schema_cls().fields)
    record = SERIALIZERS[entity_type].record

    def answer(model) -> dict:
        plain = record(model)
        return {name: plain[name] for name in names}

    return answer


def _build(entity_type: str) -> Serializer:
    rules = POLICIES[entity_type]
    return Serializer(
        entity_type=entity_type,
        table=MODELS[entity_type].__table__,
        of_model=_plain_maker(entity_type, attrgetter),
        row=_plain_maker(entity_type, itemgetter),
        python_plan={name: _IN.get(rule.kind) for name, rule in rules.items()},
    )


SERIALIZERS: dict[str, Serializer] = {t: _build(t) for t in MODELS}


def plain(entity_type: str, record) -> dict:
    """Return the record with every synced field in its JSON kind, as a pull sends it."""
    return SERIALIZERS[entity_type].record(record)


def python_fields(entity_type: str, fields: dict) -> dict:
    """Convert pushed field values to Python values by their policy kinds."""
    return SERIALIZERS[entity_type].python(fields)
