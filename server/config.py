"""Settings: defaults, then the environment, then the mapping passed to create_app."""

import json
import os
import secrets
from pathlib import Path

DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRF-Token"],
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_SECONDS": 300,
    # Failed logins from one client address (any accounts) before it is locked for
    # LOGIN_LOCK_SECONDS: high, as a care home's tablets share one public address.
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    # How many reverse proxies in front of the app set X-Forwarded-For (0: none; the
    # client address is the connection's own).
    "TRUSTED_PROXIES": 0,
    "API_MAX_PER_PAGE": 200,
    # A tablet's device credential (server/accounts/credentials.py): a reply carries its next
    # token at most this often, and the token it replaced stays good this long.
    "DEVICE_CREDENTIAL_ROTATE_SECONDS": 60,
    "DEVICE_CREDENTIAL_GRACE_SECONDS": 3600,
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "careloop@localhost",
    "MAIL_TIMEOUT": 30,
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "TESTING": False,
}

# Environment variables read as settings, with their parsers.
ENV_SETTINGS = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in ("1", "true", "yes"),
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_LOCK_SECONDS": int,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": int,
    "TRUSTED_PROXIES": int,
    "RETENTION": json.loads,  # e.g. {"dismissed_finding": 730}: days per record type
    # Email (server/notify): off unless MAIL_SERVER is set. PUBLIC_URL is the https address
    # tablets use, for the links in emails.
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.lower() in ("1", "true", "yes"),
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_FROM": str,
    "PUBLIC_URL": str,
}


def load(instance_path: str, overrides: dict | None) -> dict:
    """Return the app's settings from defaults, environment and overrides."""
    settings = dict(DEFAULTS)
    for name, parse in ENV_SETTINGS.items():
        if name in os.environ:
            settings[name] = parse(os.environ[name])
    settings.update(overrides or {})
    url = settings.pop("DATABASE_URL", None) or settings.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + str(Path(instance_path) / "careloop.db")
    settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = instance_secret(instance_path)
    if "SESSION_COOKIE_SECURE" not in settings:
        # A site published over HTTPS sends its cookies over HTTPS only, unless told otherwise.
        secure = str(settings.get("PUBLIC_URL", "")).startswith("https://")
        settings["SESSION_COOKIE_SECURE"] = settings["REMEMBER_COOKIE_SECURE"] = secure
    return settings


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance_path: str) -> str:
    """Read the secret key kept in instance/, generating it on first run."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Created 0600 in one step, so the key is never readable by others, even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()
