"""The governance report agrees with itself and with the other screens.

The PDF's text is read back (pypdf) and its related figures compared: the overdue count
on the first page and the overdue rows listed, "overdue without interim controls" and the
rows printed "None recorded", each challenge once, every measured figure with its date,
the appendix with sign-offs first, and the CSV with the appendix's rows and columns
(the hand-built October log of tests/support/reports_governance.py). Then the report, its
CSV and the oversight dashboard give the same figures, record for record, over the
provider of tests/support/figures.py, whose log has an entry of every kind.
"""

import csv
import io
import re
import uuid

import pytest
from pypdf import PdfReader

from server.common.rendering import csv_safe, short_day
from server.common.types import clock_at
from server.extensions import db
from server.log.models import LogEntry
from tests.support import figures as fixture
from tests.support import reports_governance as shared
from tests.support.reports_governance import URL, at, d, entry, get_json

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: these come from the support module.
frozen = shared.frozen
log = shared.log


def _pdf_text(client, **query) -> str:
    response = client.get(URL + ".pdf", query_string={"month": "2026-10", **query})
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _csv(client, **query) -> list[dict]:
    response = client.get(URL + ".csv", query_string={"month": "2026-10", **query})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def _between(text: str, start: str, end: str) -> str:
    assert text.count(start) == 1, start
    return text.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture
def october(world, log):
    """The October log, with E11's sign-off recorded step by step (marked done by the
    senior carer, checked by the registered manager, signed off by the NI)."""
    e11 = log["E11"]
    e11.done_by, e11.done_at = world.users["senior_carer"].id, at(10)
    e11.checked_by, e11.checked_at = world.users["registered_manager"].id, at(12)
    e11.signed_off_at = at(15)
    db.session.commit()
    return log


def test_the_pdf_agrees_with_itself(world, october, login):
    client = login(world.users["nominated_individual"])
    report = get_json(client)
    text = _pdf_text(client)

    # The overdue count on the first page is the number of overdue rows listed.
    overdue = int(re.search(r"Overdue at month end (\d+) Entries with their owner", text)[1])
    listed = _between(text, "Entries overdue at month end Concern", "Past due at month end")
    assert overdue == report["figures"]["overdue"] == 3
    assert len(re.findall(r"\b(?:Low|Medium|High) risk\b", listed)) == overdue
    # "Overdue without interim controls" is the overdue rows printed "None recorded".
    bare = int(re.search(r"Overdue without interim controls (\d+)", text)[1])
    assert bare == listed.count("None recorded") == 2
    waiting = int(re.search(r"Past due, waiting for check or sign- ?off (\d+)", text)[1])
    waiting_rows = _between(text, "waiting for a check or sign-off Concern", "Reviews done")
    assert waiting == len(re.findall(r"\b(?:Low|Medium|High) risk\b", waiting_rows)) == 2

    # Each challenge is printed once.
    for challenge in report["minutes"]["challenges"]["items"]:
        assert text.count(challenge["text"]) == 1, challenge["text"]

    # Every measured figure carries its date.
    assert "The month in figures Figure October 2026 1 to 31 Oct 2026" in text
    assert "Early-warning signals as at the end of 31 October 2026" in text
    assert "Records flagged at 31 Oct 2026" in text
    statuses = re.findall(r"(On target|Below target|Target missed|No data yet)(.{0,40})", text)
    assert statuses and all(rest.strip().startswith("as at 31 Oct 2026") for _, rest in statuses)
    latest = re.findall(r"(\d+%) week of (\d+ \w+ 2026)", text)
    assert ("0%", "26 Oct 2026") in latest

    # The appendix: sign-offs first, every entry with a decision of the month once.
    appendix = text.split("Appendix: every decision and sign-off of October 2026", 1)[1]
    rows = report["appendix"]["rows"]
    assert [r["group"] for r in rows][:1] == ["signed_off"]
    assert (
        appendix.index("High-risk closures signed off (1)")
        < appendix.index("Escalation decisions (1)")
        < appendix.index("Entries opened (6)")
    )
    positions = [appendix.index(r["cells"]["Concern"]) for r in rows]
    assert positions == sorted(positions) and len(rows) == 8
    signed = rows[0]["cells"]
    assert signed["Concern"] == october["E11"].concern
    people = world.users
    for column, value in (
        ("Marked done by", people["senior_carer"].display_name),
        ("Checked by", people["registered_manager"].display_name),
        ("Signed off by", people["nominated_individual"].display_name),
    ):
        assert signed[column] == value
        assert f"{column}: {value}" in appendix


def test_the_csv_has_the_appendixs_rows_and_columns(world, october, login):
    client = login(world.users["nominated_individual"])
    report = get_json(client)
    rows = _csv(client)
    columns = report["appendix"]["columns"]
    assert set(columns) <= set(rows[0])
    marked = [r for r in rows if r["In the appendix"] == "yes"]
    by_id = {uuid.UUID(r["Entry id"]): r for r in marked}
    assert set(by_id) == {uuid.UUID(r["entry_id"]) for r in report["appendix"]["rows"]}
    for row in report["appendix"]["rows"]:
        got = {c: by_id[uuid.UUID(row["entry_id"])][c] for c in columns}
        assert got == {c: csv_safe(row["cells"][c]) for c in columns}
    # What the PDF prints of a row is what the CSV says, dates as the page writes them.
    text = _pdf_text(client)
    e11 = by_id[october["E11"].id]
    assert e11["Signed off on"] == "2026-10-15"
    assert f"Signed off on: {short_day(d(15))}" in text


@pytest.mark.parametrize("extra", [0, 30])
def test_overdue_without_controls_is_never_more_than_the_none_recorded_rows(world, login, extra):
    """However long the list, the count beside the signal is the count of its rows."""
    from tests.support.framework import ensure_default_framework

    ensure_default_framework()
    for n in range(extra):
        entry(world, world.home, f"Overdue action {n:02d}", opened=at(1, 9), due=d(1))
    entry(world, world.home, "Blank controls", opened=at(2), due=d(3), interim_controls=" \n")
    db.session.commit()
    client = login(world.users["nominated_individual"])
    report = get_json(client)
    counts = {c["signal"]: c["count"] for c in report["warnings"]["counts"]}
    assert counts["overdue_without_interim_controls"] == report["overdue"]["total"] == extra + 1
    shown = report["overdue"]["items"]
    assert sum(i["interim_controls"] == "" for i in shown) == min(extra + 1, 25)


# ---- the report, its CSV and the dashboard on one provider -------------------------------

MARCH = {"month": "2026-03"}
FLAGS = {
    "overdue": "Overdue at month end",
    "past_due_waiting": "Past due, waiting for check or sign-off at month end",
    "high_risk_open": "High risk and open at month end",
}


def test_report_csv_and_dashboard_give_the_same_figures(world, login):
    """March 2026 is still running on the 16th: the report counts as at today, and then
    every figure it shares with the dashboard is the same records."""
    made = fixture.build_log(world)
    client = login(world.users["nominated_individual"])
    with clock_at(fixture.NOW):
        report = client.get(URL, query_string=MARCH).get_json()
        board = client.get("/api/v1/oversight/dashboard").get_json()
        sheet = client.get(URL + ".csv", query_string=MARCH)
    assert report["as_of"] == "2026-03-16"
    rows = list(csv.DictReader(io.StringIO(sheet.data.decode("utf-8-sig"))))
    by_service = {s["service_name"]: s for s in report["by_service"]}
    counts = {s["service_id"]: s["counts"] for s in board["services"]}
    for service in (world.home, world.other):
        for name, column in FLAGS.items():
            want = {str(i) for i in fixture.expected(made, name, service)}
            assert want, name
            assert by_service[service.name][name] == len(want) == counts[str(service.id)][name]
            flagged = {
                r["Entry id"] for r in rows if r["Service"] == service.name and r[column] == "yes"
            }
            assert flagged == want, (service.name, name)
        bare = fixture.expected(made, "overdue_without_interim_controls", service)
        warned = {
            w["signal"]: w["count"]
            for w in report["warnings"]["items"]
            if w["service_id"] == str(service.id)
        }
        assert warned["overdue_without_interim_controls"] == len(bare)
        assert counts[str(service.id)]["overdue_without_interim_controls"] == len(bare)
    for name in FLAGS:
        assert report["figures"][name] == board["totals"][name] == len(fixture.expected(made, name))
    # The overdue list is those entries, with "None recorded" exactly on the bare ones.
    listed = {i["id"]: i for i in report["overdue"]["items"]}
    assert set(listed) == {str(i) for i in fixture.expected(made, "overdue")}
    bare = {str(i) for i in fixture.expected(made, "overdue_without_interim_controls")}
    assert {i for i, item in listed.items() if item["interim_controls"] == ""} == bare
    assert db.session.scalar(db.select(db.func.count()).select_from(LogEntry)) == len(made.entries)


def test_warnings_are_as_at_the_month_end_not_today(world, login):
    """What happened after October cannot change October's early warnings: a decision
    recorded, a finding triaged and a due date moved in November."""
    from server.findings.models import Finding
    from tests.support.framework import ensure_default_framework
    from tests.support.reports_governance import carry

    ensure_default_framework()
    home = world.home
    late = entry(world, home, "Decided in November", opened=at(5), due=d(30, 11), risk="high")
    late.escalation_decision, late.escalation_at = "escalated", at(3, 11)
    late.escalation_reason = "Told the provider"
    moved = entry(world, home, "Moved twice", opened=at(2), due=d(20, 11))
    carry(world, moved, d(10), d(20), at(9))
    carry(world, moved, d(20), d(20, 11), at(19))
    carry(world, moved, d(20, 11), d(30, 11), at(2, 11))  # after the month: not counted
    db.session.add(
        Finding(
            service_id=home.id,
            kind="walkaround_issue",
            area="Lounge",
            source="walkaround",
            description="Hoist sling frayed",
            risk="high",
            recorded_by=world.users["care_worker"].id,
            recorded_at=at(10),
            received_at=at(10),
            triage_state="dismissed",
            dismissed_reason="Replaced",
            triaged_at=at(2, 11),
        )
    )
    db.session.commit()
    counts = {
        c["signal"]: c["count"]
        for c in get_json(login(world.users["nominated_individual"]))["warnings"]["counts"]
    }
    # The high-risk entry and the finding were waiting for a decision at the end of October.
    assert counts["high_risk_no_escalation"] == 2
    assert counts["carried_forward"] == 1
    with clock_at(fixture.NOW.replace(year=2026, month=11, day=10)):
        now = login(world.users["nominated_individual"]).get("/api/v1/oversight/dashboard")
    # Today the dashboard no longer flags the decided entry or the dismissed finding.
    totals = {w["signal"]: w["count"] for s in now.get_json()["services"] for w in s["warnings"]}
    assert totals.get("high_risk_no_escalation", 0) == 0
