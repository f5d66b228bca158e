"""The app factory, health, security headers, settings."""

import os

import pytest

from server import create_app


@pytest.mark.db
def test_health_reports_database_and_schema_revision(client):
    body = client.get("/api/v1/health").get_json()
    assert body == {
        "status": "ok",
        "database": "reachable",
        "schema_revision": "0014_jobs",
    }


@pytest.mark.db
def test_security_headers_on_every_response(client):
    for path in ("/api/v1/health", "/api/v1/nowhere"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.db
def test_unknown_route_answers_in_the_error_shape(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_secret_key_is_generated_into_instance_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").read_text() == first.config["SECRET_KEY"]


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:1/x")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:1/x"
    assert app.config["SECRET_KEY"] == "from-env"


@pytest.mark.db
def test_login_me_logout(client, world, login):
    user = world.users["registered_manager"]
    login(user)
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == user.email
    assert me["memberships"] == [{"role": "registered_manager", "service_id": str(world.home.id)}]
    assert client.post("/api/v1/auth/logout").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.db
def test_writes_without_csrf_token_are_refused(client, world):
    user = world.users["registered_manager"]
    response = client.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": "correct horse battery"},
        csrf=False,
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf"


@pytest.mark.db
def test_session_cookie_is_httponly_and_lax(client, world, login):
    login(world.users["care_worker"])
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.db
def test_repeated_failed_logins_lock_the_account(client, world, app):
    user = world.users["senior_carer"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        r = client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong"})
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"}
    )
    assert r.status_code == 429
    assert "Too many failed attempts" in r.get_json()["error"]["message"]


@pytest.mark.db
def test_migrations_build_exactly_the_schema_the_models_describe(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from server.extensions import db
    from server.log.search import include_object  # the search index: migration 0005 only

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.mark.parametrize(
    ("public_url", "explicit", "secure"),
    [
        ("https://careloop.example.org", None, True),
        ("http://127.0.0.1:5000", None, False),
        ("https://careloop.example.org", "false", False),
        ("http://127.0.0.1:5000", "true", True),
    ],
)
def test_cookies_are_https_only_when_the_site_is_published_over_https(
    tmp_path, monkeypatch, public_url, explicit, secure
):
    monkeypatch.setenv("PUBLIC_URL", public_url)
    if explicit is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", explicit)
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is secure


def test_database_under_test_is_the_one_asked_for(app):
    from sqlalchemy import text

    from server.extensions import db

    asked = os.environ.get("CARELOOP_TEST_DATABASE_URL", "sqlite://")
    expected = "postgresql" if asked.startswith("postgres") else "sqlite"
    assert db.engine.dialect.name == expected
    assert db.session.execute(text("SELECT 1")).scalar() == 1
