"""The whole evidence pack summarises routine actions: a closed low-risk entry with no
challenge, escalation or safeguarding concern is one row of the statement's "Routine
low-risk actions" table, not a full card; high-risk, open and challenged entries are
printed in full (issue 16, point 7: the pack under 3 s without losing what an inspector
needs)."""

import re
from datetime import timedelta

import pytest

from server.common import dates
from server.evidence.services import build_pack
from server.extensions import db
from server.log import services as log
from tests.support import framework as shared
from tests.support import log_rules

pytestmark = pytest.mark.db

quick_passwords = shared.quick_passwords
only_saf_afterwards = shared.only_saf_afterwards
actor, draft, evidence, rm = (
    log_rules.actor,
    log_rules.draft,
    log_rules.evidence,
    log_rules.rm,
)
move = log_rules.move
S8 = ["saf-2023:S8"]


@pytest.fixture
def book(world, draft, rm, actor, evidence):
    carer = actor("senior_carer")

    def closed(concern, challenge=False):
        entry = move(draft(concern=concern, risk="low", statement_ids=S8), rm, "open")
        if challenge:
            log.challenge(rm, entry, "Show me the chart, not the word of it.")
        move(entry, carer, "mark_done")
        evidence(entry)
        return move(entry, rm, "close")

    made = {
        "routine": closed("Cream chart unsigned on Tuesday"),
        "challenged": closed("Bed rails not logged", challenge=True),
        "open": move(
            draft(concern="Room 4 call bell slow", risk="low", statement_ids=S8), rm, "open"
        ),
        "high": move(
            draft(concern="Insulin given late twice", risk="high", statement_ids=S8), rm, "open"
        ),
    }
    db.session.commit()
    return made


def whole_pack(world) -> dict:
    today = dates.london_today()
    params = {"service_id": str(world.home.id), "from": str(today - timedelta(days=7))}
    return build_pack(world.provider, {**params, "to": str(today), "statement_ids": []})


def test_the_whole_pack_summarises_a_closed_low_risk_entry_and_keeps_the_rest_in_full(world, book):
    pack = whole_pack(world)
    s8 = next(s for s in pack["key_questions"][0]["statements"] if s["code"] == "S8")
    assert [e["concern"] for e in s8["routine"]] == ["Cream chart unsigned on Tuesday"]
    assert [e["concern"] for e in s8["entries"]] == [
        "Bed rails not logged",
        "Room 4 call bell slow",
        "Insulin given late twice",
    ]
    assert s8["entries"][0]["attention"] == ["challenged"]
    assert pack["summary"]["routine"] == 1 and pack["summary"]["entries"] == 4
    assert "once closed, are listed in a short table" in pack["filter"]["routine"]


def test_the_page_prints_the_routine_row_and_the_high_risk_card(client, world, login, book):
    login(world.users["registered_manager"])
    today = dates.london_today()
    page = client.get(
        f"/api/v1/reports/evidence-pack.html?service_id={world.home.id}"
        f"&from={today - timedelta(days=7)}&to={today}"
    ).get_data(as_text=True)
    table = page[page.index('<table class="pack-table pack-routine">') :]
    table = table[: table.index("</table>")]
    assert "Routine low-risk actions (1)" in table
    row = re.search(
        r"<tr id=\"row-[^\"]+\"><td>Cream chart unsigned on Tuesday</td>.*?</tr>", table
    ).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    day = f"{today.day} {today:%B %Y}"
    assert cells == [
        "Cream chart unsigned on Tuesday",
        log_rules.GOOD,
        world.users["senior_carer"].display_name,
        day,
        "1",
    ]
    assert f'id="entry-{book["routine"].id}"' not in page  # no full card
    for key in ("high", "open", "challenged"):
        assert f'id="entry-{book[key].id}"' in page, key
    assert page.count("Cream chart unsigned on Tuesday") == 1
