"""A real Careloop server for the benchmarks: a migrated SQLite file and gunicorn on 127.0.0.1."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SECRET = "careloop-bench-secret"
PASSWORD = "careloop bench password"


@dataclass
class World:
    """The template database and the two floor users the benchmark signs in as."""

    path: Path
    service_id: str
    users: dict  # name -> {"email", "id"}


def _env(db_path: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {"DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    )
    return env


def make_template(workdir: Path, names=("pusher", "puller")) -> World:
    """Migrate a fresh SQLite file with `flask db upgrade`; add one service and its carers."""
    path = workdir / "template.db"
    # Fresh every time: a template left in a reused folder already has these carers.
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "server", "db", "upgrade"],
        cwd=ROOT,
        env=_env(path),
        check=True,
        capture_output=True,
    )
    code = (
        "import json, sys\n"
        "from bench.server import _seed_world\n"
        "print(json.dumps(_seed_world(sys.argv[1:])))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env=_env(path),
        check=True,
        capture_output=True,
        text=True,
    )
    info = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    return World(path=path, service_id=info["service_id"], users=info["users"])


def _seed_world(names: list[str]) -> dict:
    """Create the provider, its service and two senior carers; return their ids (subprocess)."""
    from seed.factories import make_provider, make_service, make_user
    from server import create_app
    from server.extensions import db

    app = create_app()
    with app.app_context():
        provider = make_provider("Bench Care Group")
        service = make_service(provider, "Bench House")
        users = {}
        for name in names:
            user = make_user(
                provider, "senior_carer", service, email=f"{name}@bench.example", password=PASSWORD
            )
            users[name] = {"email": user.email, "id": str(user.id)}
        db.session.commit()
        return {"service_id": str(service.id), "users": users}


def copy_database(template: Path, target: Path) -> Path:
    """Copy the template (and nothing of any WAL: the template is closed) to ``target``."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with one worker on a SQLite file; stopped by its own PID."""

    def __init__(self, db_path: Path, workers: int = 1, port: int | None = None):
        self.db_path = db_path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(f"{db_path}.gunicorn.log", "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
                "server.wsgi:app",
            ],
            cwd=ROOT,
            env=_env(db_path),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start within 30 s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        """Stop the master by its PID (it stops its worker) and wait for it."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
