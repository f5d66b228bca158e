"""Backups: `flask --app server backup PATH` then `restore PATH --yes` bring back every row
of every table exactly as it was at backup time, on SQLite and on PostgreSQL."""

import uuid
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update

from seed import demo
from server.accounts.models import User
from server.audit.models import AuditEvent
from server.common.types import utcnow
from server.extensions import db
from server.findings.models import Finding
from server.log.models import Note
from server.providers.models import Provider

pytestmark = pytest.mark.db

DAY = date(2026, 3, 4)


def every_table() -> dict[str, list[tuple]]:
    """Every row of every table (and Alembic's version), ordered by primary key."""
    state = {}
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        state[table.name] = [tuple(row) for row in db.session.execute(query)]
    state["alembic_version"] = [
        tuple(row)
        for row in db.session.execute(
            text("SELECT version_num FROM alembic_version ORDER BY version_num")
        )
    ]
    db.session.commit()
    return state


def invoke(app, *args):
    db.session.remove()  # the command must not wait on a transaction of ours
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="module")
def demo_rows(session_app):
    """The demo, built once for the module: every row of every table, as built."""
    with session_app.app_context():
        demo.build(DAY)
        db.session.commit()
        rows = {
            table: [dict(row._mapping) for row in db.session.execute(select(table))]
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return rows


@pytest.fixture
def demo_data(app, demo_rows):
    """The database holding exactly the demo's rows (and its sequences where the next id)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    for table in db.metadata.sorted_tables:
        if demo_rows[table]:
            db.session.execute(table.insert(), demo_rows[table])
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            column = table.autoincrement_column
            if column is not None:
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE(MAX({column.name}), 0) + 1, false) FROM {table.name}"
                    )
                )
    db.session.commit()


def test_round_trip_restores_every_table(app, demo_data, tmp_path):
    at_backup = every_table()
    assert len(at_backup["finding"]) > 100 and len(at_backup["audit_event"]) > 1000
    target = tmp_path / "careloop.backup"

    result = invoke(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert f"to {target}." in result.output and target.stat().st_size > 0

    # After the backup: rows changed, deleted and added.
    db.session.execute(update(User).values(display_name="Renamed"))
    db.session.execute(delete(AuditEvent).where(AuditEvent.action == "create"))
    db.session.execute(delete(Note))
    finding = db.session.scalars(select(Finding).order_by(Finding.id)).first()
    finding.description = "Changed after the backup"
    db.session.commit()
    assert every_table() != at_backup

    result = invoke(app, "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert f"from {target}." in result.output
    restored = every_table()
    for name, rows in at_backup.items():
        assert restored[name] == rows, name
    assert restored.keys() == at_backup.keys()


def test_restore_refuses_without_yes_and_changes_nothing(app, demo_data, tmp_path):
    target = tmp_path / "careloop.backup"
    assert invoke(app, "backup", str(target)).exit_code == 0
    db.session.execute(delete(Note))
    db.session.commit()
    before = every_table()

    result = invoke(app, "restore", str(target))
    assert result.exit_code == 1
    assert (
        "Error: Restoring replaces everything in the database with the backup. "
        "Stop the app, then run the command again with --yes."
    ) in result.output
    assert every_table() == before and before["note"] == []


def test_backup_never_overwrites_a_file(app, tmp_path):
    target = tmp_path / "existing.backup"
    target.write_text("keep me")
    result = invoke(app, "backup", str(target))
    assert result.exit_code == 1
    assert f"Error: {target} already exists; choose a new file name." in result.output
    assert target.read_text() == "keep me"


def test_restore_of_a_missing_file_says_so(app, tmp_path):
    result = invoke(app, "restore", str(tmp_path / "nothing.backup"), "--yes")
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'nothing.backup'} is not a backup file." in result.output


def test_backup_runs_while_another_connection_is_writing(app, demo_data, tmp_path):
    at_backup = every_table()
    target = tmp_path / "careloop.backup"
    with db.engine.connect() as writer:
        # An app worker in the middle of a write: its transaction is open, not committed.
        writer.execute(
            Provider.__table__.insert().values(
                id=uuid.uuid4(), name="Half-written", thresholds={}, created_at=utcnow()
            )
        )
        result = invoke(app, "backup", str(target))
        assert result.exit_code == 0, result.output
        writer.rollback()

    assert invoke(app, "restore", str(target), "--yes").exit_code == 0
    restored = every_table()
    assert restored == at_backup
    assert "Half-written" not in {row[1] for row in restored["provider"]}
