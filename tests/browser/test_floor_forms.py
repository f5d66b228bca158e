"""The floor forms as people use them: feedback as it is given (no question needed, who said
it, risk apart from the tone, the safeguarding flag and the service's steps), and Save in
reach on every capture form at tablet and phone size."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    check_a11y,
    db_query,
    go_offline,
    go_online,
    log_in,
    sync_now,
)

pytestmark = pytest.mark.browser

STEPS = "Keep the person safe and stay with them.\nPhone the safeguarding lead on 0100 000 000."
COMPLAINT = "Mum's cardigan has gone missing again and nobody rang me back."
WORRY = "Dad says a night carer shouted at him and he is frightened."


def set_steps(server, floor):
    from server.providers.models import Service

    def write(db):
        db.session.get(Service, floor.service_id).safeguarding_steps = STEPS
        db.session.commit()

    db_query(server.app, write)


def feedback_rows(server):
    from server.findings.models import Finding

    def read(db):
        found = db.session.scalars(db.select(Finding).order_by(Finding.received_at))
        return [
            (
                f.description,
                f.respondent_type,
                f.question_id,
                f.sentiment,
                f.risk,
                f.safeguarding_concern,
            )
            for f in found
        ]

    return db_query(server.app, read)


def test_feedback_with_no_question_and_a_safeguarding_concern(page, context, server, floor):
    set_steps(server, floor)
    log_in(page, floor.carer)
    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("heading", name="Record feedback").wait_for()
    risk = page.get_by_role("group", name="Risk")

    # An unprompted complaint from a relative: no question; the tone suggests a risk, and
    # the person recording chooses another.
    page.get_by_role("group", name="Who gave the feedback?").get_by_text(
        "Relative or friend"
    ).click()
    expect(page.get_by_label("Question asked")).to_have_value("")
    page.get_by_label("What they said").fill(COMPLAINT)
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Negative").click()
    expect(risk.get_by_label("Medium")).to_be_checked()
    risk.get_by_text("Low", exact=True).click()
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save feedback").click()
    page.get_by_role("status").filter(has_text="Feedback saved. Sending now.").wait_for()

    # A worry that may be safeguarding: the flag makes it high and shows the steps.
    page.get_by_role("group", name="Who gave the feedback?").get_by_text("Person supported").click()
    page.get_by_label("What they said").fill(WORRY)
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Neutral").click()
    expect(risk.get_by_label("Low")).to_be_checked()
    steps = page.get_by_role("region", name="Safeguarding: what to do now")
    expect(steps).to_be_hidden()
    page.get_by_label("This may be a safeguarding concern").check()
    expect(risk.get_by_label("High")).to_be_checked()
    expect(risk.get_by_label("Low")).to_be_disabled()
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("Phone the safeguarding lead on 0100 000 000.")
    check_a11y(page, "the feedback form with the safeguarding steps")
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save feedback").click()
    expect(page.get_by_label("What they said")).to_have_value("")
    expect(steps).to_be_hidden()

    assert sync_now(page)["waiting"] == 0
    assert feedback_rows(server) == [
        (f"A relative or friend said: {COMPLAINT}", "relative", None, "negative", "low", False),
        (f"A person supported said: {WORRY}", "person_supported", None, "neutral", "high", True),
    ]


def test_asked_feedback_says_who_answered_what(page, server, floor):
    log_in(page, floor.carer)
    page.get_by_role("link", name="Feedback").click()
    page.get_by_role("group", name="Who gave the feedback?").get_by_text(
        "Visiting professional"
    ).click()
    page.get_by_label("Question asked").select_option("vis-1")
    page.get_by_label("What they said").fill("Yes, the deputy was at handover.")
    page.get_by_role("group", name="How did it sound overall?").get_by_text("Positive").click()
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save feedback").click()
    page.get_by_role("status").filter(has_text="Feedback saved.").wait_for()
    assert sync_now(page)["waiting"] == 0
    [(description, who, question, *_)] = feedback_rows(server)
    assert description == (
        'Asked "Did you see a senior member of staff during the busy times today?", '
        "a visiting professional said: Yes, the deputy was at handover."
    )
    assert (who, question) == ("professional", "vis-1")


def save_in_view(page, name):
    """The form's Save button is on screen, not under the navigation bar, with the page at
    the top (nothing scrolled)."""
    assert page.evaluate("window.scrollY") == 0
    button = page.get_by_role("button", name=name)
    box = button.bounding_box()
    height = page.viewport_size["height"]
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (name, box)
    nav_top = page.evaluate("document.getElementById('nav').getBoundingClientRect().top")
    assert box["y"] + box["height"] <= nav_top, (name, box, nav_top)
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == name


@pytest.mark.parametrize("size", [(768, 1024), (390, 844)], ids=["tablet", "phone"])
def test_save_is_always_in_reach(browser, server, floor, size):
    width, height = size
    ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url)
    try:
        page = ctx.new_page()
        log_in(page, floor.carer)
        save_in_view(page, "Save finding")
        # Focus order: the last field, then Save.
        page.get_by_label("People supported involved").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Save finding")).to_be_focused()
        for link, heading, button in (
            ("Feedback", "Record feedback", "Save feedback"),
            ("Visibility check", "Record a visibility check", "Save visibility check"),
        ):
            page.get_by_role("link", name=link, exact=True).click()
            page.get_by_role("heading", name=heading).wait_for()
            save_in_view(page, button)
        # A note and evidence on an action: their button stays with the field being typed in.
        page.goto(f"/#/actions/{floor.entry_id}")
        for label, button in (("Note", "Add note"), ("Where it is kept", "Add evidence")):
            page.get_by_label(label, exact=True).scroll_into_view_if_needed()
            box = page.get_by_role("button", name=button).bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (button, box)
    finally:
        ctx.close()


STRIP_HEIGHT_WITH = """(words) => {
  const text = document.getElementById('status-text');
  const before = text.textContent;
  text.textContent = words;
  const height = document.getElementById('status-area').offsetHeight;
  text.textContent = before;
  return height;
}"""


def test_walkaround_sources_are_few_with_the_rest_under_other(page, server, floor):
    """A rarer source is under "Other…"; the source chosen stays for the next finding (a
    round of findings from one audit or handover), and the next finding is accepted."""
    log_in(page, floor.carer)
    sources = page.get_by_role("group", name="Where did this come from?")
    expect(sources.get_by_role("radio")).to_have_count(6)
    expect(sources.get_by_label("Walkaround")).to_be_checked()
    other = page.get_by_label("Which other source?")
    expect(other).to_be_hidden()
    sources.get_by_text("Other…").click()
    other.select_option("audit")
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_label("What did you see?").fill("The audit found the fridge log blank for a week.")
    page.get_by_role("group", name="Risk").get_by_text("Medium", exact=True).click()
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save finding").click()
    page.get_by_role("status").filter(has_text="Saved. Sending now.").wait_for()
    expect(sources.get_by_label("Other…")).to_be_checked()
    expect(other).to_have_value("audit")
    # The next finding from the same audit: only what differs is entered.
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_label("What did you see?").fill("The same audit found two unsigned MAR charts.")
    page.get_by_role("group", name="Risk").get_by_text("High", exact=True).click()
    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_label("What did you see?")).to_have_value("")
    expect(page.get_by_text("There is a problem")).to_have_count(0)
    state = sync_now(page)
    assert (state["waiting"], state["rejected"]) == (0, 0)

    from server.findings.models import Finding

    sources_saved = db_query(
        server.app,
        lambda db: db.session.scalars(
            db.select(Finding.source).order_by(Finding.received_at)
        ).all(),
    )
    assert sources_saved == ["audit", "audit"]

    # The status strip keeps to one line whatever it says, so the form never jumps under
    # a tap while work is being sent.
    short = page.evaluate(STRIP_HEIGHT_WITH, "Online · nothing waiting")
    long = page.evaluate(
        STRIP_HEIGHT_WITH,
        "Online · 3 waiting to send, oldest 5 minutes ago · last synced today at 14:03 · "
        "sending… and a great deal more besides, enough to fill two lines of any tablet",
    )
    assert long == short


def test_offline_save_says_it_waits_for_a_signal(page, context, server, floor):
    log_in(page, floor.carer)
    go_offline(context, server)
    page.get_by_label("Area or routine").select_option("Lounge")
    page.get_by_label("What did you see?").fill("Call bell cord tied up out of reach.")
    page.get_by_role("group", name="Risk").get_by_text("High", exact=True).click()
    page.get_by_role("group", name="Is follow-up needed?").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save finding").click()
    page.get_by_role("status").filter(
        has_text="Saved. It is kept on this tablet and will be sent when there is a signal."
    ).wait_for()
    go_online(context, server)


OLD_DRAFT = """async (userId) => {
  const db = await import('/js/db.js');
  await db.saveDraft(userId, 'finding', { area: 'Lounge', source: 'audit',
    description: 'Fridge log blank for a week.' });
}"""


def test_a_draft_with_a_rarer_source_reopens_under_other(page, server, floor):
    """A draft typed before the short list keeps its source, now under "Other…"."""
    log_in(page, floor.carer)
    page.evaluate(OLD_DRAFT, str(floor.carer["id"]))
    page.reload()
    expect(page.get_by_label("What did you see?")).to_have_value("Fridge log blank for a week.")
    sources = page.get_by_role("group", name="Where did this come from?")
    expect(sources.get_by_label("Other…")).to_be_checked()
    expect(page.get_by_label("Which other source?")).to_have_value("audit")


def test_a_finding_takes_four_taps_plus_typing(page, server, floor):
    """Area (open the list, pick), then the description box already has the typing; risk;
    Save. Follow-up starts on Yes, and starts there again for the next finding."""
    log_in(page, floor.carer)
    follow_up = page.get_by_role("group", name="Is follow-up needed?")
    expect(follow_up.get_by_label("Yes")).to_be_checked()
    page.get_by_label("Area or routine").select_option("Lounge")
    expect(page.get_by_label("What did you see?")).to_be_focused()
    page.keyboard.type("Hoist battery left on charge in the corridor.")
    page.get_by_role("group", name="Risk").get_by_text("Low", exact=True).click()
    page.get_by_role("button", name="Save finding").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    expect(follow_up.get_by_label("Yes")).to_be_checked()
    assert sync_now(page)["waiting"] == 0

    from server.findings.models import Finding

    saved = db_query(
        server.app,
        lambda db: [
            (f.area, f.description, f.follow_up_needed)
            for f in db.session.scalars(db.select(Finding))
        ],
    )
    assert saved == [("Lounge", "Hoist battery left on charge in the corridor.", True)]
