"""Capture speed (issue 15, point 9): one walkaround finding from a cold start, in Chromium.

A senior carer signs in once, online, and the first sync fills the tablet (their service,
its areas); the browser is then closed. Each timed run starts Debian's Chromium again on
that profile, offline (a cold start: no page, no worker running), opens the app at its
start URL, where a restart always lands on "Who is recording?", unlocks with her PIN (not
counted in the taps, as issue 15 says; its time is in the ms to a usable form), and records
one finding the way a person would: it fills each required field the form leaves empty, in the form's order,
and taps Save. Every tap is counted; typing is not. Choosing from a drop-down list counts
two taps (open it, pick), and a text box counts a tap unless the form already focused it.

Reported: the taps, the ms from opening the app to a usable form (its text box on screen),
and the ms from the tap on Save to the finding committed to the outbox (IndexedDB).
"""

import statistics
import tempfile
import time

from bench.pwa import ARGS, CHROMIUM, in_a_thread

FORM = "form[aria-labelledby=capture-title]"
SEEN = "Call bell in room 4 rang for 12 minutes before anyone answered; resident was calm."
# The required fields the form leaves empty, in order: [{name, kind}].
PIN = "2580"

EMPTY_REQUIRED = """(form) => {
  const out = [], seen = new Set();
  for (const el of form.elements) {
    if (!el.name || seen.has(el.name) || el.type === 'hidden') continue;
    if (el.type === 'radio') {
      const group = [...form.elements].filter((x) => x.name === el.name);
      seen.add(el.name);
      if (group.some((x) => x.required) && !group.some((x) => x.checked))
        out.push({ name: el.name, kind: 'radio' });
    } else if (el.required && !el.value) {
      seen.add(el.name);
      out.push({ name: el.name, kind: el.tagName === 'SELECT' ? 'select' : 'text' });
    }
  }
  return out;
}"""
# Sets window.__queuedMs: ms from the click on Save to the outbox holding one more item.
WATCH_OUTBOX = """async (button) => {
  const idb = await new Promise((ok, no) => {
    const r = indexedDB.open('careloop'); r.onsuccess = () => ok(r.result); r.onerror = no;
  });
  const count = () => new Promise((ok, no) => {
    const r = idb.transaction('outbox').objectStore('outbox').count();
    r.onsuccess = () => ok(r.result); r.onerror = no;
  });
  const before = await count();
  button.addEventListener('click', async () => {
    const began = performance.now();
    while ((await count()) <= before) await new Promise((r) => setTimeout(r, 1));
    window.__queuedMs = performance.now() - began;
    idb.close();
  }, { capture: true, once: true });
}"""


def capture_times(url: str, email: str, password: str, runs: int) -> dict:
    """Median taps, ms to a usable form and ms from Save to queued over ``runs`` cold starts."""
    return in_a_thread(_drive, url, email, password, runs)


def _drive(url, email, password, runs, out) -> None:
    from playwright.sync_api import sync_playwright

    try:
        with (
            tempfile.TemporaryDirectory(prefix="careloop-capture-") as profile,
            sync_playwright() as p,
        ):
            _sign_in_once(p, profile, url, email, password)
            figures = [_cold_capture(p, profile, url) for _ in range(runs)]
        out.update(
            {k: statistics.median(f[k] for f in figures) for k in figures[0] if k != "steps"}
        )
        out["steps"] = figures[0]["steps"]
    except Exception as exc:  # noqa: BLE001 (raised again in the caller's thread)
        out["error"] = exc


def _launch(p, profile: str):
    return p.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=ARGS, viewport={"width": 820, "height": 1180}
    )


def _sign_in_once(p, profile: str, url: str, email: str, password: str) -> None:
    context = _launch(p, profile)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url + "/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    # The form is drawn after the first sync, with the service's areas in its list.
    page.wait_for_selector(f"{FORM} select[name=area] option:nth-child(2)", state="attached")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # A restart opens on "Who is recording?": she sets her PIN on the offer after sign-in.
    page.get_by_role("button", name="Set a PIN").click()
    page.get_by_label("New PIN").fill(PIN)
    page.get_by_label("The same PIN again").fill(PIN)
    page.get_by_role("button", name="Save my PIN").click()
    page.get_by_role("status").filter(has_text="Your PIN is set.").wait_for()
    context.close()


def _unlock(page) -> None:
    """On "Who is recording?": her name, her PIN. Not counted in the taps (issue 15)."""
    page.locator(".who-list button").first.click()
    page.get_by_label("Your PIN").fill(PIN)
    page.get_by_role("button", name="Unlock").click()


def _cold_capture(p, profile: str, url: str) -> dict:
    context = _launch(p, profile)
    try:
        context.set_offline(True)
        page = context.pages[0] if context.pages else context.new_page()
        steps: list[str] = []
        began = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector(".who-list button", timeout=30_000)
        _unlock(page)
        page.wait_for_selector(f"{FORM} textarea, #nav a[href='#/finding']", timeout=30_000)
        if not page.locator(FORM).count():  # landed elsewhere: the menu's Finding
            page.locator("#nav a[href='#/finding']").click()
            steps.append("menu: Finding")
        page.wait_for_selector(f"{FORM} textarea")
        usable = (time.perf_counter() - began) * 1000
        steps += _fill(page)
        save = page.locator(f"{FORM} button[type=submit]")
        save.evaluate(WATCH_OUTBOX)
        save.click()
        steps.append("Save")
        try:
            page.wait_for_function("() => window.__queuedMs !== undefined", timeout=15_000)
        except Exception as exc:
            raise RuntimeError(f"not queued: {page.locator(FORM).inner_text()[:600]}") from exc
        queued = page.evaluate("() => window.__queuedMs")
        return {"taps": len(steps), "usable_ms": usable, "queued_ms": queued, "steps": steps}
    finally:
        context.close()


def _fill(page) -> list[str]:
    """Fill the form's empty required fields as a person would; return its taps, named."""
    form = page.locator(FORM)
    taps = []
    for field in form.evaluate(EMPTY_REQUIRED):
        name = field["name"]
        if field["kind"] == "select":
            form.locator(f"select[name={name}]").select_option(index=1)
            taps += [f"{name}: open the list", f"{name}: pick"]
        elif field["kind"] == "radio":
            form.locator(f"input[name={name}] + label").first.click()
            taps.append(f"{name}: a choice")
        else:
            box = form.locator(f"[name={name}]")
            # Focus as it is now: choosing an earlier field may have moved it here.
            if not box.evaluate("(el) => document.activeElement === el"):
                box.click()
                taps.append(f"{name}: into the box")
            page.keyboard.type(SEEN)
    return taps
