"""Serve the PWA from pwa/: index.html at /, its files by path, the service worker at /sw.js
with its release (shell list and hashed version, server/web/shell.py) written in.

``PWA_ROOT`` (a setting) points elsewhere for tests that publish a new release.
"""

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory
from werkzeug.security import safe_join

from server.common.security import WORKER_CSP
from server.web.shell import release

web = Blueprint("web", __name__)

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "pwa"
TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".html": "text/html",
}
HIDDEN = (".py", ".md")
EVAL_WORKERS = {"js/validate-worker.js"}


def pwa_root() -> Path:
    return Path(current_app.config.get("PWA_ROOT") or DEFAULT_ROOT)


def _send(filename: str):
    root = pwa_root()
    path = safe_join(str(root), filename)
    if path is None or not Path(path).is_file() or filename.endswith(HIDDEN):
        abort(404)
    suffix = Path(filename).suffix
    response = send_from_directory(root, filename, mimetype=TYPES.get(suffix), max_age=0)
    # no-cache: the browser may keep a copy but must revalidate it; the service worker's
    # versioned cache is what makes the app work offline.
    response.headers["Cache-Control"] = "no-cache"
    if filename in EVAL_WORKERS:
        response.headers["Content-Security-Policy"] = WORKER_CSP
    return response


@web.get("/sw.js")
def service_worker():
    """Serve the service worker with the current release's version and shell list."""
    response = Response(release(pwa_root()).worker, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    return response.make_conditional(request)


@web.get("/")
def index():
    """Serve the app shell."""
    return _send("index.html")


@web.get("/<path:filename>")
def pwa_file(filename: str):
    """Serve one file of the app; /api/... never falls through to here."""
    if filename.startswith("api/"):
        abort(404)
    return _send(filename)
