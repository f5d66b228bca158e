"""The monthly governance report: a small log over two services with every figure worked
out by hand, compared with the JSON report, the HTML page, the PDF's text and the CSV.

The month is October 2026. London is on BST until Sunday 25 October, so the month begins
at 23:00 UTC on 30 September and ends at midnight UTC on 1 November. The report is made
on 10 November, so it is counted as at the end of 31 October.
"""

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from server.audit.models import AuditEvent
from server.common.dates import LONDON
from server.common.types import clock_at
from server.extensions import db
from server.framework.services import ensure_default_framework
from server.log.models import CarryForward, EvidenceRef, LogEntry
from server.measures.models import ImprovementMeasure
from server.reviews.models import Review, ReviewItem

pytestmark = pytest.mark.db

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
URL = "/api/v1/reports/governance"


def at(day: int, month: int = 10, hour: int = 10, minute: int = 0) -> datetime:
    """A London wall-clock moment in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def d(day: int, month: int = 10) -> date:
    return date(2026, month, day)


@pytest.fixture(autouse=True)
def frozen():
    with clock_at(NOW):
        yield


def _add(record):
    db.session.add(record)
    db.session.flush()
    return record


def entry(world, service, concern, *, opened, due, source="audit", risk="medium",
          status="in_progress", completed=None, closed=None, statements=(), **fields):
    values = dict(
        service_id=service.id, concern=concern, source=source, risk=risk, status=status,
        decision=f"Owner acts on: {concern}", owner_id=world.users["senior_carer"].id,
        due_date=due, original_due_date=due, evidence_needed="Audit",
        created_by=world.users["registered_manager"].id,
        created_at=(opened or at(1)) - timedelta(hours=1), opened_at=opened,
        completed_on=completed, closed_at=closed,
    )
    values.update(fields)
    item = _add(LogEntry(**values))
    from server.framework.models import QualityStatement

    item.statements = [db.session.get(QualityStatement, f"saf-2023:{c}") for c in statements]
    if status == "closed" and closed and concern != "E7 closed in September":
        user = world.users["registered_manager"].id
        _add(EvidenceRef(entry_id=item.id, type="care_record", location="Care file",
                         evidence_date=completed or closed.date(), checked_by=user,
                         added_by=user))
    db.session.flush()
    return item


def carry(world, item, from_date, to_date, made):
    _add(CarryForward(entry_id=item.id, from_date=from_date, to_date=to_date,
                      reason="Auditor off sick", author_id=world.users["registered_manager"].id,
                      created_at=made))


def review(world, service, kind, outcome, comment, when, items=()):
    reviewer = world.users["nominated_individual" if kind == "provider_monthly"
                           else "registered_manager"]
    item = Review(service_id=service.id, kind=kind, outcome=outcome, comment=comment,
                  reviewer_id=reviewer.id, reviewed_at=when)
    item.items = [ReviewItem(entry_id=e.id, outcome=o, comment=c) for e, o, c in items]
    return _add(item)


@pytest.fixture
def log(world):
    """The hand-built log. Ashdown House (home) and Beech Court (other); a line per entry
    says which October figures it counts in."""
    ensure_default_framework()
    home, other = world.home, world.other
    e = {}
    # opened, closed, within timescale (done 8 Oct, due 10 Oct)
    e["E1"] = entry(world, home, "E1 bed rails audit", opened=at(2), due=d(10), status="closed",
                    completed=d(8), closed=at(12), statements=["S1"])
    # closed, NOT within: originally due 20 Sep, carried forward to 5 Oct, done 4 Oct
    e["E2"] = entry(world, home, "E2 fire doors", opened=at(15, 9), due=d(5),
                    original_due_date=d(20, 9), status="closed", completed=d(4), closed=at(6))
    carry(world, e["E2"], d(20, 9), d(5), at(19, 9))
    # opened at 00:30 on 1 October London (23:30 UTC on 30 Sep); overdue (due 20 Oct);
    # high-risk open with interim controls; escalated on 2 Oct
    e["E3"] = entry(world, home, "E3 choking risk plan", opened=at(1, hour=0, minute=30),
                    due=d(20), source="incident", risk="high", statements=["S1", "S2"],
                    interim_controls="Two-hourly checks by the nurse in charge",
                    escalation_decision="escalated", escalated=True,
                    escalation_reason="Safeguarding lead informed", escalation_at=at(2, hour=15))
    # opened; due 28 Oct at month end (moved to 15 Nov on 5 Nov), so overdue at month end
    e["E4"] = entry(world, home, "E4 hoist slings", opened=at(20), due=d(15, 11),
                    original_due_date=d(28), status="open")
    carry(world, e["E4"], d(28), d(15, 11), at(5, 11))
    # due on the month's last day: not overdue; high-risk open with NO interim controls
    e["E5"] = entry(world, home, "E5 pressure care", opened=at(25, 9), due=d(31), risk="high",
                    escalation_decision="not_escalated", escalation_reason="Managed in house",
                    escalation_at=at(26, 9))
    # opened; closed at 00:30 on 1 November: after the month, so open and overdue at its end
    e["E6"] = entry(world, home, "E6 handover sheet", opened=at(5), due=d(25), source="handover",
                    status="closed", completed=d(20), closed=at(1, 11, hour=0, minute=30))
    # closed in September: not in October's report at all (and its evidence is weak)
    e["E7"] = entry(world, home, "E7 closed in September", opened=at(1, 9), due=d(25, 9),
                    status="closed", completed=d(24, 9), closed=at(29, 9))
    # a draft (never opened) and a deleted entry count nowhere
    e["E8"] = entry(world, home, "E8 draft", opened=None, due=None, status="draft",
                    created_at=at(3))
    e["E9"] = entry(world, home, "E9 deleted", opened=at(3), due=d(4), deleted_at=at(4))
    # high-risk, awaiting sign-off since September: overdue 31 days, high-risk open
    e["E10"] = entry(world, home, "E10 warfarin signatures", opened=at(1, 9), due=d(30, 9),
                     risk="high", status="awaiting_sign_off", completed=d(29, 9),
                     interim_controls="Daily MAR check by the nurse in charge",
                     escalation_decision="escalated", escalation_reason="Pharmacist review",
                     escalation_at=at(5, 9))
    # high-risk, signed off on 15 Oct: closed and within timescale (done 10 Oct, due 12 Oct)
    e["E11"] = entry(world, home, "E11 bath temperatures", opened=at(1, 9), due=d(12),
                     risk="high", status="closed", completed=d(10), closed=at(15),
                     signed_off_by=world.users["nominated_individual"].id,
                     escalation_decision="escalated", escalation_reason="Scald risk",
                     escalation_at=at(2, 9))
    # Beech Court: opened and closed, not within (done 21 Oct, due 20 Oct)
    e["B1"] = entry(world, other, "B1 garden gate", opened=at(10), due=d(20),
                    source="walkaround", status="closed", completed=d(21), closed=at(22),
                    statements=["S1"])
    # opened; high-risk open (no escalation decision: an early warning); due 1 Nov
    e["B2"] = entry(world, other, "B2 night staffing", opened=at(12), due=d(1, 11),
                    source="incident", risk="high", status="open",
                    interim_controls="Agency nurse on nights")
    # opened; overdue 16 days with no interim controls (an early warning); a formula concern
    e["B3"] = entry(world, other, "=cmd|' /C calc'!A0", opened=at(1), due=d(15),
                    source="feedback", risk="low")
    # Reviews: three in October (one outside), one challenge with one challenged entry
    review(world, home, "rm_weekly", "assurance", "All on track", at(6))
    review(world, home, "provider_monthly", "challenge",
           "Interim controls are missing on the audit actions", at(28),
           items=[(e["E4"], "challenge", "Add interim controls by Friday"),
                  (e["E1"], "assurance", "")])
    review(world, other, "rm_weekly", "further_action", "Chase the agency", at(14))
    review(world, home, "rm_weekly", "assurance", "September review", at(30, 9))
    # A high-risk closure challenged at sign-off on 29 Oct (the audit trail records it);
    # the review's challenge of E4 is in the trail too, and counted once, with its review.
    ni = world.users["nominated_individual"]
    for item, changes in ((e["E10"], {"reason": "Evidence predates the action"}),
                          (e["E4"], {"reason": "Add interim controls by Friday",
                                     "review_id": str(uuid.uuid4())})):
        _add(AuditEvent(at=at(29), actor_id=ni.id, channel="desk", entity_type="log_entry",
                        entity_id=str(item.id), action="challenge", service_id=item.service_id,
                        changes=changes))
    _add(ImprovementMeasure(
        service_id=home.id, name="90% of follow-ups within timescale",
        metric="follow_ups_within_timescale", baseline=50.0, target=90.0,
        start_date=d(5), deadline=d(30, 11), created_by=world.users["registered_manager"].id))
    db.session.commit()
    return e


def get_json(client, **query):
    response = client.get(URL, query_string={"month": "2026-10", **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# Ashdown House: opened E1 E3 E4 E6 = 4; closed E1 E2 E11 = 3, of which E1 and E11 were
# done by their original due date = 2 (66.7%); overdue at month end E3 (20 Oct) E4 (28 Oct
# then) E6 (25 Oct) E10 (30 Sep) = 4, E5 (due 31 Oct) is not; high-risk open E3 E5 E10 = 3.
HOME = {"opened": 4, "closed": 3, "closed_within_timescale": 2,
        "within_timescale_percent": 66.7, "overdue": 4, "high_risk_open": 3}
# Beech Court: opened B1 B2 B3 = 3; closed B1 = 1, late (0.0%); overdue B3 = 1; high B2 = 1.
OTHER = {"opened": 3, "closed": 1, "closed_within_timescale": 0,
         "within_timescale_percent": 0.0, "overdue": 1, "high_risk_open": 1}
# The provider: 7 opened, 4 closed, 2 within (50.0%), 5 overdue, 4 high-risk open.
BOTH = {"opened": 7, "closed": 4, "closed_within_timescale": 2,
        "within_timescale_percent": 50.0, "overdue": 5, "high_risk_open": 4}


def test_every_figure_of_the_provider_wide_report(world, log, login):
    report = get_json(login(world.users["nominated_individual"]))
    assert (report["month"], report["month_label"], report["first_day"], report["last_day"],
            report["as_of"]) == ("2026-10", "October 2026", "2026-10-01", "2026-10-31",
                                 "2026-10-31")
    assert report["whole_provider"] is True and report["title"] == "Brightwater Care"
    assert [s["name"] for s in report["services"]] == ["Ashdown House", "Beech Court"]
    assert report["figures"] == BOTH
    assert [(s["service_name"], {k: v for k, v in s.items() if k in HOME})
            for s in report["by_service"]] == [("Ashdown House", HOME), ("Beech Court", OTHER)]

    # The measure, judged by original due dates, weeks from Monday 5 Oct to 31 Oct:
    # week of 5 Oct: E1 done 8 Oct, due 10 Oct -> 1/1; week of 12 Oct: E11 -> 1/1;
    # week of 19 Oct: E3 not done (due 20) and E6 done 20 (due 25) -> 1/2;
    # week of 26 Oct: E4 not done (due 28) -> 0/1. E5 (due 31 Oct, not yet judged) is out.
    (measure,) = report["measures"]
    assert [(w["week_start"], w["value"], w["numerator"], w["denominator"])
            for w in measure["series"]] == [
        ("2026-10-05", 100.0, 1, 1), ("2026-10-12", 100.0, 1, 1),
        ("2026-10-19", 50.0, 1, 2), ("2026-10-26", 0.0, 0, 1)]
    assert (measure["latest_value"], measure["latest_week_start"], measure["status"],
            measure["target"], measure["baseline"], measure["service_name"]) == (
        0.0, "2026-10-26", "below_target", 90.0, 50.0, "Ashdown House")

    # Early warnings at the end of 31 October: E7 was closed on no evidence; B3 is overdue
    # with no interim controls; B2 is high-risk with no escalation decision.
    warnings = report["warnings"]
    assert warnings["as_of"] == "2026-10-31" and warnings["total"] == 3
    assert {c["signal"]: c["count"] for c in warnings["counts"] if c["count"]} == {
        "weak_closure_evidence": 1, "overdue_without_interim_controls": 1,
        "high_risk_no_escalation": 1}
    assert [(w["service_name"], w["signal"], w["reason"]) for w in warnings["items"]] == [
        ("Ashdown House", "weak_closure_evidence", "1 closed entry rests on weak evidence: "
         "1 with only verbal reassurance or no evidence."),
        ("Beech Court", "overdue_without_interim_controls", "1 overdue entry has no interim "
         "controls recorded; the oldest was due on 15 October 2026 (16 days ago)."),
        ("Beech Court", "high_risk_no_escalation", "1 high-risk entry has no escalation "
         "decision recorded within 24 hours of being received or created."),
    ]

    def rows(block):
        return [(i["concern"], i["due_date"], i["days_overdue"], i["interim_controls"])
                for i in block["items"]]

    e = log
    assert report["high_risk_open"]["total"] == 4
    assert rows(report["high_risk_open"]) == [
        (e["E10"].concern, "2026-09-30", 31, "Daily MAR check by the nurse in charge"),
        (e["E3"].concern, "2026-10-20", 11, "Two-hourly checks by the nurse in charge"),
        (e["E5"].concern, "2026-10-31", 0, ""),
        (e["B2"].concern, "2026-11-01", 0, "Agency nurse on nights")]
    # E4's due date is shown as it was at month end (28 Oct), not as moved on 5 Nov.
    assert report["overdue"]["total"] == 5
    assert rows(report["overdue"]) == [
        (e["E10"].concern, "2026-09-30", 31, "Daily MAR check by the nurse in charge"),
        (e["B3"].concern, "2026-10-15", 16, ""),
        (e["E3"].concern, "2026-10-20", 11, "Two-hourly checks by the nurse in charge"),
        (e["E6"].concern, "2026-10-25", 6, ""),
        (e["E4"].concern, "2026-10-28", 3, "")]

    reviews = report["reviews"]
    assert (reviews["total"], reviews["by_outcome"], reviews["by_kind"],
            reviews["entry_outcomes"]) == (
        3, {"assurance": 1, "challenge": 1, "further_action": 1},
        {"rm_weekly": 2, "provider_monthly": 1, "ad_hoc": 0},
        {"assurance": 1, "challenge": 1, "further_action": 0})
    assert [(r["reviewed_on"], r["outcome"], r["comment"]) for r in reviews["items"]] == [
        ("2026-10-06", "assurance", "All on track"),
        ("2026-10-14", "further_action", "Chase the agency"),
        ("2026-10-28", "challenge", "Interim controls are missing on the audit actions")]
    assert [(c["kind"], c["concern"], c["text"]) for c in reviews["challenges"]["items"]] == [
        ("Review of the log", None, "Interim controls are missing on the audit actions"),
        ("Review of an entry", e["E4"].concern, "Add interim controls by Friday")]

    # Themes of the 7 entries opened: audit E1 E4, incident E3 B2, feedback B3,
    # handover E6, walkaround B1; statements S1 (E1 E3 B1) and S2 (E3).
    assert [(t["source"], t["count"]) for t in report["themes"]["by_source"]] == [
        ("audit", 2), ("incident", 2), ("feedback", 1), ("handover", 1), ("walkaround", 1)]
    assert [(t["code"], t["title"], t["count"]) for t in report["themes"]["by_statement"]] == [
        ("S1", "Learning culture", 3), ("S2", "Safe systems, pathways and transitions", 1)]

    # Decisions: 7 entries opened, 1 escalation decision (E3, 2 Oct; E11's was 2 Sep),
    # 1 high-risk closure signed off (E11). Challenges: the review's, its entry's, and
    # E10's sign-off challenge (E4's audit event belongs to the review: not counted twice).
    decisions = report["minutes"]["decisions"]
    assert (decisions["total"], decisions["counts"]) == (
        9, {"opened": 7, "escalation": 1, "signed_off": 1})
    assert [(x["on"], x["kind"], x["concern"]) for x in decisions["items"]][:4] == [
        ("2026-10-01", "opened", e["E3"].concern), ("2026-10-01", "opened", e["B3"].concern),
        ("2026-10-02", "opened", e["E1"].concern), ("2026-10-02", "escalation", e["E3"].concern)]
    assert decisions["items"][3]["text"] == ("Escalated to provider level: Safeguarding lead "
                                            "informed")
    challenges = report["minutes"]["challenges"]
    assert challenges["total"] == 3
    assert [(c["on"], c["kind"], c["text"]) for c in challenges["items"]] == [
        ("2026-10-28", "Review of the log", "Interim controls are missing on the audit actions"),
        ("2026-10-28", "Review of an entry", "Add interim controls by Friday"),
        ("2026-10-29", "Sign-off of a high-risk closure", "Evidence predates the action")]


def test_one_service_counts_only_that_service(world, log, login):
    report = get_json(login(world.users["nominated_individual"]), service_id=world.other.id)
    assert report["whole_provider"] is False and report["title"] == "Beech Court"
    assert report["figures"] == OTHER
    assert report["measures"] == []
    assert report["reviews"]["total"] == 1 and report["minutes"]["challenges"]["total"] == 0
    assert report["minutes"]["decisions"]["counts"] == {"opened": 3, "escalation": 0,
                                                        "signed_off": 0}


def test_html_page_shows_the_figures_and_passes_the_csp(world, log, login):
    client = login(world.users["nominated_individual"])
    response = client.get(URL + ".html?month=2026-10")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Disposition"] == (
        'inline; filename="careloop-governance-2026-10-brightwater-care.html"')
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    assert "<h1>Governance report: October 2026</h1>" in html
    for text in ('<td class="num">7</td>', '<td class="num">50%</td>',
                 "2 of the 4 entries closed in the month", "66.7%", "Beech Court",
                 "Two-hourly checks by the nurse in charge", "None recorded",
                 "Evidence predates the action", "S1 Learning culture",
                 'href="/api/v1/reports/governance.csv?month=2026-10"',
                 'href="/css/report.css"', 'src="data:image/svg+xml;base64,',
                 "90% of follow-ups within timescale: latest 0%, target 90%"):
        assert text in html, text
    # A concern is text, never markup.
    assert "=cmd|&#39; /C calc&#39;!A0" in html


def test_pdf_text_has_the_title_names_and_numbers(world, log, login):
    client = login(world.users["nominated_individual"])
    response = client.get(URL + ".pdf", query_string={"month": "2026-10",
                                                      "service_id": world.home.id})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="careloop-governance-2026-10-ashdown-house.pdf"')
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for words in ("Governance report: October 2026", "Ashdown House",
                  "Counted as at the end of 31 October 2026", "66.7%",
                  "2 of the 3 entries closed in the month", "Target 90%", "Weekly value",
                  "E10 warfarin signatures", "Evidence predates the action",
                  "Page 1 of"):
        assert words in text, words


def test_csv_has_one_row_per_entry_of_the_month_and_no_formulas(world, log, login):
    client = login(world.users["nominated_individual"])
    response = client.get(URL + ".csv?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="careloop-governance-2026-10-brightwater-care.csv"')
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    e = log
    # Every entry open at some moment of October: not E7 (closed in Sept), E8 (draft), E9.
    live = ["E1", "E2", "E3", "E4", "E5", "E6", "E10", "E11", "B1", "B2", "B3"]
    assert sorted(uuid.UUID(r["Entry id"]) for r in rows) == sorted(e[k].id for k in live)
    by_id = {uuid.UUID(r["Entry id"]): r for r in rows}
    for column, figure in (("Opened in the month", "opened"), ("Closed in the month", "closed"),
                           ("Overdue at month end", "overdue"),
                           ("Completed within timescale", "closed_within_timescale"),
                           ("High risk and open at month end", "high_risk_open")):
        assert sum(r[column] == "yes" for r in rows) == BOTH[figure], column
    e4 = by_id[e["E4"].id]
    assert (e4["Service"], e4["Original due date"], e4["Due date at month end"],
            e4["Times carried forward"], e4["Overdue at month end"]) == (
        "Ashdown House", "2026-10-28", "2026-10-28", "1", "yes")
    assert by_id[e["E3"].id]["Quality statements"] == "S1; S2"
    assert by_id[e["E3"].id]["Opened on"] == "2026-10-01"
    assert by_id[e["B3"].id]["Concern"] == "'=cmd|' /C calc'!A0"
    assert [r["Service"] for r in rows][-3:] == ["Beech Court"] * 3
    assert list(rows[0]) == [
        "Service", "Entry id", "Concern", "Source", "Risk", "Status now", "Owner", "Decision",
        "Evidence needed", "Interim controls", "Original due date", "Due date at month end",
        "Times carried forward", "Opened on", "First marked done on", "Closed on",
        "Opened in the month", "Closed in the month", "Overdue at month end",
        "Completed within timescale", "High risk and open at month end", "Quality statements"]


def test_csv_safe_cells():
    from server.common.rendering import csv_safe

    assert [csv_safe(v) for v in ("=1+1", "+44 1234", "-2", "@SUM(A1)", "\tx", "plain",
                                  None, True, d(3))] == [
        "'=1+1", "'+44 1234", "'-2", "'@SUM(A1)", "'\tx", "plain", "", "yes", "2026-10-03"]


def test_a_long_list_is_summarised_with_a_link_to_the_csv(world, login):
    ensure_default_framework()
    for n in range(27):
        entry(world, world.home, f"Overdue action {n:02d}", opened=at(1, 9), due=d(1))
    db.session.commit()
    client = login(world.users["provider_quality_lead"])
    report = get_json(client)
    assert report["overdue"]["total"] == 27 and len(report["overdue"]["items"]) == 25
    html = client.get(URL + ".html?month=2026-10").get_data(as_text=True)
    assert ('and 2 more overdue entries — <a href="/api/v1/reports/governance.csv?'
            'month=2026-10">see the CSV</a>') in html
    assert html.count(">Overdue action ") == 25
    pdf = client.get(URL + ".pdf?month=2026-10").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "and 2 more overdue entries — see the CSV of the month's entries" in text


@pytest.mark.parametrize("ext", ["", ".html", ".csv"])
def test_registered_manager_reports_on_own_service_only(world, log, login, ext):
    client = login(world.users["registered_manager"])
    own = client.get(f"{URL}{ext}?month=2026-10&service_id={world.home.id}")
    assert own.status_code == 200
    other = client.get(f"{URL}{ext}?month=2026-10&service_id={world.other.id}")
    assert other.status_code == 403
    assert other.get_json()["error"]["message"] == "Your role does not allow this (report.read)."
    rival = client.get(f"{URL}{ext}?month=2026-10&service_id={world.rival_service.id}")
    assert rival.status_code == 404


def test_registered_manager_whole_provider_means_their_services(world, log, login):
    report = get_json(login(world.users["registered_manager"]))
    assert [s["name"] for s in report["services"]] == ["Ashdown House"]
    assert report["figures"] == HOME
    csv_text = login(world.users["registered_manager"]).get(URL + ".csv?month=2026-10")
    assert b"Beech Court" not in csv_text.data


@pytest.mark.parametrize("role", ["nominated_individual", "provider_quality_lead"])
def test_provider_leads_see_every_service(world, log, login, role):
    report = get_json(login(world.users[role]))
    assert [s["name"] for s in report["services"]] == ["Ashdown House", "Beech Court"]
    rival = login(world.users[role]).get(
        f"{URL}.pdf?month=2026-10&service_id={world.rival_service.id}")
    assert rival.status_code == 404


@pytest.mark.parametrize("role", ["care_worker", "deputy_manager", "provider_admin"])
def test_other_roles_are_refused(world, log, login, role):
    client = login(world.users[role])
    response = client.get(URL + ".pdf?month=2026-10")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Your role does not allow printing reports (report.read).")


def test_not_logged_in_is_401(client, world):
    assert client.get(URL + ".html?month=2026-10").status_code == 401


@pytest.mark.parametrize("month, message", [
    ("2026-13", "Give the month as YYYY-MM, for example 2026-10."),
    ("October", "Give the month as YYYY-MM, for example 2026-10."),
    ("2026-12", "December 2026 has not begun yet."),
])
def test_a_bad_month_names_the_field(world, login, month, message):
    response = login(world.users["nominated_individual"]).get(f"{URL}?month={month}")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"month": message}


def test_month_defaults_to_last_month_and_a_running_month_counts_to_today(world, login):
    client = login(world.users["nominated_individual"])
    assert get_json(client, month="")["month"] == "2026-10"
    response = client.get(URL)
    assert response.get_json()["month"] == "2026-10"
    running = client.get(URL + "?month=2026-11").get_json()
    assert (running["as_of"], running["last_day"]) == ("2026-11-10", "2026-11-30")
