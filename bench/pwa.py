"""The PWA: app-shell bytes (gzipped, as a server sends them) and time to a usable screen offline.

The shell is the precache list of pwa/shell.json, as the server reads it. The offline
time is measured in Debian's Chromium (never a downloaded browser): a senior carer signs
in once online, the network is cut, and the app is reloaded until the finding form can be
typed in. Its baseline, in the
same browser and run, is an offline reload of one cached icon: what the browser and the
service worker cost before Careloop's own code runs.
"""

import gzip
import statistics
import threading
import time
from pathlib import Path

from server.web import shell

PWA = Path(__file__).resolve().parent.parent / "pwa"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]


def shell_files() -> list[Path]:
    """The files the service worker precaches: the server's own reading of pwa/shell.json."""
    return list(shell.shell_files(PWA).values())


def shell_bytes() -> dict:
    """Raw and gzipped bytes of the app shell (``/`` and ``/index.html`` count once)."""
    files = sorted(set(shell_files()))
    raw = sum(f.stat().st_size for f in files)
    zipped = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    return {"files": len(files), "raw": raw, "gzip": zipped}


def in_a_thread(drive, *args) -> dict:
    """Run ``drive(*args, out)`` in a thread of its own and return ``out`` (or raise what it
    kept as ``out["error"]``): Playwright's sync API may not share a thread with another
    running event loop."""
    out: dict = {}
    thread = threading.Thread(target=drive, args=(*args, out))
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out


def offline_times(url: str, email: str, password: str, runs: int) -> dict:
    """Median ms from an offline reload to a usable finding form, and the icon baseline."""
    return in_a_thread(_drive, url, email, password, runs)


def _drive(url, email, password, runs, out) -> None:
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 820, "height": 1180})
            page = context.new_page()
            page.goto(url + "/")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in", exact=True).click()
            page.wait_for_selector("form[aria-labelledby=capture-title] textarea", timeout=30_000)
            page.evaluate("navigator.serviceWorker.ready")
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            context.set_offline(True)
            app, icon = [], []
            for _ in range(runs):
                began = time.perf_counter()
                page.goto(url + "/#/finding")
                page.wait_for_selector("form[aria-labelledby=capture-title] textarea")
                app.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                page.goto(url + "/icons/icon-192.png")
                icon.append((time.perf_counter() - began) * 1000)
            browser.close()
        out.update(app_ms=statistics.median(app), icon_ms=statistics.median(icon))
    except Exception as exc:  # noqa: BLE001 (raised again in the caller's thread)
        out["error"] = exc
