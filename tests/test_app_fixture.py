"""The ``app`` fixture: one app for the whole run, and each test starts on an empty database
with the app's settings and WSGI callable as the run began, whatever the test
before it changed. (The two tests that check the put-back run in this order.)"""

import pytest
from sqlalchemy import func, select

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
