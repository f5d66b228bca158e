"""Desk and reports on the large provider: the screens' API calls timed over real HTTP.

Each figure is the median of several requests by a signed-in user of the large provider,
against gunicorn on the cached large database. The baseline, measured in the same run, is
`/api/v1/health`: a round trip through the same server and database that does almost
nothing, so the ratio says how much the screen's own work costs on top of HTTP.
"""

import statistics
import time
from pathlib import Path

import requests

from bench import large
from bench.load import Gunicorn

PASSWORD = "careloop-bench"  # seed/large.py PASSWORD
# (label, who, path): who signs in, and the call the screen makes. {service} and {month}
# are filled from the large provider.
CALLS = [
    (
        "Desk: filtered log list (open, overdue, high risk)",
        "rm",
        "/api/v1/entries?service_id={service}&status=open,in_progress&overdue=true&risk=high"
        "&per_page=25",
    ),
    ("Desk: log search, whole provider", "ni", "/api/v1/entries?q=handrail&per_page=25"),
    # A phrase in about a fifth of the large provider's entries: the search's heavy case.
    ("Desk: log search, a common phrase", "ni", "/api/v1/entries?q=call%20bell&per_page=25"),
    ("Desk: early warnings, 50 services", "ni", "/api/v1/early-warnings"),
    ("Desk: oversight dashboard, 50 services", "ni", "/api/v1/oversight/dashboard"),
    (
        "Reports: monthly governance report, provider-wide (JSON)",
        "ni",
        "/api/v1/reports/governance?month={month}",
    ),
    (
        "Reports: monthly governance report, one service (PDF)",
        "rm",
        "/api/v1/reports/governance.pdf?month={month}&service_id={service}",
    ),
]


def _session(url: str, email: str) -> requests.Session:
    http = requests.Session()
    token = http.get(f"{url}/api/v1/auth/csrf", timeout=60).json()["csrf_token"]
    http.headers["X-CSRF-Token"] = token
    r = http.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
    )
    r.raise_for_status()
    return http


def _who(path: Path) -> dict:
    """Emails of the nominated individual and of one registered manager, and a service id."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        ni = conn.execute(
            "SELECT u.email FROM user_account u JOIN membership m ON m.user_id = u.id "
            "WHERE m.role = 'nominated_individual' LIMIT 1"
        ).fetchone()[0]
        rm, service = conn.execute(
            "SELECT u.email, m.service_id FROM user_account u JOIN membership m "
            "ON m.user_id = u.id WHERE m.role = 'registered_manager' ORDER BY u.email LIMIT 1"
        ).fetchone()
    return {"ni": ni, "rm": rm, "service": service}


def timed(http: requests.Session, url: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        r = http.get(url, timeout=300)
        times.append((time.perf_counter() - began) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"GET {url}: {r.status_code} {r.text[:300]}")
    return statistics.median(times)


def desk_rows(workdir: Path, runs: int, month: str, log=print, small: bool = False) -> list:
    """Return table rows for every desk call: (label, unit, median, runs, base label, base)."""
    path, built = large.ensure(log, small_in=workdir if small else None)
    rows = []
    if built is not None:
        rows.append(
            (
                "Large provider: build (seed --scale large), once then cached",
                "s",
                built,
                1,
                None,
                None,
            )
        )
    who = _who(path)
    server = Gunicorn(f"sqlite:///{path}", 1, workdir / "desk-gunicorn.log")
    try:
        sessions = {name: _session(server.url, who[name]) for name in ("ni", "rm")}
        health = timed(sessions["ni"], f"{server.url}/api/v1/health", runs * 3)
        for label, name, template in CALLS:
            target = server.url + template.format(service=_uuid(who["service"]), month=month)
            try:
                ms = timed(sessions[name], target, runs)
            except RuntimeError as exc:
                log(f"desk: {label}: {exc}")
                continue
            rows.append((label, "ms", ms, runs, "GET /api/v1/health, same server", health))
    finally:
        server.stop()
    return rows


def _uuid(value) -> str:
    import uuid

    return str(uuid.UUID(bytes=value) if isinstance(value, bytes) else uuid.UUID(str(value)))
