"""Security headers on every response."""

from flask import current_app

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

WORKER_CSP = "default-src 'none'; script-src 'self' 'unsafe-eval'"
"""The policy of the one worker that checks forms (pwa/js/validate-worker.js): Ajv compiles a
schema into a function, which needs eval. A dedicated worker runs under its own policy, so the
pages keep theirs; the worker has no page to reach and may fetch nothing (default-src 'none')."""

HSTS = "max-age=31536000"


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if str(current_app.config.get("PUBLIC_URL", "")).startswith("https://"):
        # A site published over HTTPS is reached over HTTPS only for a year after any visit,
        # so that a tablet on a hostile Wi-Fi is never talked into plain HTTP. Not
        # includeSubDomains: other sites under the provider's domain are not ours to bind.
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "application/json":
        headers.setdefault("Cache-Control", "no-store")
    return response
