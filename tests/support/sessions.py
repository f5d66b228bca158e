"""Separate browsers for the session tests: each request in its own app context, as on a
real server, and a way to copy one browser's cookie into another (what a thief does)."""

import pyotp
import pytest
from flask.testing import FlaskClient

from tests.support.people import PASSWORD


class Browser(FlaskClient):
    """A browser that sends the CSRF token it was given, each request in its own context
    (flask-login and flask-wtf cache the user and the token in ``g``)."""

    csrf_token = None

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if method not in ("GET", "HEAD", "OPTIONS") and self.csrf_token:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", self.csrf_token)
            kwargs["headers"] = headers
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def browser(app):
    """Return a new browser: ``browser()`` is blank, ``browser(user)`` has signed in."""

    def _browser(user=None, password=PASSWORD):
        b = Browser(app, app.response_class, use_cookies=True)
        with b.application.app_context():
            b.csrf_token = FlaskClient.open(b, "/api/v1/auth/csrf").get_json()["csrf_token"]
        if user is not None:
            r = b.post("/api/v1/auth/login", json={"email": user.email, "password": password})
            assert r.status_code == 200, r.get_json()
            b.csrf_token = r.get_json()["csrf_token"]
        return b

    return _browser


def copy_of(b: Browser, app) -> Browser:
    """A second browser holding the same cookie (and token): a copied session."""
    thief = Browser(app, app.response_class, use_cookies=True)
    cookie = b.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    thief.set_cookie(cookie.key, cookie.value)
    thief.csrf_token = b.csrf_token
    return thief


def register(b: Browser, installation: str) -> str:
    r = b.post(
        "/api/v1/sync/devices",
        json={"installation_id": installation, "label": "Tablet", "protocol_version": 1},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


def pull(b: Browser, device_id: str, **kwargs):
    return b.get(f"/api/v1/sync/pull?device_id={device_id}&cursor=0&protocol_version=1", **kwargs)


def enrol(b) -> tuple[str, list[str]]:
    """Set up two-step sign-in in browser ``b``; return the secret and the recovery codes."""
    r = b.post("/api/v1/me/second-factor/setup")
    assert r.status_code == 200, r.get_json()
    setup = r.get_json()
    assert setup["otpauth_uri"] == pyotp.TOTP(setup["secret"]).provisioning_uri(
        name=b.get("/api/v1/me").get_json()["email"], issuer_name="Careloop"
    )
    assert setup["qr_svg"].startswith("data:image/svg+xml")
    r = b.post("/api/v1/me/second-factor/confirm", json={"code": pyotp.TOTP(setup["secret"]).now()})
    assert r.status_code == 200, r.get_json()
    b.csrf_token = r.get_json()["csrf_token"]
    return setup["secret"], r.get_json()["recovery_codes"]
