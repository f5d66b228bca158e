"""Browser-test fixtures: the real app on 127.0.0.1 (a werkzeug server in a thread, on a
copy of a SQLite database migrated once per run), Debian's Chromium driven by Playwright,
axe-core.

Never downloads a browser: Chromium comes from /usr/bin/chromium (`make ensure-chromium`).
"""

import datetime as dt
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import pytest

PASSWORD = "correct horse battery"  # seed.factories.make_user default

CHROMIUM = os.environ.get("CARELOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABLET = {"width": 820, "height": 1180}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PWA = Path(__file__).resolve().parents[2] / "pwa"
BLOCKING_IMPACTS = ("serious", "critical")


class RequestLog:
    """WSGI middleware that counts every request reaching the server."""

    def __init__(self, app):
        self.app, self.paths, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.paths.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return self.app(environ, start_response)


class LiveServer:
    """The app served on 127.0.0.1; ``stop()`` makes it truly unreachable, ``start()`` brings it back."""

    def __init__(self, app):
        self.app = app
        self.log = RequestLog(app.wsgi_app)
        app.wsgi_app = self.log
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = self._thread = None

    def start(self):
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def requests(self):
        with self.log.lock:
            return list(self.log.paths)


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
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(path),
        "SECRET_KEY": "browser-test",
        "INSTANCE_PATH": str(path.parent / "instance"),
    })
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


def open_entry(manager, service, owner_id, **fields):
    """Create and open a medium-risk entry owned by ``owner_id``, due in a week (flushed)."""
    from server.audit.services import Actor
    from server.log import services as log

    actor = Actor(manager, "desk")
    entry = log.create_draft(
        actor,
        service,
        source="walkaround",
        risk="medium",
        owner_id=owner_id,
        due_date=dt.date.today() + dt.timedelta(days=7),
        **fields,
    )
    log.transition(actor, entry, "open", base_version=entry.version)
    return entry


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


def check_a11y(page, where: str):
    """Run axe-core on the screen; fail on any serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, so the page's strict CSP need not allow it.
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not bad, f"Accessibility problems on {where}:\n" + "\n".join(bad)


def log_in(page, who: dict):
    page.goto("/")
    page.get_by_label("Email address").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Log in", exact=True).click()
    # The landing screen: floor staff start at capture, desk roles and admins at My day.
    page.get_by_role("heading", name=re.compile(r"^(Record a walkaround finding|My day)$")).wait_for()


def wait_for_service_worker(page):
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || "
        "navigator.serviceWorker.ready.then(() => true)"
    )
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def go_offline(context, server):
    """Make the server unreachable: stop it, and abort (and count) anything still tried."""
    tried = []

    def abort(route):
        tried.append(route.request.url)
        route.abort("internetdisconnected")

    context.route(f"{server.url}/**", abort)
    server.stop()
    context.set_offline(True)
    return tried


def go_online(context, server):
    server.start()
    context.unroute(f"{server.url}/**")
    context.set_offline(False)


SYNC_NOW = """async () => {
  const sync = await import('/js/sync.js');
  await sync.syncNow();   // may join a run that started before the last change...
  await sync.syncNow();   // ...so run once more from the start
  return sync.getState();
}"""


def sync_now(page) -> dict:
    """Run the app's own sync to the end (the module the app uses) and return its state."""
    return page.evaluate(SYNC_NOW)


class Desk:
    """A manager at the desk, speaking the REST API to the same app and database."""

    def __init__(self, app, who: dict):
        self.client = app.test_client()
        token = self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        r = self.client.post(
            "/api/v1/auth/login",
            json={"email": who["email"], "password": who["password"]},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200, r.get_json()
        self.token = r.get_json()["csrf_token"]

    def get(self, path: str) -> dict:
        r = self.client.get("/api/v1" + path)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def post(self, path: str, body: dict) -> dict:
        r = self.client.post("/api/v1" + path, json=body, headers={"X-CSRF-Token": self.token})
        assert r.status_code in (200, 201), r.get_json()
        return r.get_json()


def db_query(app, fn):
    """Run ``fn(db)`` in an app context on the server's database and return its result."""
    from server.extensions import db

    with app.app_context():
        try:
            return fn(db)
        finally:
            db.session.remove()


def make_provider_user(app, floor, role: str, name: str, email: str) -> dict:
    """Add a provider-wide person (no service) to the floor's provider; return their login."""
    from seed import factories as f
    from server.providers.models import Provider

    def make(db):
        provider = db.session.get(Provider, floor.provider_id)
        user = f.make_user(provider, role, None, name=name, email=email)
        db.session.commit()
        return {"id": user.id, "email": user.email, "password": PASSWORD}

    return db_query(app, make)
