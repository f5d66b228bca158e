"""Load framework versions from JSON files: statements are data, not code."""

import json
from pathlib import Path

from server.errors import Invalid
from server.extensions import db
from server.framework.models import Framework, QualityStatement, StatementMapping

DATA = Path(__file__).parent / "data"
DEFAULT_FRAMEWORK = "saf-2023"
FORMAT = "careloop-framework/1"


def statement_id(framework_id: str, code: str) -> str:
    return f"{framework_id}:{code}"


def load_framework(path) -> Framework:
    """Load or update a framework version and its mapping; the format is docs/frameworks.md."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT:
        raise Invalid(f"Framework files must declare format {FORMAT}.", {"format": "Unknown."})
    framework = db.session.get(Framework, doc["id"]) or Framework(id=doc["id"])
    framework.name = doc["name"]
    framework.published = doc.get("published", "")
    db.session.add(framework)
    for position, item in enumerate(doc["statements"]):
        sid = statement_id(doc["id"], item["code"])
        statement = db.session.get(QualityStatement, sid) or QualityStatement(id=sid)
        statement.framework_id = doc["id"]
        statement.key_question = item["key_question"]
        statement.code = item["code"]
        statement.title = item["title"]
        statement.description = item.get("description", "")
        statement.position = position
        db.session.add(statement)
    db.session.flush()
    for item in doc.get("mapping", []):
        # {"from": "saf-2023:S1", "to": "<this framework>:<code>"}
        pair = (item["from"], statement_id(doc["id"], item["to"]))
        if db.session.get(StatementMapping, pair) is None:
            db.session.add(StatementMapping(from_id=pair[0], to_id=pair[1]))
    db.session.flush()
    return framework


def ensure_default_framework() -> None:
    """Load the 34 statements of the single assessment framework if they are not there."""
    if db.session.get(Framework, DEFAULT_FRAMEWORK) is None:
        load_framework(DATA / f"{DEFAULT_FRAMEWORK}.json")


def statements(framework_id: str = DEFAULT_FRAMEWORK) -> list[QualityStatement]:
    return list(
        db.session.scalars(
            db.select(QualityStatement)
            .where(QualityStatement.framework_id == framework_id)
            .order_by(QualityStatement.position)
        )
    )
