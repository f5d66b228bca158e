"""Test fixtures: a migrated database (SQLite file, or PostgreSQL when
CARELOOP_TEST_DATABASE_URL is set), one app for the whole run that each test gets on a clean
database with its own settings, and helpers."""

import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

import tests.support.hypothesis_profiles  # noqa: F401  (registers and loads the Hypothesis profile)
from server import create_app
from server.extensions import db
from tests.support.cleaning import empty_tables
from tests.support.people import PASSWORD
from tests.support.workers import worker_database


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The run's database. Under pytest-xdist each worker has its own: a SQLite file in the
    worker's temporary folder, or a database of its own on the one PostgreSQL cluster."""
    url = os.environ.get("CARELOOP_TEST_DATABASE_URL")
    if url:
        return worker_database(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "careloop-test.db")


@pytest.fixture(scope="session")
def _migrated(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        db.engine.dispose()
    return database_url


def _clean(app):
    with app.app_context():
        db.session.rollback()
        empty_tables()
        # The 2023 statements are kept (migration 0001 loads them); any other framework
        # version a test or the demo loaded goes, so that each test starts the same.
        db.session.execute(text("DELETE FROM statement_mapping"))
        db.session.execute(text("DELETE FROM quality_statement WHERE framework_id <> 'saf-2023'"))
        db.session.execute(text("DELETE FROM framework WHERE id <> 'saf-2023'"))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def session_app(_migrated, tmp_path_factory):
    """The one app of the run. Tests take ``app``, which puts back what a test changed."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


class _Saved:
    """What a test may change on the shared app: its settings, the WSGI callable (a test
    that trusts proxies wraps it) and the test client class. (Flask refuses new request
    hooks once the app has served a request.)"""

    def __init__(self, app):
        self.config = dict(app.config)
        self.wsgi_app = app.wsgi_app
        self.test_client_class = app.test_client_class

    def restore(self, app):
        app.config.clear()
        app.config.update(self.config)
        app.wsgi_app = self.wsgi_app
        app.test_client_class = self.test_client_class


@pytest.fixture
def app(session_app):
    saved = _Saved(session_app)
    ctx = session_app.app_context()
    ctx.push()
    yield session_app
    db.session.remove()
    ctx.pop()
    saved.restore(session_app)
    _clean(session_app)


class ApiClient(FlaskClient):
    """A test client that sends JSON and the CSRF token the way the PWA does."""

    csrf_token = None

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if method not in ("GET", "HEAD", "OPTIONS") and kwargs.pop("csrf", True):
            if self.csrf_token is None:
                self.csrf_token = super().open("/api/v1/auth/csrf").get_json()["csrf_token"]
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", self.csrf_token)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = ApiClient
    return app.test_client()


@pytest.fixture
def world(app):
    """A provider with two services, a second provider, and a user for every role."""
    from seed import factories as f
    from server.accounts.permissions import PROVIDER_ROLES, ROLES

    provider = f.make_provider("Brightwater Care")
    home = f.make_service(provider, "Ashdown House")
    other = f.make_service(provider, "Beech Court")
    rival = f.make_provider("Elsewhere Care Ltd")
    rival_service = f.make_service(rival, "Elsewhere Lodge")
    users = {
        role: f.make_user(provider, role, None if role in PROVIDER_ROLES else home)
        for role in ROLES
    }
    db.session.commit()

    class World:
        pass

    w = World()
    w.provider, w.home, w.other, w.rival, w.rival_service, w.users = (
        provider,
        home,
        other,
        rival,
        rival_service,
        users,
    )
    return w


@pytest.fixture
def login(client):
    """Log the test client in as a user; returns the client."""

    def _login(user, password=PASSWORD):
        response = client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": password}
        )
        assert response.status_code == 200, response.get_json()
        client.csrf_token = response.get_json()["csrf_token"]
        return client

    return _login
