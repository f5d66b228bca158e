"""What the browser tests share: the live server, sign-in, going offline, sync, axe-core,
the desk over REST, database reads, and the screens' common steps. The fixtures that build
these are in tests/browser/conftest.py."""

import datetime as dt
import os
import re
import socket
import threading
from pathlib import Path

from playwright.sync_api import expect

from tests.support.people import PASSWORD

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
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
AXE = Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe.min.js"
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
    page.get_by_role(
        "heading", name=re.compile(r"^(Record a walkaround finding|My day)$")
    ).wait_for()


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


def drop_area(server, floor, area: str) -> None:
    """The office takes ``area`` off the floor's service: a finding queued for it offline is
    then refused when it arrives."""
    from server.providers.models import Service

    def drop(db):
        service = db.session.get(Service, floor.service_id)
        service.areas = [a for a in service.areas if a != area]
        db.session.commit()

    db_query(server.app, drop)


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


def check_a11y_from_top(page, where):
    """axe-core on the screen scrolled to the top: scrolled, the app's sticky status strip
    covers the side menu's first links, which axe reports as targets too small."""
    page.evaluate("window.scrollTo(0, 0)")
    check_a11y(page, where)


# Keep every toast shown from now on, one per line, in the page's data-test-toasts attribute
# (the app shows one toast at a time): Playwright's own expect then waits for it, where a
# polled JavaScript predicate would be evaluated as a string, which the app's CSP refuses.
WATCH_TOASTS = """() => {
  const toast = document.getElementById('toast');
  const root = document.documentElement;
  root.dataset.testToasts = '';
  window.__toastWatch?.disconnect();
  window.__toastWatch = new MutationObserver(() => {
    if (toast.classList.contains('show')) root.dataset.testToasts += `${toast.textContent}\\n`;
  });
  window.__toastWatch.observe(toast, { attributes: true, childList: true, characterData: true });
}"""


def record_finding(page, area, seen, risk, follow_up):
    page.get_by_label("Area or routine").select_option(area)
    page.get_by_label("What did you see?").fill(seen)
    page.get_by_label("What did you do on the spot?").fill("Told the senior on shift.")
    page.get_by_role("group", name="Risk").get_by_text(risk, exact=True).click()
    page.get_by_role("group", name="Is follow-up needed?").get_by_text(
        follow_up, exact=True
    ).click()
    page.get_by_label("People supported involved").fill("R-1042")
    page.evaluate(WATCH_TOASTS)
    page.get_by_role("button", name="Save finding").click()
    # Saved when the form is emptied for the next one, and this save said "Saved." (the
    # toasts shown since the click are kept: a toast stays 4 s, which a test run on a busy
    # machine can miss between two looks; one still on screen may be the last save's).
    expect(page.get_by_label("What did you see?")).to_have_value("")
    expect(page.locator("html")).to_have_attribute("data-test-toasts", re.compile(r"(^|\n)Saved\."))
