"""The service worker as served: the app shell's files and a version hashed from their bytes.

``pwa/shell.json`` lists the shell (``/`` and glob patterns relative to ``pwa/``). When
``/sw.js`` is served, the server expands the patterns, hashes the bytes of every shell file
(and of ``sw.js`` itself) into the cache version, and writes both into the worker where it
says ``__RELEASE__``. Any changed file is therefore a new release that installed tablets
are offered; nobody bumps a number by hand.

The result is kept per process and per PWA folder, and is recomputed only when a file's
size or modification time changes (a release copied in place while the server runs).
"""

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "shell.json"
WORKER = "sw.js"
PLACEHOLDER = "__RELEASE__"
PREFIX = "careloop-shell-"


@dataclass(frozen=True)
class Release:
    version: str
    shell: list[str]  # URLs, "/" first
    worker: str  # sw.js with the release written in


_cache: dict[Path, tuple[tuple, Release]] = {}
_lock = threading.Lock()


def shell_files(root: Path) -> dict[str, Path]:
    """Return the shell's URLs, each with the file behind it ("/" is index.html)."""
    patterns = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["shell"]
    files: dict[str, Path] = {}
    for pattern in patterns:
        if pattern == "/":
            files["/"] = root / "index.html"
            continue
        matches = sorted(p for p in root.glob(pattern) if p.is_file())
        if not matches:
            raise FileNotFoundError(f"{MANIFEST}: {pattern!r} matches no file in {root}")
        for path in matches:
            files["/" + path.relative_to(root).as_posix()] = path
    return files


def _stamp(paths: list[Path]) -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


def _build(root: Path, files: dict[str, Path]) -> Release:
    digest = hashlib.sha256()
    template = (root / WORKER).read_bytes()
    for url, path in [*files.items(), ("/" + WORKER, root / WORKER)]:
        digest.update(url.encode() + b"\0" + path.read_bytes() + b"\0")
    version = PREFIX + digest.hexdigest()[:16]
    text = template.decode("utf-8")
    if PLACEHOLDER not in text:
        raise ValueError(f"{root / WORKER} has no {PLACEHOLDER} for the release")
    release = json.dumps({"VERSION": version, "SHELL": list(files)}, indent=2)
    return Release(version, list(files), text.replace(PLACEHOLDER, release, 1))


def release(root: Path) -> Release:
    """Return the release of the PWA in ``root``, built once per change of its files."""
    root = root.resolve()
    files = shell_files(root)
    stamp = _stamp([root / MANIFEST, root / WORKER, *files.values()])
    with _lock:
        cached = _cache.get(root)
        if cached and cached[0] == stamp:
            return cached[1]
    built = _build(root, files)
    with _lock:
        _cache[root] = (stamp, built)
    return built
