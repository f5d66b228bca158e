"""The rows of the table beyond push and pull on SQLite: PostgreSQL, load, the PWA and the desk.

Each part returns rows ``(label, unit, median, runs, baseline label, baseline median)``; a
part that cannot run here (no PostgreSQL) says so in a row rather than vanishing.
"""

from datetime import date, timedelta
from pathlib import Path

from bench import pg

QUICK_LOAD = dict(tablets=4, services=2, duration=4.0, interval=2.0, batch=10)


def extra_rows(parts: set, workdir: Path, sizes, quick: bool, log) -> list[tuple]:
    rows: list[tuple] = []
    if "pg" in parts:
        rows += _pg_rows(sizes, log)
    if "load" in parts:
        rows += _load_rows(workdir, quick, log)
    if "pwa" in parts:
        rows += _pwa_rows(workdir, quick, log)
    if "desk" in parts:
        from bench.desk import desk_rows

        month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        rows += desk_rows(workdir, 1 if quick else 5, month, log, small=quick)
    if "pack" in parts:
        from bench.pack import pack_rows

        rows += pack_rows(workdir, 1 if quick else 5, log, days=14 if quick else 91)
    return rows


def _pg_rows(sizes, log) -> list[tuple]:
    url = pg.url()
    if url is None:
        log("PostgreSQL: no CARELOOP_TEST_DATABASE_URL (run through scripts/with-postgres.sh)")
        return [("PostgreSQL figures: not run (no PostgreSQL here)", "-", 0, 0, None, None)]
    from bench.pg_sync import pg_rows

    return pg_rows(url, sizes, log)


def _load_rows(workdir: Path, quick: bool, log) -> list[tuple]:
    from bench.load import LoadSizes, load_run

    sizes = LoadSizes(**QUICK_LOAD) if quick else LoadSizes()
    targets = [("SQLite", f"sqlite:///{workdir / 'load.db'}")]
    if pg.url():
        targets.append(("PostgreSQL", pg.url()))
    rows = []
    for name, url in targets:
        if url.startswith("postgresql"):
            pg.reset(url)
        log(f"load on {name}: {sizes.tablets} tablets, {sizes.duration:.0f} s")
        got = load_run(url, sizes, workdir, log)
        if got["error_samples"]:
            log(f"load errors on {name}: {got['error_samples']}")
        what = f"Load on {name}: {sizes.tablets} tablets, gunicorn 2 workers"
        alone = "one tablet alone, same server"
        rows += [
            (f"{what}: p50 latency", "ms", got["p50_ms"], 1, alone, got["solo_p50_ms"]),
            (f"{what}: p95 latency", "ms", got["p95_ms"], 1, alone, got["solo_p95_ms"]),
            (f"{what}: errors", "requests", got["errors"], 1, None, None),
            (
                f"{what}: mutations landed exactly once",
                "mutations",
                got["landed"],
                1,
                "mutations sent",
                got["mutations_sent"],
            ),
        ]
        if url.startswith("postgresql"):
            pg.reset(url)
    return rows


def _pwa_rows(workdir: Path, quick: bool, log) -> list[tuple]:
    from bench.capture import capture_times
    from bench.load import PASSWORD, Gunicorn, LoadSizes, prepare
    from bench.pwa import offline_times, shell_bytes

    size = shell_bytes()
    url = f"sqlite:///{workdir / 'pwa.db'}"
    carer = prepare(url, LoadSizes(tablets=1, services=1))["carers"][0]
    server = Gunicorn(url, 1, workdir / "pwa-gunicorn.log")
    runs = 1 if quick else 5
    try:
        times = offline_times(server.url, carer["email"], PASSWORD, runs)
        capture = capture_times(server.url, carer["email"], PASSWORD, runs)
    finally:
        server.stop()
    log(f"PWA shell: {size['files']} files; capture: {capture}")
    return [
        (
            f"PWA: app shell, {size['files']} files, gzipped",
            "bytes",
            size["gzip"],
            1,
            "the same files uncompressed",
            size["raw"],
        ),
        (
            "PWA: offline start to a usable finding form",
            "ms",
            times["app_ms"],
            runs,
            "offline load of one cached icon",
            times["icon_ms"],
        ),
        (
            "Capture: taps to record one finding from a cold start (typing not counted)",
            "taps",
            capture["taps"],
            runs,
            "the target of issue 15",
            4,
        ),
        (
            "Capture: cold start to a usable finding form",
            "ms",
            capture["usable_ms"],
            runs,
            None,
            None,
        ),
        ("Capture: Save to queued in the outbox", "ms", capture["queued_ms"], runs, None, None),
    ]
