"""The large provider of `seed --scale large`, built once into a cached SQLite file.

The cache key is a hash of the code that shapes the data (seed/large*.py and its texts),
so a change to it builds the file again; otherwise every bench run reuses the file, first
bringing its schema up to date with `flask db upgrade` (later migrations are applied to it
as they would be to a provider's database). The build runs `flask seed --scale large` in a subprocess and its time is
printed, because the issue's budget for it is ten minutes on this machine.
"""

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

from bench.server import ROOT, SECRET, VENV_BIN

CACHE = Path(os.environ.get("CARELOOP_BENCH_CACHE", Path.home() / ".cache" / "careloop-bench"))
SHAPING = ["seed/large.py", "seed/large_rows.py", "seed/texts.py"]


def _key() -> str:
    digest = hashlib.sha256()
    for name in SHAPING:
        path = ROOT / name
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_path() -> Path:
    return CACHE / f"large-{_key()}.db"


def env_for(path: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": SECRET,
        "PYTHONPATH": str(ROOT),
    }


SMALL = ["--services", "2", "--findings", "2000", "--entries", "400", "--tablets", "4"]


def ensure(log=print, small_in: Path | None = None) -> tuple[Path, float | None]:
    """Return the cached large database, building it first if needed (and the build's seconds).

    With ``small_in``, build a small provider of the same shape there instead, uncached (the
    quick mode of the smoke test).
    """
    flask = [str(VENV_BIN / "flask"), "--app", "server"]
    if small_in is not None:
        path = small_in / "small-provider.db"
        env = env_for(path)
        subprocess.run(
            flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run(
            flask + ["seed", "--scale", "large", *SMALL],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        return path, None
    path = cached_path()
    if path.exists():
        subprocess.run(
            flask + ["db", "upgrade"], cwd=ROOT, env=env_for(path), check=True, capture_output=True
        )
        return path, None
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob("large-*.db*"):
        old.unlink()
    building = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    env = env_for(building)
    log(f"large provider: building {path.name} (seed --scale large; minutes)")
    began = time.perf_counter()
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        flask + ["seed", "--scale", "large"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - began
    # Fold the WAL into the file so one file is the whole database.
    import sqlite3

    with sqlite3.connect(building) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    shutil.move(building, path)
    log(f"large provider: built in {seconds:.0f} s")
    return path, seconds
