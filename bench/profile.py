"""`python -m bench.profile`: profile push and pull in-process with pyinstrument.

The requests go through the Flask app (the same code path gunicorn serves) on a fresh copy
of the bench's migrated SQLite file, so a profile shows the server's own frames and no
HTTP client. pyinstrument is a development tool, not a dependency of the bench: install it
with `.venv/bin/pip install pyinstrument` when you need a profile.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench.client import finding_creates, finding_updates
from bench.server import PASSWORD, SECRET, copy_database, make_template

PROTOCOL = 1


def _app(db_path: Path):
    os.environ.update({"DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": SECRET})
    import gc

    from server import create_app

    # As server.wsgi does in each gunicorn worker: the built app leaves the collector.
    app = create_app()
    gc.freeze()
    return app


def _signed_in(app, email: str, installation: str):
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = r.get_json()["csrf_token"]
    r = client.post(
        "/api/v1/sync/devices", json={"installation_id": installation, "protocol_version": 1}
    )
    assert r.status_code == 200, r.get_json()
    client.device_id = r.get_json()["device_id"]
    return client


def _push(client, mutations: list[dict], batch: int) -> None:
    for i in range(0, len(mutations), batch):
        body = {
            "protocol_version": PROTOCOL,
            "device_id": client.device_id,
            "mutations": mutations[i : i + batch],
        }
        r = client.post("/api/v1/sync/push", data=json.dumps(body), content_type="application/json")
        statuses = {x["status"] for x in r.get_json()["results"]}
        assert statuses <= {"applied", "merged", "duplicate"}, statuses


def _pull(client, page: int, cursor: int = 0, pages: int = 0) -> int:
    """Pull from ``cursor`` until nothing is left (or ``pages`` pages); return the cursor."""
    got = 0
    while True:
        r = client.get(
            "/api/v1/sync/pull",
            query_string={
                "cursor": cursor,
                "limit": page,
                "device_id": client.device_id,
                "protocol_version": PROTOCOL,
            },
        )
        body = r.get_json()
        assert r.status_code == 200, body
        got += len(body["changes"])
        cursor = body["next_cursor"]
        pages -= 1
        if not body["has_more"] or pages == 0:
            return cursor


def _incremental(client, creates: list[dict], page: int, repeat: int, log) -> None:
    """Pull the ``creates`` (pushed meanwhile) from the same cursor ``repeat`` times."""
    from sqlalchemy import event

    from server.extensions import db

    cursor = client.pull_cursor
    statements = []
    with client.application.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(repeat):
            _pull(client, page, cursor, 1)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    log(
        f"{len(statements) / repeat:.0f} SQL statements a pull, "
        f"{len(creates)} changes a pull, {repeat} pulls:"
    )
    for sql in statements[: len(statements) // repeat]:
        log("  " + " ".join(sql.split())[:150])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    ap.add_argument("what", choices=["creates", "updates", "retries", "pull", "incremental"])
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--page", type=int, default=1000)
    ap.add_argument("--incr", type=int, default=100, help="changes of an incremental pull")
    ap.add_argument("--repeat", type=int, default=200, help="incremental pulls to profile")
    ap.add_argument("--html", help="also write the profile as HTML here")
    args = ap.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        from pyinstrument import Profiler
    except ImportError as exc:
        raise SystemExit(
            "pyinstrument is not installed: .venv/bin/pip install pyinstrument"
        ) from exc
    workdir = Path(tempfile.mkdtemp(prefix="careloop-profile-"))
    try:
        world = make_template(workdir)
        app = _app(copy_database(world.path, workdir / "profile.db"))
        client = _signed_in(app, world.users["puller"]["email"], "profile-tablet")
        user = world.users["puller"]["id"]
        creates = finding_creates(client.device_id, user, world.service_id, args.n, seed=7)
        work = {
            "creates": lambda: _push(client, creates, args.batch),
            "retries": lambda: _push(client, creates, args.batch),
            "updates": lambda: _push(client, finding_updates(creates, args.n + 1), args.batch),
            "pull": lambda: _pull(client, args.page),
            "incremental": lambda: _incremental(client, more, args.page, args.repeat, log),
        }
        if args.what != "creates":
            _push(client, creates, args.batch)
        if args.what == "incremental":
            client.pull_cursor = _pull(client, args.page)
            more = finding_creates(
                client.device_id, user, world.service_id, args.incr, seed=8, first_seq=args.n + 1
            )
            _push(client, more, args.batch)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        work[args.what]()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        if args.html:
            Path(args.html).write_text(profiler.output_html())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
