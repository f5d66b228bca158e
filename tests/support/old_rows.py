"""Rows for a database at an older migration, made with today's factories.

The factories insert every column today's models have; a database upgraded only to an old
revision lacks the columns later migrations add. So the rows are made in a scratch database
at head, then copied into the old one, column by column where the old table has them (the
later columns take their migration's server default when the upgrade adds them).
"""

from sqlalchemy import inspect, text

from server import create_app
from server.extensions import db


def scratch_app(path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(path.parent / "scratch-instance"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


def copy_rows(scratch_path, tables: list[str]) -> None:
    """Copy ``tables`` (parents first) from the scratch database into the current app's,
    keeping the columns the current database has."""
    old = inspect(db.engine)
    with db.engine.connect() as conn:  # ATTACH holds for this connection only
        conn.execute(text("ATTACH DATABASE :path AS scratch"), {"path": str(scratch_path)})
        for table in tables:
            names = ", ".join(f'"{c["name"]}"' for c in old.get_columns(table))
            conn.execute(
                text(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM scratch."{table}"')
            )
        conn.commit()
        conn.execute(text("DETACH DATABASE scratch"))
