"""Load framework versions from JSON files: statements are data, not code."""

import json
from collections import Counter
from pathlib import Path

from server.errors import Invalid, NotFound
from server.extensions import db
from server.framework.models import Framework, QualityStatement, StatementMapping

DATA = Path(__file__).parent / "data"
DEFAULT_FRAMEWORK = "saf-2023"
FORMAT = "careloop-framework/1"
# The versions shipped in data/, oldest first: a later file maps from an earlier one.
BUNDLED = (DEFAULT_FRAMEWORK, "asc-2026-draft")


STATEMENT_KEYS = ("id", "framework_id", "key_question", "code", "title", "description")


def statement_id(framework_id: str, code: str) -> str:
    return f"{framework_id}:{code}"


def load_framework(path) -> Framework:
    """Load or update a framework version and its mapping; the format is docs/frameworks.md."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise Invalid(
            f"The framework file is not valid JSON: {exc}.", {"_file": "Not JSON."}
        ) from exc
    check_document(doc)
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


def ensure_bundled_frameworks() -> list[str]:
    """Load every framework version shipped in data/ that is not loaded yet; return their ids."""
    loaded = []
    for framework_id in BUNDLED:
        if db.session.get(Framework, framework_id) is None:
            loaded.append(load_framework(DATA / f"{framework_id}.json").id)
    return loaded


def get_framework(framework_id: str) -> Framework:
    """Return a loaded framework version, or NotFound naming ``framework``."""
    framework = db.session.get(Framework, framework_id)
    if framework is None:
        raise NotFound(
            f"There is no framework {framework_id}.", {"framework": "No framework has this id."}
        )
    return framework


def mapping_into(framework_id: str) -> dict[str, list[str]]:
    """For each statement of another version, the statements of ``framework_id`` it maps to.

    The mapping is read both ways: a newer version's file maps from older statements, and
    an entry tagged with a newer statement is placed under the older ones it came from.
    """
    prefix = statement_id(framework_id, "")
    out: dict[str, set[str]] = {}
    for mapping in db.session.scalars(db.select(StatementMapping)):
        if mapping.to_id.startswith(prefix) and not mapping.from_id.startswith(prefix):
            out.setdefault(mapping.from_id, set()).add(mapping.to_id)
        elif mapping.from_id.startswith(prefix) and not mapping.to_id.startswith(prefix):
            out.setdefault(mapping.to_id, set()).add(mapping.from_id)
    return {key: sorted(value) for key, value in out.items()}


def statements(framework_id: str = DEFAULT_FRAMEWORK) -> list[QualityStatement]:
    return list(
        db.session.scalars(
            db.select(QualityStatement)
            .where(QualityStatement.framework_id == framework_id)
            .order_by(QualityStatement.position)
        )
    )


def _text(value, field: str, max_length: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"The framework file needs {field}.", {field: "Required text."})
    if len(value) > max_length:
        raise Invalid(
            f"{field} is longer than {max_length} characters.",
            {field: f"At most {max_length} characters."},
        )


def check_document(doc) -> None:
    """Raise Invalid naming the first part of a framework file that is missing or wrong."""
    if not isinstance(doc, dict):
        raise Invalid("A framework file holds one JSON object.", {"_file": "Not an object."})
    if doc.get("format") != FORMAT:
        raise Invalid(f"Framework files must declare format {FORMAT}.", {"format": "Unknown."})
    _text(doc.get("id"), "id", 40)
    _text(doc.get("name"), "name", 200)
    items = doc.get("statements")
    if not isinstance(items, list) or not items:
        raise Invalid("The framework needs a list of statements.", {"statements": "Required."})
    allowed = doc.get("key_questions")
    codes: set[str] = set()
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        for name, limit in (("code", 20), ("key_question", 20), ("title", 200)):
            _text(item.get(name), f"statements.{index}.{name}", limit)
        if allowed and item["key_question"] not in allowed:
            raise Invalid(
                f"Statement {item['code']} names an undeclared key question.",
                {f"statements.{index}.key_question": f"One of: {', '.join(allowed)}."},
            )
        if item["code"] in codes:
            raise Invalid(
                f"Statement code {item['code']} is used twice.",
                {f"statements.{index}.code": "Used twice."},
            )
        codes.add(item["code"])
    for index, item in enumerate(doc.get("mapping") or []):
        item = item if isinstance(item, dict) else {}
        if item.get("to") not in codes:
            raise Invalid(
                "Each mapping item maps to a code of this framework.",
                {f"mapping.{index}.to": "Not a statement code of this framework."},
            )
        if db.session.get(QualityStatement, str(item.get("from"))) is None:
            raise Invalid(
                "Each mapping item maps from a statement already loaded.",
                {f"mapping.{index}.from": "No statement has this id."},
            )


def frameworks() -> list[dict]:
    """Every loaded framework version with its statement count per key question."""
    out = []
    for framework in db.session.scalars(db.select(Framework).order_by(Framework.id)):
        per_question = Counter(s.key_question for s in statements(framework.id))
        out.append(
            {
                "id": framework.id,
                "name": framework.name,
                "published": framework.published,
                "statement_count": sum(per_question.values()),
                "key_questions": dict(per_question),
            }
        )
    return out


def statements_of(framework_id: str) -> dict:
    """A framework's statements in order, each with the statements mapped to or from it."""
    get_framework(framework_id)
    mappings = list(db.session.scalars(db.select(StatementMapping)))
    items = []
    for statement in statements(framework_id):
        items.append(
            {
                **{key: getattr(statement, key) for key in STATEMENT_KEYS},
                "maps_from": sorted(m.from_id for m in mappings if m.to_id == statement.id),
                "maps_to": sorted(m.to_id for m in mappings if m.from_id == statement.id),
            }
        )
    return {"framework": framework_id, "items": items}
