"""The monthly governance report as JSON: every figure worked out by hand from a small log
over two services (built in tests/support/reports_governance.py), who may read which services, and
which month. The HTML page, the PDF's text and the CSV are in test_reports_governance_outputs.

The month is October 2026. London is on BST until Sunday 25 October, so the month begins
at 23:00 UTC on 30 September and ends at midnight UTC on 1 November. The report is made
on 10 November, so it is counted as at the end of 31 October.
"""

import pytest

from tests.support import reports_governance as shared
from tests.support.reports_governance import BOTH, HOME, OTHER, URL, get_json

pytestmark = pytest.mark.db

# pytest finds fixtures among a module's globals: these come from tests/support/reports_governance.py.
frozen = shared.frozen
log = shared.log


def test_every_figure_of_the_provider_wide_report(world, log, login):
    report = get_json(login(world.users["nominated_individual"]))
    assert (
        report["month"],
        report["month_label"],
        report["first_day"],
        report["last_day"],
        report["as_of"],
    ) == ("2026-10", "October 2026", "2026-10-01", "2026-10-31", "2026-10-31")
    assert report["whole_provider"] is True and report["title"] == "Brightwater Care"
    assert [s["name"] for s in report["services"]] == ["Ashdown House", "Beech Court"]
    assert report["figures"] == BOTH
    assert [
        (s["service_name"], {k: v for k, v in s.items() if k in HOME}) for s in report["by_service"]
    ] == [("Ashdown House", HOME), ("Beech Court", OTHER)]

    # The measure, judged by original due dates, weeks from Monday 5 Oct to 31 Oct:
    # week of 5 Oct: E1 done 8 Oct, due 10 Oct -> 1/1; week of 12 Oct: E11 -> 1/1;
    # week of 19 Oct: E3 not done (due 20) and E6 done 20 (due 25) -> 1/2;
    # week of 26 Oct: E4 not done (due 28) -> 0/1. E5 (due 31 Oct, not yet judged) is out.
    (measure,) = report["measures"]
    assert [
        (w["week_start"], w["value"], w["numerator"], w["denominator"]) for w in measure["series"]
    ] == [
        ("2026-10-05", 100.0, 1, 1),
        ("2026-10-12", 100.0, 1, 1),
        ("2026-10-19", 50.0, 1, 2),
        ("2026-10-26", 0.0, 0, 1),
    ]
    assert (
        measure["latest_value"],
        measure["latest_week_start"],
        measure["status"],
        measure["target"],
        measure["baseline"],
        measure["service_name"],
    ) == (0.0, "2026-10-26", "below_target", 90.0, 50.0, "Ashdown House")

    # Early warnings as at the end of 31 October, the log as it was then: E7 was closed on
    # no evidence; E4 (due 28 Oct then, moved on 5 Nov) and B3 were overdue with no interim
    # controls (E6, done on 20 Oct, was waiting for its check: not overdue); B2 is
    # high-risk with no escalation decision. The dashboard's "now" would miss E4 while the
    # overdue list below prints it with "None recorded".
    warnings = report["warnings"]
    assert warnings["as_of"] == "2026-10-31" and warnings["total"] == 4
    assert {c["signal"]: c["count"] for c in warnings["counts"] if c["count"]} == {
        "weak_closure_evidence": 1,
        "overdue_without_interim_controls": 2,
        "high_risk_no_escalation": 1,
    }
    assert [(w["service_name"], w["signal"], w["reason"]) for w in warnings["items"]] == [
        (
            "Ashdown House",
            "overdue_without_interim_controls",
            "1 entry overdue at the end of 31 October 2026 had no interim controls "
            "recorded; the oldest was due on 28 October 2026 (3 days before).",
        ),
        (
            "Ashdown House",
            "weak_closure_evidence",
            "1 closed entry rests on weak evidence: 1 with only verbal reassurance or no evidence.",
        ),
        (
            "Beech Court",
            "overdue_without_interim_controls",
            "1 entry overdue at the end of 31 October 2026 had no interim controls "
            "recorded; the oldest was due on 15 October 2026 (16 days before).",
        ),
        (
            "Beech Court",
            "high_risk_no_escalation",
            "1 high-risk entry had no escalation decision recorded within 24 hours of being "
            "received or created, at the end of 31 October 2026.",
        ),
    ]

    def rows(block):
        return [
            (i["concern"], i["due_date"], i["days_past_due"], i["interim_controls"])
            for i in block["items"]
        ]

    e = log
    assert report["high_risk_open"]["total"] == 4
    assert rows(report["high_risk_open"]) == [
        (e["E10"].concern, "2026-09-30", 31, "Daily MAR check by the nurse in charge"),
        (e["E3"].concern, "2026-10-20", 11, "Two-hourly checks by the nurse in charge"),
        (e["E5"].concern, "2026-10-31", 0, ""),
        (e["B2"].concern, "2026-11-01", 0, "Agency nurse on nights"),
    ]
    # "N days overdue" only for the owner's lateness: E10 is waiting for its sign-off.
    assert [i["days_overdue"] for i in report["high_risk_open"]["items"]] == [0, 11, 0, 0]
    # E4's due date is shown as it was at month end (28 Oct), not as moved on 5 Nov.
    assert report["overdue"]["total"] == 3
    assert rows(report["overdue"]) == [
        (e["B3"].concern, "2026-10-15", 16, ""),
        (e["E3"].concern, "2026-10-20", 11, "Two-hourly checks by the nurse in charge"),
        (e["E4"].concern, "2026-10-28", 3, ""),
    ]
    assert report["past_due_waiting"]["total"] == 2
    assert rows(report["past_due_waiting"]) == [
        (e["E10"].concern, "2026-09-30", 31, "Daily MAR check by the nurse in charge"),
        (e["E6"].concern, "2026-10-25", 6, ""),
    ]

    reviews = report["reviews"]
    assert (
        reviews["total"],
        reviews["by_outcome"],
        reviews["by_kind"],
        reviews["entry_outcomes"],
    ) == (
        3,
        {"assurance": 1, "challenge": 1, "further_action": 1},
        {"rm_weekly": 2, "provider_monthly": 1, "ad_hoc": 0},
        {"assurance": 1, "challenge": 1, "further_action": 0},
    )
    assert [(r["reviewed_on"], r["outcome"], r["comment"]) for r in reviews["items"]] == [
        ("2026-10-06", "assurance", "All on track"),
        ("2026-10-14", "further_action", "Chase the agency"),
        ("2026-10-28", "challenge", "Interim controls are missing on the audit actions"),
    ]
    assert [(c["kind"], c["concern"], c["text"]) for c in reviews["challenges"]["items"]] == [
        ("Review of the log", None, "Interim controls are missing on the audit actions"),
        ("Review of an entry", e["E4"].concern, "Add interim controls by Friday"),
    ]

    # Themes of the 7 entries opened: audit E1 E4, incident E3 B2, feedback B3,
    # handover E6, walkaround B1; statements S1 (E1 E3 B1) and S2 (E3).
    assert [(t["source"], t["count"]) for t in report["themes"]["by_source"]] == [
        ("audit", 2),
        ("incident", 2),
        ("feedback", 1),
        ("handover", 1),
        ("walkaround", 1),
    ]
    assert [(t["code"], t["title"], t["count"]) for t in report["themes"]["by_statement"]] == [
        ("S1", "Learning culture", 3),
        ("S2", "Safe systems, pathways and transitions", 1),
    ]

    # Decisions: 7 entries opened, 1 escalation decision (E3, 2 Oct; E11's was 2 Sep),
    # 1 high-risk closure signed off (E11). Challenges: the review's, its entry's, and
    # E10's sign-off challenge (E4's audit event belongs to the review: not counted twice).
    decisions = report["minutes"]["decisions"]
    assert (decisions["total"], decisions["counts"]) == (
        9,
        {"opened": 7, "escalation": 1, "signed_off": 1},
    )
    assert [(x["on"], x["kind"], x["concern"]) for x in decisions["items"]][:4] == [
        ("2026-10-01", "opened", e["E3"].concern),
        ("2026-10-01", "opened", e["B3"].concern),
        ("2026-10-02", "opened", e["E1"].concern),
        ("2026-10-02", "escalation", e["E3"].concern),
    ]
    assert decisions["items"][3]["text"] == (
        "Escalated to provider level: Safeguarding lead informed"
    )
    challenges = report["minutes"]["challenges"]
    assert challenges["total"] == 3
    assert [(c["on"], c["kind"], c["text"]) for c in challenges["items"]] == [
        ("2026-10-28", "Review of the log", "Interim controls are missing on the audit actions"),
        ("2026-10-28", "Review of an entry", "Add interim controls by Friday"),
        ("2026-10-29", "Sign-off of a high-risk closure", "Evidence predates the action"),
    ]


def test_one_service_counts_only_that_service(world, log, login):
    report = get_json(login(world.users["nominated_individual"]), service_id=world.other.id)
    assert report["whole_provider"] is False and report["title"] == "Beech Court"
    assert report["figures"] == OTHER
    assert report["measures"] == []
    assert report["reviews"]["total"] == 1 and report["minutes"]["challenges"]["total"] == 0
    assert report["minutes"]["decisions"]["counts"] == {
        "opened": 3,
        "escalation": 0,
        "signed_off": 0,
    }


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
        f"{URL}.pdf?month=2026-10&service_id={world.rival_service.id}"
    )
    assert rival.status_code == 404


@pytest.mark.parametrize("role", ["care_worker", "deputy_manager", "provider_admin"])
def test_other_roles_are_refused(world, log, login, role):
    client = login(world.users[role])
    response = client.get(URL + ".pdf?month=2026-10")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Your role does not allow printing reports (report.read)."
    )


def test_not_logged_in_is_401(client, world):
    assert client.get(URL + ".html?month=2026-10").status_code == 401


@pytest.mark.parametrize(
    "month, message",
    [
        ("2026-13", "Give the month as YYYY-MM, for example 2026-10."),
        ("October", "Give the month as YYYY-MM, for example 2026-10."),
        ("2026-12", "December 2026 has not begun yet."),
    ],
)
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
