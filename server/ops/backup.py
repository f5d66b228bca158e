"""Back up and restore the whole database: SQLite's online backup API, or pg_dump/pg_restore."""

import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from sqlalchemy.engine import URL

from server.extensions import db


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


def backup(path: str | os.PathLike) -> str:
    """Write a copy of the database to ``path``; return a one-line summary."""
    url = db.engine.url
    target = Path(path)
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
    _create_private(target)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_file(url), target)
        else:
            _run(
                pg_tool("pg_dump"),
                *_pg_args(url),
                "--format=custom",
                f"--file={target}",
                env=_pg_env(url),
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return f"Backed up {url.render_as_string(hide_password=True)} to {target}."


def _create_private(target: Path) -> None:
    """Create the empty backup file readable by its owner only (0600), whatever the umask:
    SQLite and pg_dump then write into it and keep its mode."""
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError as exc:
        raise BackupError(f"{target} already exists; choose a new file name.") from exc
    except OSError as exc:
        raise BackupError(f"{target} cannot be created: {exc.strerror}.") from exc


def restore(path: str | os.PathLike) -> str:
    """Replace the database's contents with the backup at ``path``; return a summary."""
    url = db.engine.url
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file.")
    # Our own pooled connections would hold locks that the restore must take.
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, _sqlite_file(url))
    elif url.get_backend_name() == "postgresql":
        _run(
            pg_tool("pg_restore"),
            *_pg_args(url),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
            env=_pg_env(url),
        )
    else:
        raise BackupError(f"Restores of {url.get_backend_name()} databases are not supported.")
    return f"Restored {url.render_as_string(hide_password=True)} from {source}."


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy page by page with the online backup API: safe while the app is writing."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        if not _is_sqlite(src):
            raise BackupError(f"{source} is not an SQLite database.")
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _is_sqlite(connection: sqlite3.Connection) -> bool:
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def pg_tool(name: str) -> str:
    """Find a PostgreSQL client tool: on PATH, else in Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    raise BackupError(
        f"{name} was not found: install the PostgreSQL client tools (Debian: postgresql-client)."
    )


def _version_key(folder: str) -> tuple:
    name = Path(folder).parent.name
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _pg_args(url: URL) -> list[str]:
    """Pass the URL's parts, not the URL: the password goes through the environment."""
    args = [f"--dbname={url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    return args + ["--no-password"]


def _pg_env(url: URL) -> dict:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run(*command: str, env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.stdout.strip()}")
