"""The deployment test's machinery: gunicorn and nginx started and stopped, ports, HTTPS
clients. The fixtures and the tests are in tests/test_deployment.py."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"  # seed.factories.make_user default
BAD_LOGIN = "That email and password do not match an active account."
CHROMIUM = os.environ.get("CARELOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--ignore-certificate-errors",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

NGINX_CONF = """\
{user}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
daemon off;
events {{ worker_connections 64; }}
http {{
    access_log {d}/nginx-access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {cert.parent}/key.pem;
        add_header Strict-Transport-Security "max-age=31536000" always;
        proxy_hide_header Strict-Transport-Security;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{proc.args[0]} did not listen on {port} within {seconds}s:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a process this module started, by its pid."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)


def find_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        pytest.fail("nginx is missing: run `make ensure-nginx` (scripts/ensure-nginx.sh).")
    return found


@contextmanager
def run_gunicorn(workdir: Path, env: dict, name: str, *options: str):
    """Run gunicorn with two workers; yield its port and a function giving the pid of the
    worker that answered each request so far (from its access log)."""
    port, log, access = free_port(), workdir / f"{name}.log", workdir / f"{name}-access.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                *options,
                "--access-logfile",
                str(access),
                "--access-logformat",
                "%(p)s %(r)s %(s)s",
                "server.wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, proc, log)

        def pids(at_least: int) -> list[str]:
            # A worker writes its log line just after the answer has gone out.
            deadline = time.monotonic() + 10
            while True:
                lines = access.read_text().splitlines() if access.exists() else []
                if len(lines) >= at_least or time.monotonic() > deadline:
                    return [line.split()[0] for line in lines]
                time.sleep(0.05)

        yield port, pids
    finally:
        stop(proc)


@contextmanager
def run_nginx(workdir: Path, cert: Path, upstream: int):
    """Run nginx terminating TLS on 127.0.0.1 in front of gunicorn; yield its https URL."""
    d, port = workdir / f"nginx-{upstream}", free_port()
    d.mkdir()
    # As root nginx would hand its workers to "nobody", who cannot read this private folder.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = d / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, d=d, cert=cert, port=port, upstream=upstream))
    log = d / "nginx-error.log"
    log.touch()
    proc = subprocess.Popen(
        [find_nginx(), "-p", str(d), "-e", str(log), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, log)
        yield f"https://localhost:{port}"
    finally:
        stop(proc)


# The certificate is passed with every request: a session's own `verify` would lose to
# REQUESTS_CA_BUNDLE when that is set.
def new_client(nginx) -> tuple[requests.Session, str]:
    """A fresh client (its own connections) holding a CSRF token."""
    url, cert = nginx
    client = requests.Session()
    r = client.get(url + "/api/v1/auth/csrf", verify=cert, timeout=10)
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


def log_in(nginx, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Log in as the app does; over HTTPS Flask-WTF wants a same-origin Referer, as a browser
    sends under the app's Referrer-Policy."""
    client, token = new_client(nginx)
    r = client.post(
        nginx[0] + "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token, "Referer": nginx[0] + "/"},
        verify=nginx[1],
        timeout=10,
    )
    return client, r


def capture(fn, errors: list) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - re-raised in the test's own thread
        errors.append(exc)
