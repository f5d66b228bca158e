"""What leaves the app's hands is private (issue 13, point 8): the SQLite file with its WAL
and shared-memory files, backups and subject-access files are readable by their owner
only, whatever the umask; and a site published over HTTPS tells browsers to stay on it."""

import os
import sqlite3
import stat

import pytest
from sqlalchemy import text

from server import create_app
from server.extensions import db


@pytest.fixture
def usual_umask():
    """The umask most servers run with, under which new files are world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def sqlite_app(tmp_path, path):
    return create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )


def test_a_new_sqlite_database_and_its_wal_and_shm_files_are_private(tmp_path, usual_umask):
    path = tmp_path / "careloop.db"
    app = sqlite_app(tmp_path, path)
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
        files = [path, tmp_path / "careloop.db-wal", tmp_path / "careloop.db-shm"]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    with app.app_context():
        db.engine.dispose()


def test_a_database_an_older_release_left_readable_is_made_private(tmp_path, usual_umask):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    app = sqlite_app(tmp_path, path)
    assert mode(path) == 0o600
    with app.app_context():
        db.engine.dispose()


@pytest.mark.db
def test_a_backup_is_private(app, tmp_path, usual_umask):
    target = tmp_path / "careloop.backup"
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600 and target.stat().st_size > 0


@pytest.mark.db
def test_a_subject_access_file_is_private(app, world, tmp_path, usual_umask):
    outfile, email = tmp_path / "person.json", world.users["care_worker"].email
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["subject-access", email, str(outfile)])
    assert result.exit_code == 0, result.output
    assert mode(outfile) == 0o600


@pytest.mark.parametrize(
    ("public_url", "hsts"),
    [
        ("https://careloop.example.org", "max-age=31536000"),
        ("http://127.0.0.1:5000", None),
    ],
)
def test_hsts_is_sent_when_the_site_is_published_over_https(app, client, public_url, hsts):
    app.config["PUBLIC_URL"] = public_url
    assert client.get("/api/v1/auth/csrf").headers.get("Strict-Transport-Security") == hsts


def test_the_generated_secret_key_is_private_from_the_moment_it_exists(tmp_path, usual_umask):
    from server.config import instance_secret

    created = []
    real_open = os.open

    def watching_open(path, flags, mode=0o777, *args, **kwargs):
        fd = real_open(path, flags, mode, *args, **kwargs)
        if str(path).endswith("secret_key") and flags & os.O_CREAT:
            created.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", watching_open)
        key = instance_secret(str(tmp_path / "instance"))
    assert len(key) == 64
    assert created == [0o600]  # never 0644 for a moment, whatever the umask
    assert mode(tmp_path / "instance" / "secret_key") == 0o600
