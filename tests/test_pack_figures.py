"""The evidence pack marks late entries with the log's own figures (server.log.figures):
on the pack's last day, exactly the entries the log lists as overdue say "Overdue", and
exactly those it lists as past due and waiting for a check or sign-off say so; nothing
else does. Over the provider of tests/support/figures.py, whose log has an entry of every
kind."""

import re
import uuid
from datetime import timedelta

import pytest

from server.common.types import clock_at
from tests.support import figures as fixture

pytestmark = pytest.mark.db

# An entry printed in full (its card's first lines) or in the list of entries with no
# statement (its line): each starts at its anchor.
ENTRY = re.compile(r'id="entry-([0-9a-f-]{36})">(.*?)(?:<div class="pack-fields">|</li>)', re.S)
LATE = re.compile(r'<strong class="pack-late">([^<]*)</strong>')


def test_the_pack_marks_late_exactly_what_the_log_counts(client, world, login):
    log = fixture.build_log(world)
    login(world.users["registered_manager"])
    with clock_at(fixture.NOW):
        page = client.get(
            "/api/v1/reports/evidence-pack.html",
            query_string={
                "service_id": str(world.home.id),
                "from": str(fixture.TODAY - timedelta(days=30)),
                "to": str(fixture.TODAY),
            },
        )
        listed = {
            name: client.get("/api/v1/entries", query_string={"figure": name}).get_json()
            for name in ("overdue", "past_due_waiting")
        }
    assert page.status_code == 200
    marked: dict[str, set] = {}
    for entry_id, meta in ENTRY.findall(page.get_data(as_text=True)):
        for label in LATE.findall(meta):
            marked.setdefault(label, set()).add(uuid.UUID(entry_id))
    overdue = fixture.expected(log, "overdue", world.home)
    waiting = fixture.expected(log, "past_due_waiting", world.home)
    assert overdue and waiting
    assert marked == {"Overdue": overdue, "Past due, waiting for check or sign-off": waiting}
    for name, ids in (("overdue", overdue), ("past_due_waiting", waiting)):
        in_log = {uuid.UUID(e["id"]) for e in listed[name]["items"]}
        assert {i for i in in_log if i in ids} == ids  # the log's filter lists the same ones
