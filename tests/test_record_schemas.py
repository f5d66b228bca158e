"""The record schemas published as JSON Schema say what the server's own validation says:
they are valid draft 2020-12, cover every field a device may write, and accept and refuse
the same values as the push does."""

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from marshmallow import ValidationError

from server.errors import flatten_messages
from server.findings.checks import NAME_PATTERN, looks_like_full_name
from server.syncing import rules
from server.syncing.jsonschema import DIALECT, record_schema
from sync.policies import POLICIES, SERVER_OWNED, TRANSITION_ONLY

DERIVED = {"finding": {"question"}}
"""Fields a device may not write though their policy would let it: the server derives them
(a feedback finding's question text comes from its question_id)."""


def _validator(schema):
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("entity_type", list(POLICIES))
def test_each_schema_is_valid_json_schema_and_covers_every_writable_field(entity_type):
    schema = record_schema(entity_type)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    writable = {
        name
        for name, rule in POLICIES[entity_type].items()
        if rule.policy not in (SERVER_OWNED, TRANSITION_ONLY)
    }
    assert set(schema["properties"]) == writable - DERIVED.get(entity_type, set())
    assert schema["additionalProperties"] is False


def _keys(node, found=None):
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "properties":
                found.add(key)
                _keys(value, found)
            else:
                for prop in value.values():
                    _keys(prop, found)
    elif isinstance(node, list):
        for item in node:
            _keys(item, found)
    return found


def test_the_schemas_use_only_standard_keywords_ajv_knows():
    standard = {
        "$schema",
        "$id",
        "title",
        "type",
        "properties",
        "required",
        "items",
        "enum",
        "format",
        "pattern",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "additionalProperties",
        "description",
        "default",
        "not",
    }
    used = set().union(*(_keys(record_schema(t)) for t in POLICIES))
    assert used <= standard
    assert {"maxLength", "enum", "format", "pattern", "required"} <= used


SERVICE = str(uuid.UUID(int=1))
GOOD = {
    "finding": {
        "service_id": SERVICE,
        "kind": "feedback",
        "area": "Lounge",
        "description": "Line one\nline two",
        "risk": "high",
        "respondent_type": None,
        "recorded_at": "2026-11-27T09:00:00+00:00",
    },
    "walkaround": {
        "service_id": SERVICE,
        "started_at": "2026-11-27T09:00:00+01:00",
        "areas": ["Lounge"],
        "notes": "",
    },
    "log_entry": {
        "service_id": SERVICE,
        "concern": "Mats",
        "source": "walkaround",
        "due_date": "2026-12-01",
        "statements": ["saf-2023:S1"],
    },
    "note": {"entry_id": SERVICE, "body": "Checked\tat 21:00"},
    "evidence": {
        "entry_id": SERVICE,
        "type": "audit",
        "location": "Folder",
        "evidence_date": "2026-11-20",
        "checked_by": SERVICE,
    },
}
BAD = [
    ("finding", "description", "x" * 4001),
    ("finding", "area", "Lounge\tEast"),
    ("finding", "description", " \n "),
    ("note", "body", "   "),
    ("finding", "description", "nul\x00"),
    ("finding", "risk", "extreme"),
    ("finding", "recorded_at", "0001-01-01T00:00:00+00:00"),
    ("finding", "recorded_at", "2026-11-27T09:00:00"),
    ("walkaround", "areas", ["x" * 121]),
    ("log_entry", "due_date", "9999-12-31"),
    ("log_entry", "statements", ["ok", "ba\nd"]),
    ("note", "body", "esc\x1b"),
    ("evidence", "evidence_date", "1999-12-31"),
    ("evidence", "type", "verbal_chat"),
]


@pytest.mark.parametrize("entity_type", list(GOOD))
def test_a_good_record_passes_both_the_schema_and_the_server_rules(entity_type):
    op = "append" if entity_type in ("note", "evidence") else "create"
    assert list(_validator(record_schema(entity_type)).iter_errors(GOOD[entity_type])) == []
    assert rules.check_changes(entity_type, op, GOOD[entity_type]) == {}


@pytest.mark.parametrize(("entity_type", "field", "value"), BAD)
def test_a_bad_value_is_refused_by_the_schema_and_by_the_server_rules(entity_type, field, value):
    record = GOOD[entity_type] | {field: value}
    op = "append" if entity_type in ("note", "evidence") else "create"
    errors = list(_validator(record_schema(entity_type)).iter_errors(record))
    assert [e.absolute_path[0] for e in errors] == [field]
    assert list(rules.check_changes(entity_type, op, record)) in (
        [field],
        [f"{field}.1"],
        [f"{field}.0"],
    )


@pytest.mark.parametrize(
    ("people", "refused"),
    [
        ("Mary Jones, room 4", True),
        ("room 4 (Mary Jones)", True),
        ("R-1042, J.S.", False),
        (None, False),
    ],
)
def test_the_schema_refuses_a_plain_full_name_as_the_server_does(people, refused):
    record = GOOD["finding"] | {"people_involved": people}
    errors = list(_validator(record_schema("finding")).iter_errors(record))
    assert [e.validator for e in errors] == (["not"] if refused else [])
    assert looks_like_full_name(people) is refused


@given(st.text(alphabet="MJaryonesé’'-_ ,.(/2\n", max_size=30))
def test_whatever_the_name_pattern_refuses_the_server_refuses_too(text):
    if re.search(NAME_PATTERN, text):
        assert looks_like_full_name(text)


@pytest.mark.parametrize("entity_type", ["finding", "log_entry", "evidence"])
def test_a_missing_required_field_is_refused_by_both(entity_type):
    op = "append" if entity_type == "evidence" else "create"
    record = dict(GOOD[entity_type])
    field = sorted(record_schema(entity_type)["required"])[-1]
    del record[field]
    errors = list(_validator(record_schema(entity_type)).iter_errors(record))
    assert [e.validator for e in errors] == ["required"]
    assert rules.check_changes(entity_type, op, record) == {
        field: "Missing data for required field."
    }


@pytest.mark.db
def test_the_index_lists_every_record_type(client, world, login):
    login(world.users["care_worker"])
    body = client.get("/api/v1/schemas/").get_json()
    assert [i["entity_type"] for i in body["items"]] == list(POLICIES)
    for item in body["items"]:
        served = client.get(item["url"])
        assert served.status_code == 200
        assert served.get_json()["$id"] == "http://localhost" + item["url"]
        assert served.get_json()["properties"] == record_schema(item["entity_type"])["properties"]


@pytest.mark.db
def test_a_service_schema_holds_its_areas_routines_and_questions(client, world, login):
    login(world.users["care_worker"])
    r = client.get(f"/api/v1/schemas/finding.json?service_id={world.home.id}")
    assert r.status_code == 200, r.get_json()
    schema = r.get_json()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["area"]["enum"] == list(world.home.areas) + list(
        world.home.routines
    )
    assert schema["properties"]["question_id"]["enum"] == [*world.home.questions(), None]
    walk = client.get(f"/api/v1/schemas/walkaround.json?service_id={world.home.id}").get_json()
    assert walk["properties"]["areas"]["items"]["enum"] == schema["properties"]["area"]["enum"]
    record = GOOD["finding"] | {"service_id": str(world.home.id), "area": "Car park"}
    assert [e.absolute_path[0] for e in _validator(schema).iter_errors(record)] == ["area"]


@pytest.mark.db
def test_another_homes_lists_and_unknown_types_are_refused(client, world, login):
    login(world.users["care_worker"])
    other = client.get(f"/api/v1/schemas/finding.json?service_id={world.rival_service.id}")
    assert other.status_code == 404
    assert client.get("/api/v1/schemas/colour.json").status_code == 404
    client.post("/api/v1/auth/logout")
    assert client.get("/api/v1/schemas/finding.json").status_code == 401


@pytest.mark.db
def test_the_openapi_document_types_each_mutations_changes_with_the_same_rules(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    items = schemas["Push"]["properties"]["mutations"]["items"]["oneOf"]
    names = {
        "finding": "Finding",
        "walkaround": "Walkaround",
        "log_entry": "LogEntry",
        "note": "Note",
        "evidence": "Evidence",
    }
    assert items == [{"$ref": f"#/components/schemas/{names[t]}Mutation"} for t in POLICIES]
    for entity_type, name in names.items():
        mutation = schemas[f"{name}Mutation"]["properties"]
        assert mutation["entity_type"]["enum"] == [entity_type]
        assert mutation["changes"] == {"$ref": f"#/components/schemas/{name}Changes"}
        documented = schemas[f"{name}Changes"]["properties"]
        published = record_schema(entity_type)["properties"]
        assert set(documented) == set(published)
        for field, rule in published.items():
            for keyword in ("maxLength", "pattern", "format", "maxItems"):
                assert documented[field].get(keyword) == rule.get(keyword), (field, keyword)
            choices = [c for c in rule.get("enum", []) if c is not None]
            assert [c for c in documented[field].get("enum", []) if c is not None] == choices


def _loaded_errors(entity_type: str, op: str, changes: dict) -> dict:
    """What a whole Schema.load of the changes refuses, named as a mutation names them."""
    renamed = rules.SYNC_NAMES.get(entity_type, {})
    back = {wire: name for name, wire in renamed.items()}
    schema = rules.RECORD_SCHEMAS[entity_type](partial=op not in ("create", "append"))
    data = {back.get(k, k): v for k, v in changes.items() if back.get(k, k) in schema.fields}
    try:
        schema.load(data)
    except ValidationError as error:
        return {
            (renamed.get(k.split(".")[0], k.split(".")[0]) + k[len(k.split(".")[0]) :]): v
            for k, v in flatten_messages(error.messages).items()
        }
    return {}


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 3),
    st.text(max_size=6),
    st.sampled_from(
        [
            "x" * 4001,
            "2026-11-27",
            "0001-01-01",
            SERVICE,
            "2026-11-27T09:00:00+00:00",
            "high",
            "audit",
        ]
    ),
    st.lists(st.text(max_size=3), max_size=3),
)


@given(
    st.sampled_from(list(GOOD)),
    st.sampled_from(["create", "update"]),
    st.dictionaries(
        st.sampled_from(sorted({f for r in GOOD.values() for f in r})), ODD_VALUES, max_size=4
    ),
)
def test_checking_field_by_field_refuses_what_a_whole_load_refuses(entity_type, op, odd):
    op = "append" if entity_type in ("note", "evidence") else op
    changes = GOOD[entity_type] | odd
    assert rules.check_changes(entity_type, op, changes) == _loaded_errors(entity_type, op, changes)
