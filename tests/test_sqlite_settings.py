"""SQLite is set up for a server: foreign keys on, WAL, a busy timeout (not a db-leg test:
it makes its own SQLite file whichever database the suite runs on)."""

from server import create_app
from server.extensions import db


def test_sqlite_has_foreign_keys_wal_and_busy_timeout(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
        }
    )
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        db.engine.dispose()
