"""CQC frameworks are data: the 34 statements of 2023, and later versions from a file."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete

from server.errors import Invalid
from server.extensions import db
from server.framework.models import Framework, QualityStatement, StatementMapping
from server.framework.services import load_framework

pytestmark = pytest.mark.db

DOC = Path(__file__).parents[1] / "docs" / "frameworks.md"


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hash test passwords cheaply: a dozen scrypt hashes per test would dominate the run."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("server.accounts.services.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1"))


@pytest.fixture
def only_saf_afterwards(app):
    """Remove any framework a test loads: the framework tables outlive each test."""
    yield
    db.session.rollback()
    db.session.execute(delete(StatementMapping).where(~StatementMapping.to_id.like("saf-2023:%")))
    db.session.execute(delete(QualityStatement).where(QualityStatement.framework_id != "saf-2023"))
    db.session.execute(delete(Framework).where(Framework.id != "saf-2023"))
    db.session.commit()


def draft(tmp_path, **changes) -> Path:
    doc = {
        "format": "careloop-framework/1",
        "id": "asc-2026-draft",
        "name": "Adult social care framework (draft 2026)",
        "published": "2026-01",
        "key_questions": ["safe", "effective", "caring", "responsive", "well-led"],
        "statements": [
            {"code": "SA1", "key_question": "safe", "title": "Learning and safety culture"},
            {"code": "SA2", "key_question": "safe", "title": "Safeguarding people"},
            {"code": "WL1", "key_question": "well-led", "title": "Governance and assurance",
             "description": "Leaders know what is happening and act on it."},
        ],
        "mapping": [
            {"from": "saf-2023:S1", "to": "SA1"},
            {"from": "saf-2023:S3", "to": "SA2"},
            {"from": "saf-2023:W5", "to": "WL1"},
        ],
    }
    doc.update(changes)
    path = tmp_path / "asc-2026-draft.json"
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
        "safe": 8, "effective": 6, "caring": 5, "responsive": 7, "well-led": 8}
    assert [s["key_question"] for s in items][::8][:4] == ["safe", "effective", "caring",
                                                          "responsive"]
    assert items[0] == {
        "id": "saf-2023:S1", "framework_id": "saf-2023", "key_question": "safe", "code": "S1",
        "title": "Learning culture", "description": "", "maps_from": [], "maps_to": [],
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
    assert got == {"items": [{
        "id": "saf-2023", "name": "CQC single assessment framework: quality statements",
        "published": "2023-11", "statement_count": 34,
        "key_questions": {"safe": 8, "effective": 6, "caring": 5, "responsive": 7,
                          "well-led": 8},
    }]}


@pytest.mark.parametrize("query, status, fields", [
    ("framework=saf-2099", 404, {"framework": "No framework has this id."}),
    ("framework=", 422, {"framework": "Length must be between 1 and 40."}),
    ("frame=saf-2023", 422, {"frame": "Unknown field."}),
])
def test_bad_statement_queries_name_the_field(client, world, login, query, status, fields):
    login(world.users["care_worker"])
    response = client.get("/api/v1/cqc/statements?" + query)
    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields


def test_frameworks_need_a_login(client):
    assert client.get("/api/v1/cqc/frameworks").status_code == 401
    assert client.get("/api/v1/cqc/statements").status_code == 401


def test_a_second_framework_loads_from_a_file_without_code_changes(
        app, client, world, login, tmp_path, only_saf_afterwards):
    result = app.test_cli_runner().invoke(args=["load-framework", str(draft(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Loaded asc-2026-draft" in result.output
    login(world.users["nominated_individual"])
    listed = client.get("/api/v1/cqc/frameworks").get_json()["items"]
    assert [(f["id"], f["statement_count"]) for f in listed] == [
        ("asc-2026-draft", 3), ("saf-2023", 34)]
    assert listed[0]["key_questions"] == {"safe": 2, "well-led": 1}
    items = client.get("/api/v1/cqc/statements?framework=asc-2026-draft").get_json()["items"]
    assert [(s["id"], s["maps_from"]) for s in items] == [
        ("asc-2026-draft:SA1", ["saf-2023:S1"]),
        ("asc-2026-draft:SA2", ["saf-2023:S3"]),
        ("asc-2026-draft:WL1", ["saf-2023:W5"]),
    ]
    assert items[2]["description"] == "Leaders know what is happening and act on it."
    old = client.get("/api/v1/cqc/statements").get_json()["items"]
    assert old[0]["maps_to"] == ["asc-2026-draft:SA1"]
    assert len(old) == 34


def test_loading_the_same_file_again_updates_in_place(app, tmp_path, only_saf_afterwards):
    load_framework(draft(tmp_path))
    load_framework(draft(tmp_path, name="Adult social care framework (draft 2026, v2)"))
    db.session.commit()
    assert db.session.get(Framework, "asc-2026-draft").name.endswith("v2)")
    assert db.session.scalar(
        db.select(db.func.count()).select_from(QualityStatement)
        .where(QualityStatement.framework_id == "asc-2026-draft")) == 3
    assert db.session.scalar(
        db.select(db.func.count()).select_from(StatementMapping)
        .where(StatementMapping.to_id.like("asc-2026-draft:%"))) == 3


@pytest.mark.parametrize("changes, field", [
    ({"format": "careloop-framework/0"}, "format"),
    ({"id": ""}, "id"),
    ({"id": "x" * 41}, "id"),
    ({"statements": []}, "statements"),
    ({"statements": [{"code": "SA1", "key_question": "safe"}]}, "statements.0.title"),
    ({"statements": [{"code": "SA1", "key_question": "kind", "title": "T"}]},
     "statements.0.key_question"),
    ({"statements": [{"code": "A", "key_question": "safe", "title": "T"},
                     {"code": "A", "key_question": "safe", "title": "U"}], "mapping": []},
     "statements.1.code"),
    ({"mapping": [{"from": "saf-2023:S99", "to": "SA1"}]}, "mapping.0.from"),
    ({"mapping": [{"from": "saf-2023:S1", "to": "ZZ9"}]}, "mapping.0.to"),
])
def test_a_bad_framework_file_is_refused_whole(app, tmp_path, only_saf_afterwards, changes,
                                               field):
    with pytest.raises(Invalid) as refused:
        load_framework(draft(tmp_path, **changes))
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(
        db.select(db.func.count()).select_from(Framework)
        .where(Framework.id != "saf-2023")) == 0


def test_the_documented_example_loads(app, tmp_path, only_saf_afterwards):
    example = re.search(r"```json\n(.+?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    path = tmp_path / "example.json"
    path.write_text(example.group(1), encoding="utf-8")
    framework = load_framework(path)
    assert framework.id == "example-draft"
    assert [s.code for s in db.session.scalars(
        db.select(QualityStatement).where(QualityStatement.framework_id == "example-draft")
        .order_by(QualityStatement.position))] == ["SA1", "WL1"]
