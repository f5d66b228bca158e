"""Careloop's Flask application."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from server import config as settings
from server.extensions import csrf, db, login_manager, migrate

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then ``config``."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    if config and config.get("INSTANCE_PATH"):
        app.instance_path = config["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.load(app.instance_path, config))
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Take the client's address from X-Forwarded-For as set by TRUSTED_PROXIES proxies
    (login throttling counts per address); with none, the header is ignored, as anyone
    could write it."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0)


def register_extensions(app: Flask) -> None:
    from server import models  # noqa: F401  (every model registered with the metadata)
    from server.common import changes  # noqa: F401  (change-sequence listeners)
    from server.common.database import configure_engine

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


def register_blueprints(app: Flask) -> None:
    from server.accounts.sessions import touch_after_request
    from server.api.routes import register
    from server.common.security import add_security_headers
    from server.web.routes import web

    register(app)  # the API, its OpenAPI document and its one error handler
    app.register_blueprint(web)
    app.after_request(add_security_headers)
    app.after_request(touch_after_request)


def register_commands(app: Flask) -> None:
    from server.cli import register

    register(app)
