"""Screenshots' shared parts: where they are saved and how one is taken."""

import os
from pathlib import Path

from playwright.sync_api import expect


def shots_dir(tmp_path) -> Path:
    """docs/screenshots under `make screenshots`; a temporary folder otherwise."""
    out = Path(os.environ.get("CARELOOP_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def shooter(page, out):
    """``shot(name)``: the page from its top, saved as ``out/name.png``."""

    def shot(name):
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(200)
        page.screenshot(path=str(out / f"{name}.png"))

    return shot


def hide_toast(page):
    """Take the last short message off the screen now, rather than wait its 4 seconds."""
    page.evaluate("document.getElementById('toast').classList.remove('show')")
    expect(page.locator("#toast")).to_be_hidden()
