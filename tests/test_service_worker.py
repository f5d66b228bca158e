"""The service worker's version is a hash of the app shell (issue 14, point 6): any changed
shell file is a new release that installed tablets are offered, with no number to bump,
and the shell the worker precaches is exactly the files that exist."""

import json
import re
import shutil
from pathlib import Path

import pytest

from server import create_app

PWA = Path(__file__).resolve().parents[1] / "pwa"
RELEASE = re.compile(r"const \{ VERSION, SHELL \} = (\{.*?\});", re.S)


def copy_of_pwa(tmp_path: Path, name: str = "pwa") -> Path:
    root = tmp_path / name
    shutil.copytree(PWA, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def client_for(tmp_path: Path, root: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sw.db'}",
            "SECRET_KEY": "sw-test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PWA_ROOT": str(root),
        }
    )
    return app.test_client()


def served(client) -> dict:
    """Return the release written into the served worker: {"VERSION": ..., "SHELL": [...]}."""
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        match = RELEASE.search(response.get_data(as_text=True))
    assert match, "the served worker has no release written in"
    return json.loads(match.group(1))


@pytest.fixture
def pwa_root(tmp_path):
    return copy_of_pwa(tmp_path)


@pytest.fixture
def client(tmp_path, pwa_root):
    return client_for(tmp_path, pwa_root)


def test_the_worker_is_served_with_a_hashed_version_and_its_headers(client):
    with client.get("/sw.js") as response:
        body = response.get_data(as_text=True)
    assert "__RELEASE__" not in body
    assert re.fullmatch(r"careloop-shell-[0-9a-f]{16}", served(client)["VERSION"])
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_changing_any_shell_file_changes_the_version(client, pwa_root):
    first = served(client)
    seen = {first["VERSION"]}
    # "/" is index.html: each file once.
    for url in [url for url in first["SHELL"] if url != "/"] + ["/sw.js"]:
        path = pwa_root / url.lstrip("/")
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        version = served(client)["VERSION"]
        assert version not in seen, f"changing {url} did not change the version"
        seen.add(version)
        path.write_bytes(original)
        assert served(client)["VERSION"] == first["VERSION"], f"restoring {url}"


def test_the_same_files_give_the_same_version_wherever_they_are_served_from(tmp_path):
    # Two nodes behind one load balancer must offer tablets the same release.
    one = served(client_for(tmp_path / "a", copy_of_pwa(tmp_path, "one")))
    two = served(client_for(tmp_path / "b", copy_of_pwa(tmp_path, "two")))
    assert one == two


def test_the_shell_is_exactly_the_files_that_exist(client, pwa_root):
    shell = served(client)["SHELL"]
    modules = sorted(
        "/" + p.relative_to(pwa_root).as_posix() for p in (pwa_root / "js").rglob("*.js")
    )
    expected = {
        "/",
        "/index.html",
        "/manifest.webmanifest",
        "/css/app.css",
        "/css/desk.css",
        "/icons/icon-192.png",
        "/icons/icon-512.png",
        "/icons/maskable-512.png",
        "/vendor/idb/index.js",
        "/vendor/ajv/ajv.js",
        *modules,
    }
    assert shell[0] == "/"
    assert sorted(shell) == sorted(expected)
    for url in shell:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_a_new_module_joins_the_shell_and_makes_a_new_release(client, pwa_root):
    before = served(client)
    (pwa_root / "js" / "views" / "new-screen.js").write_text("export const screen = 1;\n")
    after = served(client)
    assert set(after["SHELL"]) == {*before["SHELL"], "/js/views/new-screen.js"}
    assert after["VERSION"] != before["VERSION"]


def test_only_the_form_checking_worker_may_eval(client):
    """Ajv compiles schemas with eval: only its worker may, and it may fetch nothing."""
    with client.get("/js/validate-worker.js") as response:
        worker = response.headers["Content-Security-Policy"]
    assert worker == "default-src 'none'; script-src 'self' 'unsafe-eval'"
    for path in ("/", "/js/app.js", "/js/validation.js", "/vendor/ajv/ajv.js", "/sw.js"):
        with client.get(path) as response:
            policy = response.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in policy, path
        assert "script-src 'self';" in policy, path
