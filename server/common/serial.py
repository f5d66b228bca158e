"""One serializer per synced record type: the record as devices and the API see it, and back.

A ``Serializer`` is built once from a model and the field policy table
(``sync.policies.POLICIES``): every field travels in its JSON kind. It gives the record from
a model (``record``: REST answers, the sync store, the merge), from a plain mapping of column
values (``row``: the write path without the ORM), and the Python values of pushed fields
(``python``). A pull makes the same record from raw driver rows (server.syncing.wire, from
the same table and policies). A REST answer is ``record`` cut to the documented schema's
fields: a schema declared as a ``RecordAnswerSchema`` documents the answer, and its dump
is the serializer's. tests/test_record_serializers.py holds every form equal to the
others and to marshmallow's dump of the schema, for every record type on both databases.
"""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import ClassVar

from marshmallow import Schema, fields, missing

from sync.policies import POLICIES


def to_wire(value, kind: str):
    """Return ``value`` in its JSON kind (sync.policies.KINDS)."""
    if value is None:
        return None
    convert = _OUT.get(kind)
    return value if convert is None else convert(value)


def _iso(value) -> str:
    return value.isoformat()


@functools.lru_cache(maxsize=1024)
def _uuid_from_text(value: str) -> uuid.UUID:
    # Cached: a pushed batch names the same service (or walkaround) again and again.
    return uuid.UUID(value)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else _uuid_from_text(str(value))


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


_JSON_AS_IS = frozenset((str, int, bool, float, type(None)))


def plain(value):
    """Make a value JSON-safe: UUIDs and decimals as text, dates in ISO 8601, tuples as
    lists, keys as text, anything else unknown as its text."""
    if type(value) in _JSON_AS_IS:  # most values: nothing to do (the push writes thousands)
        return value
    if type(value) is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in _JSON_AS_IS else plain(v)
            for k, v in value.items()
        }
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def audit_changes(entity_type: str, changes: dict) -> dict:
    """Return an audit event's ``changes`` of a record of ``entity_type`` JSON-safe: a field's
    value (a create's snapshot) or its [old, new] in the field's JSON kind, as the record
    travels; any other key (a reason, ``deleted``) made JSON-safe by ``plain``."""
    kinds = _kinds(entity_type)
    out = {}
    for key, value in changes.items():
        if type(value) in _JSON_AS_IS:  # most of a snapshot: as it is, whatever the field
            out[key if type(key) is str else str(key)] = value
            continue
        kind = kinds.get(key)
        if kind is None:
            out[key if type(key) is str else str(key)] = plain(value)
        elif _is_pair(value, kind):
            out[key] = [_audit_value(v, kind) for v in value]
        else:
            out[key] = _audit_value(value, kind)
    return out


@functools.cache
def _kinds(entity_type: str) -> dict[str, str]:
    return {name: rule.kind for name, rule in POLICIES[entity_type].items()}


def _is_pair(value, kind: str) -> bool:
    """An update's [old, new] (a list field's own value is a list of texts)."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return False
    return kind != "list" or all(v is None or isinstance(v, (list, tuple)) for v in value)


def _audit_value(value, kind: str):
    if type(value) in _JSON_AS_IS:
        return value
    convert = _OUT.get(kind)
    return plain(value) if convert is None else convert(value)


@dataclass(frozen=True)
class Serializer:
    """The wire form of one record type; see the module's docstring."""

    entity_type: str
    model: type
    of_model: Callable
    row: Callable[..., dict]
    python_plan: dict

    @property
    def table(self):
        return self.model.__table__

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

    def answer(self, names: tuple[str, ...]) -> Callable[[object], dict]:
        """Return the REST answer of a model: ``record`` cut to ``names`` (a schema's fields)."""
        record = self.record

        def answer(model) -> dict:
            plain = record(model)
            return {name: plain[name] for name in names}

        return answer


@functools.cache
def serializer(entity_type: str, model: type) -> Serializer:
    """Return the serializer of ``entity_type``, whose records are ``model`` rows."""
    rules = POLICIES[entity_type]
    return Serializer(
        entity_type=entity_type,
        model=model,
        of_model=_plain_maker(entity_type, attrgetter),
        row=_plain_maker(entity_type, itemgetter),
        python_plan={name: _IN.get(rule.kind) for name, rule in rules.items()},
    )


class RecordAnswerSchema(Schema):
    """A record's REST answer: its fields document it, its record serializer makes it.

    A subclass names ``entity_type`` and ``model``. The fields the record has come from the
    serializer; the others (a sum, a nested list, a computed flag) are dumped by their own
    marshmallow field, on top. The record is the object dumped or, for an object carrying
    one (a summary with counts), its ``carried_by`` attribute. Given anything else, or when
    a record field is renamed or read from another attribute, it dumps as marshmallow does.
    """

    entity_type: ClassVar[str]
    model: ClassVar[type]
    carried_by: ClassVar[str | None] = None

    def dump(self, obj, *, many: bool | None = None):
        answer = _answer(type(self), tuple(self.fields))
        if answer is None:
            return super().dump(obj, many=many)
        many = self.many if many is None else many
        if many:
            obj = list(obj)
            made = [answer(item) for item in obj]
            if None not in made:
                return made
        else:
            made = answer(obj)
            if made is not None:
                return made
        return super().dump(obj, many=many)


@functools.cache
def _answer(schema_cls: type, names: tuple[str, ...]) -> Callable | None:
    """Return ``answer(obj)``: the REST answer of ``obj``, or None when it carries no record.
    None instead when a record field is renamed or read from another attribute."""
    made = serializer(schema_cls.entity_type, schema_cls.model)
    own = set(POLICIES[schema_cls.entity_type]) | {"deleted"}
    fields = schema_cls().fields
    if any(fields[name].data_key or fields[name].attribute for name in names if name in own):
        return None
    record_names = tuple(name for name in names if name in own)
    extras = tuple((name, fields[name]) for name in names if name not in own)
    record, model, carried_by = made.answer(record_names), schema_cls.model, schema_cls.carried_by

    def answer(obj) -> dict | None:
        source = obj if type(obj) is model else getattr(obj, carried_by or "", None)
        if type(source) is not model:
            return None
        out = record(source)
        for name, field in extras:
            value = field.serialize(name, obj)
            if value is not missing:
                out[field.data_key or name] = value
        return out

    return answer


_DOCUMENTED = {
    "text": fields.String,
    "uuid": fields.UUID,
    "date": fields.Date,
    "datetime": fields.DateTime,
    "bool": fields.Boolean,
    "int": fields.Integer,
}
_NOT_ANSWERED = ("change_seq", "deleted_at")


def record_answer(entity_type: str, model: type) -> type[RecordAnswerSchema]:
    """Return a RecordAnswerSchema declaring every field of the record that a REST answer
    carries, in its JSON kind and nullable as its column: the record's fields declared once,
    by the policy table and the model. A list field is left to the subclass to declare."""
    columns = model.__table__.c
    declared = {
        name: _DOCUMENTED[rule.kind](allow_none=columns[name].nullable)
        for name, rule in POLICIES[entity_type].items()
        if name not in _NOT_ANSWERED and rule.kind != "list"
    }
    attrs = {"entity_type": entity_type, "model": model, **declared}
    return type(f"{model.__name__}Answer", (RecordAnswerSchema,), attrs)
