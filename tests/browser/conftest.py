"""Browser-test fixtures: the real app on 127.0.0.1 (a werkzeug server in a thread, with a
temporary migrated SQLite database), Debian's Chromium driven by Playwright, axe-core.

Never downloads a browser: Chromium comes from /usr/bin/chromium (`make ensure-chromium`).
"""

import datetime as dt
import os
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


@pytest.fixture
def live_app(tmp_path, pwa_root):
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "browser.db"),
            "SECRET_KEY": "browser-test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PWA_ROOT": str(pwa_root),
        }
    )
    _register_web(app)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def floor(live_app):
    """A provider, a care home, a senior carer with one open action, and its manager."""
    from seed import factories as f
    from server.audit.services import Actor
    from server.extensions import db
    from server.log import services as log

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
        actor = Actor(manager, "desk")
        entry = log.create_draft(
            actor,
            home,
            concern="Call bells in the lounge were not answered within 5 minutes.",
            source="walkaround",
            risk="medium",
            decision="Sam Carer to check call bell response times at lunchtime daily for a week.",
            owner_id=carer.id,
            due_date=dt.date.today() + dt.timedelta(days=7),
            evidence_needed="Call bell log for the week, checked against the rota.",
        )
        log.transition(actor, entry, "open", base_version=entry.version)
        db.session.commit()

        class Floor:
            pass

        w = Floor()
        w.service_id, w.entry_id = home.id, entry.id
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
    page.get_by_role("heading", name="Record a walkaround finding").wait_for()


def wait_for_service_worker(page):
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || "
        "navigator.serviceWorker.ready.then(() => true)"
    )
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


class FakeSync:
    """Answers /api/v1/sync/* in the browser as docs/sync-protocol.md describes, for tests of
    the client alone (what it sends, what it does with each result). Real sync is tested
    against the server's own endpoints."""

    def __init__(self, context, server, reject=lambda mutation: None, changes=()):
        self.pushes, self.reject, self.changes = [], reject, list(changes)
        self.device_id = "3f0c4c1e-6a43-4c1b-9a8c-0d7f6c2f0a11"
        context.route(f"{server.url}/api/v1/sync/**", self._handle)

    def _handle(self, route):
        import json
        from urllib.parse import urlparse

        path = urlparse(route.request.url).path
        if path.endswith("/devices"):
            return route.fulfill(json={"device_id": self.device_id}, status=201)
        if path.endswith("/pull"):
            cursor = int(
                dict(
                    p.split("=", 1)
                    for p in urlparse(route.request.url).query.split("&")
                    if "=" in p
                ).get("cursor", 0)
            )
            page = [c for c in self.changes if c["change_seq"] > cursor]
            return route.fulfill(
                json={
                    "changes": page,
                    "has_more": False,
                    "next_cursor": max([cursor] + [c["change_seq"] for c in page]),
                }
            )
        body = json.loads(route.request.post_data or "{}")
        self.pushes.append(body)
        results = []
        for m in body.get("mutations", []):
            reason = self.reject(m)
            if reason:
                results.append(
                    {
                        "status": "rejected",
                        "mutation_id": m["mutation_id"],
                        "code": "invalid",
                        "reason": reason,
                        "fields": {},
                        "rule": None,
                        "retry": False,
                    }
                )
            else:
                results.append(
                    {
                        "status": "applied",
                        "mutation_id": m["mutation_id"],
                        "entity_type": m["entity_type"],
                        "entity_id": m["entity_id"],
                        "version": 1,
                        "fields": sorted(m.get("changes", {})),
                    }
                )
        return route.fulfill(json={"results": results})


def entry_change(app, entry_id) -> dict:
    """The pull change of one log entry, as the server's REST API dumps it."""
    from server.extensions import db
    from server.log.models import LogEntry
    from server.log.schemas import dump_entry

    with app.app_context():
        entry = db.session.get(LogEntry, entry_id)
        record = dump_entry(entry)
        change = {
            "entity_type": "log_entry",
            "id": str(entry.id),
            "change_seq": entry.change_seq,
            "version": entry.version,
            "deleted": False,
            "record": record,
        }
        db.session.remove()
        return change
