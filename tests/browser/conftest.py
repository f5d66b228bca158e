"""Browser-test fixtures: the real app on 127.0.0.1 (a werkzeug server in a thread, on a
copy of a SQLite database migrated once per run), Debian's Chromium driven by Playwright,
axe-core.

Never downloads a browser: Chromium comes from /usr/bin/chromium (`make ensure-chromium`).
"""

import shutil
from pathlib import Path

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PWA,
    TABLET,
    TABLET_LANDSCAPE,
    LiveServer,
    open_entry,
)
from tests.support.people import PASSWORD


def _register_web(app):
    # Until server/__init__.py registers the web blueprint itself.
    if "web" not in app.blueprints:
        from server.web.routes import web

        app.register_blueprint(web)


@pytest.fixture
def pwa_root(tmp_path):
    """A private copy of pwa/, so a test may publish a new release into it."""
    root = tmp_path / "pwa"
    shutil.copytree(PWA, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A SQLite database migrated once per run; each test serves a copy of it."""
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db

    path = tmp_path_factory.mktemp("browser-template") / "template.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(path),
            "SECRET_KEY": "browser-test",
            "INSTANCE_PATH": str(path.parent / "instance"),
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def live_app(tmp_path, pwa_root, template_db):
    from server import create_app
    from server.extensions import db

    database = tmp_path / "browser.db"
    shutil.copyfile(template_db, database)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(database),
            "SECRET_KEY": "browser-test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PWA_ROOT": str(pwa_root),
            # A cheap hash: the people of a test are made and signed in within seconds.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    _register_web(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def floor(live_app):
    """A provider, a care home, a senior carer with one open action, and its manager."""
    from seed import factories as f
    from server.extensions import db

    with live_app.app_context():
        provider = f.make_provider("Brightwater Care")
        home = f.make_service(provider, "Ashdown House")
        carer = f.make_user(
            provider, "senior_carer", home, name="Sam Carer", email="sam.carer@example.test"
        )
        other = f.make_user(
            provider, "care_worker", home, name="Alex Worker", email="alex.worker@example.test"
        )
        manager = f.make_user(
            provider,
            "registered_manager",
            home,
            name="Robin Manager",
            email="robin.manager@example.test",
        )
        entry = open_entry(
            manager,
            home,
            carer.id,
            concern="Call bells in the lounge were not answered within 5 minutes.",
            decision="Sam Carer to check call bell response times at lunchtime daily for a week.",
            evidence_needed="Call bell log for the week, checked against the rota.",
        )
        db.session.commit()

        class Floor:
            pass

        w = Floor()
        w.provider_id, w.service_id, w.entry_id = provider.id, home.id, entry.id
        w.carer = {"id": carer.id, "email": carer.email, "password": PASSWORD}
        w.other = {"id": other.id, "email": other.email, "password": PASSWORD}
        w.manager = {"id": manager.id, "email": manager.email, "password": PASSWORD}
        return w


@pytest.fixture
def server(live_app, floor):
    live = LiveServer(live_app)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make ensure-chromium` (never a browser download)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, server):
    ctx = browser.new_context(viewport=TABLET, base_url=server.url, service_workers="allow")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def desk(browser, server):
    """A new page at 1024x768; fails the test on any JavaScript error."""
    contexts = []

    def make():
        ctx = browser.new_context(
            viewport=TABLET_LANDSCAPE, base_url=server.url, service_workers="allow"
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return page

    yield make
    errors = [e for ctx in contexts for p in ctx.pages for e in p.js_errors]
    for ctx in contexts:
        ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
