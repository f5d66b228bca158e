"""The deployment of docs/deployment.md, for real: gunicorn with two workers on a migrated
database, Debian's nginx in front of it with a self-signed certificate, and Chromium
installing the PWA over HTTPS.

Nothing may live in one worker's memory: login throttling and sessions must hold whichever
worker answers. For those tests gunicorn replaces each worker after one request, and its
access log records the pid of the worker that answered, so the tests show that no process
answered twice: nothing a process kept could have helped.

Marked `deployment`: `make test-deployment` runs it (once, from `make test`); the plain
SQLite leg leaves it out.
"""

import os
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.deployment import (
    BAD_LOGIN,
    BIN,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    ROOT,
    capture,
    log_in,
    run_gunicorn,
    run_nginx,
)

pytestmark = pytest.mark.deployment


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("deployment")


@pytest.fixture(scope="module")
def env(workdir):
    """The settings every worker gets, as in docs/deployment.md."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
    env.update(
        DATABASE_URL="sqlite:///" + str(workdir / "careloop.db"),
        SECRET_KEY="deployment-test-" + uuid.uuid4().hex,
        SESSION_COOKIE_SECURE="true",
        PUBLIC_URL="https://localhost",
        TRUSTED_PROXIES="1",
    )
    return env


@pytest.fixture(scope="module")
def people(workdir, env):
    """Migrate the database with `flask db upgrade`, then add a care home and two managers."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "server", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    from seed import factories as f
    from server import create_app
    from server.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(workdir / "instance"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        provider = f.make_provider("Brightwater Care")
        home = f.make_service(provider, "Ashdown House")
        emails = {}
        for who in ("locked", "steady"):
            emails[who] = f.make_user(
                provider, "registered_manager", home, email=f"{who}.manager@example.test"
            ).email
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return emails


@pytest.fixture(scope="module")
def cert(workdir) -> Path:
    """A self-signed certificate (and key) for localhost."""
    made = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-days",
            "2",
            "-keyout",
            str(workdir / "key.pem"),
            "-out",
            str(workdir / "cert.pem"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    return workdir / "cert.pem"


@pytest.fixture(scope="module")
def recycling(workdir, env, people, cert):
    """nginx before gunicorn whose two workers are each replaced after one request, so
    whatever a worker kept in memory is gone by the next request. Yields (url, cert, pids)."""
    options = ("--max-requests", "1", "--preload")  # preload: a new worker is a mere fork
    with (
        run_gunicorn(workdir, env, "recycling", *options) as (port, pids),
        run_nginx(workdir, cert, port) as url,
    ):
        yield url, str(cert), pids


@pytest.fixture(scope="module")
def steady(workdir, env, people, cert):
    """nginx before gunicorn with two long-lived workers, as in production."""
    with run_gunicorn(workdir, env, "steady") as (port, _), run_nginx(workdir, cert, port) as url:
        yield url


def test_login_throttling_counts_failures_across_workers(recycling, people):
    nginx, pids = recycling[:2], recycling[2]
    before = len(pids(0))
    for _ in range(5):
        _, r = log_in(nginx, people["locked"], "not the password")
        assert r.status_code == 401, r.text
        assert r.json()["error"]["message"] == BAD_LOGIN

    _, r = log_in(nginx, people["locked"], PASSWORD)

    assert r.status_code == 429, r.text
    assert r.json()["error"]["message"] == "Too many failed attempts. Try again in 5 minutes."
    answered = pids(before + 12)  # each login is two requests: the CSRF token, then the login
    assert len(answered) == before + 12
    assert len(set(answered)) == len(answered), "one worker process answered twice"


def test_session_holds_on_every_worker(recycling, people):
    nginx, pids = recycling[:2], recycling[2]
    before = len(pids(0))
    client, r = log_in(nginx, people["steady"], PASSWORD)
    assert r.status_code == 200, r.text
    cookie = next(c for c in client.cookies if c.name == "session")
    assert cookie.secure  # SESSION_COOKIE_SECURE=true: never sent over plain HTTP

    seen = []
    for _ in range(20):
        fresh = requests.Session()  # new connections every time, the session cookie only
        fresh.cookies.set_cookie(cookie)
        r = fresh.get(nginx[0] + "/api/v1/me", verify=nginx[1], timeout=10)
        seen.append((r.status_code, r.json().get("email")))

    assert seen == [(200, people["steady"])] * 20
    answered = pids(before + 22)
    assert len(answered) == before + 22
    assert len(set(answered)) == len(answered), "one worker process answered twice"


def test_hsts_is_sent_once_over_https(steady, cert):
    for path in ("/api/v1/health", "/no-such-page"):
        r = requests.get(steady + path, verify=str(cert), timeout=10)
        # Two headers would read "max-age=31536000, max-age=31536000" here.
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000", path


def test_logout_ends_the_session_on_every_worker(recycling, people):
    nginx = recycling[:2]
    client, r = log_in(nginx, people["steady"], PASSWORD)
    assert r.status_code == 200, r.text
    cookie = next(c for c in client.cookies if c.name == "session")
    r = client.post(
        nginx[0] + "/api/v1/auth/logout",
        headers={"X-CSRF-Token": r.json()["csrf_token"], "Referer": nginx[0] + "/"},
        verify=nginx[1],
        timeout=10,
    )
    assert r.status_code == 200, r.text

    seen = []
    for _ in range(5):
        copied = requests.Session()  # a copy of the cookie taken before the logout
        copied.cookies.set_cookie(cookie)
        seen.append(copied.get(nginx[0] + "/api/v1/me", verify=nginx[1], timeout=10).status_code)
    assert seen == [401] * 5


@pytest.mark.browser
def test_pwa_installs_over_https(steady, workdir):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make ensure-chromium`.")
    from playwright.sync_api import sync_playwright

    url = steady
    seen: dict = {}

    def drive():
        with sync_playwright() as p:
            # A real profile, not an incognito context: Chromium never installs apps in
            # incognito.
            ctx = p.chromium.launch_persistent_context(
                str(workdir / "chromium-profile"),
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                ignore_https_errors=True,
                service_workers="allow",
            )
            try:
                ctx.set_default_timeout(20_000)
                page = ctx.new_page()
                fetched = seen["fetched"] = []
                page.on("response", lambda r: fetched.append((r.url, r.status)))
                page.goto(url + "/")
                seen["secure"] = page.evaluate("window.isSecureContext")
                seen["scope"] = page.evaluate(
                    "navigator.serviceWorker.ready.then(r => r.active && r.scope)"
                )
                seen["workers"] = [w.url for w in ctx.service_workers]
                cdp = ctx.new_cdp_session(page)
                seen["manifest"] = cdp.send("Page.getAppManifest")
                seen["installable"] = cdp.send("Page.getInstallabilityErrors")
            finally:
                ctx.close()

    # Its own thread: the browser tests' session-wide Playwright keeps an event loop
    # running in this one, and the sync API refuses to start inside a running loop.
    errors = []
    worker = threading.Thread(target=lambda: capture(drive, errors))
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "Chromium did not finish within two minutes"
    if errors:
        raise errors[0]
    assert seen["secure"] is True
    scope, workers, fetched = seen["scope"], seen["workers"], seen["fetched"]
    manifest, installable = seen["manifest"], seen["installable"]

    assert scope == url + "/"
    assert workers == [url + "/sw.js"]
    assert (url + "/manifest.webmanifest", 200) in fetched
    assert manifest["url"] == url + "/manifest.webmanifest"
    assert manifest["errors"] == []
    assert '"start_url"' in manifest["data"]
    assert installable["installabilityErrors"] == []
