"""The ``app`` fixture: one app for the whole run, and each test starts on an empty database
with the app's settings and WSGI callable as the run began, whatever the test
before it changed. (The two tests that check the put-back run in this order, on one
pytest-xdist worker: `make test` sends each file whole to one worker, --dist loadfile.) Each
worker has a database of its own."""

import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from server.extensions import db
from server.providers.models import Provider

pytestmark = pytest.mark.db


def test_every_test_gets_the_one_app_of_the_run(app, session_app):
    assert app is session_app


def test_a_test_may_change_the_app_and_write_rows(app, world):
    app.config["LOGIN_MAX_FAILURES"] = 1
    app.config["LEFT_BEHIND"] = True
    app.wsgi_app = lambda environ, start_response: None
    app.test_client_class = None
    assert db.session.scalar(select(func.count()).select_from(Provider)) == 2


def test_the_next_test_finds_the_app_and_the_database_as_the_run_began(app, session_app, client):
    assert app.config["LOGIN_MAX_FAILURES"] == 5
    assert "LEFT_BEHIND" not in app.config
    assert client.get("/api/v1/health").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Provider)) == 0


def test_each_xdist_worker_has_a_database_of_its_own(session_app):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = make_url(session_app.config["SQLALCHEMY_DATABASE_URI"])
    given = os.environ.get("CARELOOP_TEST_DATABASE_URL")
    if given:
        base = make_url(given).database
        assert url.database == (f"{base}_{worker}" if worker else base)
    elif worker:
        # pytest gives each worker a temporary folder of its own (…/popen-gw0/…).
        assert f"popen-{worker}" in url.database
