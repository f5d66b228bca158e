"""CQC frameworks are data: the 34 statements of 2023, and later versions from a file."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from server.errors import Invalid
from server.extensions import db
from server.framework.models import Framework, QualityStatement, StatementMapping
from server.framework.services import (
    DATA,
    ensure_bundled_frameworks,
    load_framework,
    mapping_into,
)
from server.log.models import LogEntry, entry_statement
from tests.support import framework as shared

pytestmark = pytest.mark.db

DOC = Path(__file__).parents[1] / "docs" / "frameworks.md"


# pytest finds fixtures among a module's globals: these come from tests/support/framework.py.
quick_passwords = shared.quick_passwords
only_saf_afterwards = shared.only_saf_afterwards


def draft(tmp_path, **changes) -> Path:
    doc = {
        "format": "careloop-framework/1",
        "id": "test-draft",
        "name": "Adult social care framework (test draft)",
        "published": "2026-01",
        "key_questions": ["safe", "effective", "caring", "responsive", "well-led"],
        "statements": [
            {"code": "SA1", "key_question": "safe", "title": "Learning and safety culture"},
            {"code": "SA2", "key_question": "safe", "title": "Safeguarding people"},
            {
                "code": "WL1",
                "key_question": "well-led",
                "title": "Governance and assurance",
                "description": "Leaders know what is happening and act on it.",
            },
        ],
        "mapping": [
            {"from": "saf-2023:S1", "to": "SA1"},
            {"from": "saf-2023:S3", "to": "SA2"},
            {"from": "saf-2023:W5", "to": "WL1"},
        ],
    }
    doc.update(changes)
    path = tmp_path / "test-draft.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_single_assessment_framework_has_34_statements(client, world, login):
    login(world.users["care_worker"])
    response = client.get("/api/v1/cqc/statements?framework=saf-2023")
    assert response.status_code == 200
    got = response.get_json()
    items = got["items"]
    assert (got["framework"], len(items)) == ("saf-2023", 34)
    assert Counter(s["key_question"] for s in items) == {
        "safe": 8,
        "effective": 6,
        "caring": 5,
        "responsive": 7,
        "well-led": 8,
    }
    assert [s["key_question"] for s in items][::8][:4] == [
        "safe",
        "effective",
        "caring",
        "responsive",
    ]
    assert items[0] == {
        "id": "saf-2023:S1",
        "framework_id": "saf-2023",
        "key_question": "safe",
        "code": "S1",
        "title": "Learning culture",
        "description": "",
        "maps_from": [],
        "maps_to": [],
    }
    assert [s["code"] for s in items][-1] == "W8"
    assert len({s["id"] for s in items}) == 34


def test_statements_default_to_the_2023_framework(client, world, login):
    login(world.users["registered_manager"])
    got = client.get("/api/v1/cqc/statements").get_json()
    assert (got["framework"], len(got["items"])) == ("saf-2023", 34)


def test_frameworks_are_listed_with_their_counts(client, world, login):
    login(world.users["key_worker"])
    got = client.get("/api/v1/cqc/frameworks").get_json()
    assert got == {
        "items": [
            {
                "id": "saf-2023",
                "name": "CQC single assessment framework: quality statements",
                "published": "2023-11",
                "statement_count": 34,
                "key_questions": {
                    "safe": 8,
                    "effective": 6,
                    "caring": 5,
                    "responsive": 7,
                    "well-led": 8,
                },
                "in_force": True,
            }
        ],
        "in_force": "saf-2023",
    }


@pytest.mark.parametrize(
    "query, status, fields",
    [
        ("framework=saf-2099", 404, {"framework": "No framework has this id."}),
        ("framework=", 422, {"framework": "Length must be between 1 and 40."}),
        ("frame=saf-2023", 422, {"frame": "Unknown field."}),
    ],
)
def test_bad_statement_queries_name_the_field(client, world, login, query, status, fields):
    login(world.users["care_worker"])
    response = client.get("/api/v1/cqc/statements?" + query)
    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields


def test_frameworks_need_a_login(client):
    assert client.get("/api/v1/cqc/frameworks").status_code == 401
    assert client.get("/api/v1/cqc/statements").status_code == 401


def test_a_second_framework_loads_from_a_file_without_code_changes(
    app, client, world, login, tmp_path
):
    result = app.test_cli_runner().invoke(args=["load-framework", str(draft(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Loaded test-draft" in result.output
    login(world.users["nominated_individual"])
    listed = client.get("/api/v1/cqc/frameworks").get_json()["items"]
    assert [(f["id"], f["statement_count"]) for f in listed] == [
        ("saf-2023", 34),
        ("test-draft", 3),
    ]
    assert listed[1]["key_questions"] == {"safe": 2, "well-led": 1}
    items = client.get("/api/v1/cqc/statements?framework=test-draft").get_json()["items"]
    assert [(s["id"], s["maps_from"]) for s in items] == [
        ("test-draft:SA1", ["saf-2023:S1"]),
        ("test-draft:SA2", ["saf-2023:S3"]),
        ("test-draft:WL1", ["saf-2023:W5"]),
    ]
    assert items[2]["description"] == "Leaders know what is happening and act on it."
    old = client.get("/api/v1/cqc/statements").get_json()["items"]
    assert old[0]["maps_to"] == ["test-draft:SA1"]
    assert len(old) == 34


def test_loading_the_same_file_again_updates_in_place(app, tmp_path):
    load_framework(draft(tmp_path))
    load_framework(draft(tmp_path, name="Adult social care framework (test draft, v2)"))
    db.session.commit()
    assert db.session.get(Framework, "test-draft").name.endswith("v2)")
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(QualityStatement)
            .where(QualityStatement.framework_id == "test-draft")
        )
        == 3
    )
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(StatementMapping)
            .where(StatementMapping.to_id.like("test-draft:%"))
        )
        == 3
    )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"format": "careloop-framework/0"}, "format"),
        ({"id": ""}, "id"),
        ({"id": "x" * 41}, "id"),
        ({"statements": []}, "statements"),
        ({"statements": [{"code": "SA1", "key_question": "safe"}]}, "statements.0.title"),
        (
            {"statements": [{"code": "SA1", "key_question": "kind", "title": "T"}]},
            "statements.0.key_question",
        ),
        (
            {
                "statements": [
                    {"code": "A", "key_question": "safe", "title": "T"},
                    {"code": "A", "key_question": "safe", "title": "U"},
                ],
                "mapping": [],
            },
            "statements.1.code",
        ),
        ({"mapping": [{"from": "saf-2023:S99", "to": "SA1"}]}, "mapping.0.from"),
        ({"mapping": [{"from": "saf-2023:S1", "to": "ZZ9"}]}, "mapping.0.to"),
    ],
)
def test_a_bad_framework_file_is_refused_whole(app, tmp_path, changes, field):
    with pytest.raises(Invalid) as refused:
        load_framework(draft(tmp_path, **changes))
    assert field in refused.value.fields
    db.session.rollback()
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Framework).where(Framework.id != "saf-2023")
        )
        == 0
    )


def test_the_documented_example_loads(app, tmp_path):
    example = re.search(r"```json\n(.+?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    path = tmp_path / "example.json"
    path.write_text(example.group(1), encoding="utf-8")
    framework = load_framework(path)
    assert framework.id == "example-draft"
    assert [
        s.code
        for s in db.session.scalars(
            db.select(QualityStatement)
            .where(QualityStatement.framework_id == "example-draft")
            .order_by(QualityStatement.position)
        )
    ] == ["SA1", "WL1"]


# ---- the bundled draft 2026 framework and tagging against either version -----------------

ASC = "asc-2026-draft"


def test_the_bundled_2026_draft_loads_once_with_a_mapping_from_every_2023_statement(app):
    assert ensure_bundled_frameworks() == [ASC]
    assert ensure_bundled_frameworks() == []
    db.session.commit()
    rows = db.session.scalars(
        db.select(QualityStatement)
        .where(QualityStatement.framework_id == ASC)
        .order_by(QualityStatement.position)
    ).all()
    assert len(rows) == 24
    assert Counter(s.key_question for s in rows) == {
        "safe": 6,
        "effective": 7,
        "caring": 3,
        "responsive": 3,
        "well-led": 5,
    }
    mapped_from = {
        m.from_id
        for m in db.session.scalars(db.select(StatementMapping))
        if m.to_id.startswith(ASC + ":")
    }
    saf = json.loads((DATA / "saf-2023.json").read_text(encoding="utf-8"))["statements"]
    assert mapped_from == {f"saf-2023:{s['code']}" for s in saf}
    assert "Careloop working list" in db.session.get(Framework, ASC).name


def test_mapping_is_looked_up_both_ways(app, client, world, login):
    ensure_bundled_frameworks()
    db.session.commit()
    forward, back = mapping_into(ASC), mapping_into("saf-2023")
    assert forward["saf-2023:S1"] == [f"{ASC}:SA6"]
    assert forward["saf-2023:S6"] == [f"{ASC}:EF3", f"{ASC}:SA3"]
    assert back[f"{ASC}:SA6"] == ["saf-2023:S1"]
    assert back[f"{ASC}:RE1"] == [
        "saf-2023:R1",
        "saf-2023:R2",
        "saf-2023:R3",
        "saf-2023:R5",
        "saf-2023:R6",
    ]
    login(world.users["registered_manager"])
    new = client.get(f"/api/v1/cqc/statements?framework={ASC}").get_json()["items"]
    assert [(s["code"], s["maps_from"]) for s in new if s["code"] in ("SA6", "WL2")] == [
        ("SA6", ["saf-2023:S1"]),
        ("WL2", ["saf-2023:W5", "saf-2023:W8"]),
    ]
    old = client.get("/api/v1/cqc/statements").get_json()["items"]
    assert old[0]["maps_to"] == [f"{ASC}:SA6"]


def test_entries_are_tagged_against_either_framework(app, client, world, login):
    from tests.support.log_api import body

    ensure_bundled_frameworks()
    db.session.commit()
    login(world.users["registered_manager"])
    old = client.post("/api/v1/entries", json=body(world, statement_ids=["saf-2023:S1"]))
    new = client.post("/api/v1/entries", json=body(world, statement_ids=[f"{ASC}:SA6"]))
    assert (old.status_code, new.status_code) == (201, 201)
    assert old.get_json()["statement_ids"] == ["saf-2023:S1"]
    assert new.get_json()["statement_ids"] == [f"{ASC}:SA6"]
    both = client.patch(
        f"/api/v1/entries/{old.get_json()['id']}",
        json={"version": old.get_json()["version"], "statement_ids": ["saf-2023:S1", f"{ASC}:WL2"]},
    )
    assert both.status_code == 200, both.get_json()
    tags = (
        db.session.execute(
            db.select(entry_statement.c.statement_id).order_by(entry_statement.c.statement_id)
        )
        .scalars()
        .all()
    )
    assert tags == [f"{ASC}:SA6", f"{ASC}:WL2", "saf-2023:S1"]
    assert db.session.scalar(db.select(db.func.count()).select_from(LogEntry)) == 2


def test_an_unknown_statement_of_the_draft_is_refused_by_name(app, client, world, login):
    from tests.support.log_api import body

    ensure_bundled_frameworks()
    db.session.commit()
    login(world.users["registered_manager"])
    response = client.post(
        "/api/v1/entries", json=body(world, statement_ids=[f"{ASC}:SA6", f"{ASC}:ZZ9"])
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "statement_ids": f"Unknown quality statement: {ASC}:ZZ9."
    }
    assert db.session.scalar(db.select(db.func.count()).select_from(LogEntry)) == 0


@pytest.mark.parametrize(
    "break_it, field, message",
    [
        (
            lambda doc: doc["mapping"].__setitem__(0, {"from": "saf-2023:S1", "to": "SA99"}),
            "mapping.0.to",
            "Each mapping item maps to a code of this framework.",
        ),
        (
            lambda doc: doc["mapping"].__setitem__(3, {"from": "saf-2023:Q1", "to": "SA1"}),
            "mapping.3.from",
            "Each mapping item maps from a statement already loaded.",
        ),
        (
            lambda doc: doc["statements"][5].pop("title"),
            "statements.5.title",
            "The framework file needs statements.5.title.",
        ),
    ],
)
def test_a_broken_copy_of_the_draft_is_refused_naming_the_part(
    app, tmp_path, break_it, field, message
):
    doc = json.loads((DATA / f"{ASC}.json").read_text(encoding="utf-8"))
    break_it(doc)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(Invalid) as refused:
        load_framework(path)
    assert (refused.value.message, list(refused.value.fields)) == (message, [field])
    db.session.rollback()
    assert db.session.get(Framework, ASC) is None
