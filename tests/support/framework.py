"""Helpers shared by the framework and evidence-pack tests: the framework tables outlive
each test, so each test starts and ends with saf-2023 alone.

pytest finds fixtures among a test module's globals: bind them there, for example
``only_saf_afterwards = shared.only_saf_afterwards``.
"""

import pytest
from sqlalchemy import delete

from server.extensions import db
from server.framework.models import Framework, QualityStatement, StatementMapping
from server.framework.services import DATA, DEFAULT_FRAMEWORK, load_framework
from server.log.models import entry_statement
from tests.support.findings import quick_passwords

__all__ = [
    "ensure_default_framework",
    "only_saf_afterwards",
    "quick_passwords",
    "remove_all_but_saf",
]


def ensure_default_framework() -> None:
    """Load the 34 statements of the single assessment framework if they are not there."""
    if db.session.get(Framework, DEFAULT_FRAMEWORK) is None:
        load_framework(DATA / f"{DEFAULT_FRAMEWORK}.json")


def remove_all_but_saf() -> None:
    """Drop every framework but saf-2023, with the tags on its statements."""
    db.session.rollback()
    db.session.execute(
        delete(entry_statement).where(~entry_statement.c.statement_id.like("saf-2023:%"))
    )
    db.session.execute(
        delete(StatementMapping).where(
            ~StatementMapping.to_id.like("saf-2023:%")
            | ~StatementMapping.from_id.like("saf-2023:%")
        )
    )
    db.session.execute(delete(QualityStatement).where(QualityStatement.framework_id != "saf-2023"))
    db.session.execute(delete(Framework).where(Framework.id != "saf-2023"))
    db.session.commit()


@pytest.fixture(autouse=True)
def only_saf_afterwards(app):
    """Start and end with saf-2023 alone (the demo seed may load the bundled draft)."""
    remove_all_but_saf()
    yield
    remove_all_but_saf()
