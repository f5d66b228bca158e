"""The vague-action check: real decisions from care logs, both ways (DESIGN.md rule 1)."""

import pytest

from server.log.vague import Flag, check

CONCRETE = [
    "Deputy manager audits 10 MAR charts every Friday",
    "Deputy manager audits 10 MAR charts every Friday to ensure signatures are complete",
    "Duty manager assigns each new follow-up action to a named staff member before shift end",
    "Registered manager introduces next-day completion checks from Monday 3 June",
    "Book the GP review for Mr T by Thursday and record the outcome in his care plan",
    "Replace the broken call bell in room 12 by Friday",
    "Senior carer observes two lunchtime meals a week and records what she sees",
    "Deputy manager reviews the falls risk assessments for rooms 4 and 9 by 14 June",
    "Night staff trained in catheter care by 30 June; training record kept in the office",
    "Handover sheet rewritten to include the fluid targets, in use from 1 July",
    "Care coordinator checks completion of every follow-up action the next working day",
    "Monitor fluid charts and audit them weekly",
    "Maintenance repairs the sluice room door lock by Wednesday",
    "Registered manager supervises each senior carer on the medication round this month",
    "Call the district nurse today about the pressure sore in room 8",
    "Schedule a moving and handling refresher for the four new starters before 20 July",
    "Arrange a best-interests meeting with the family and social worker by 5 August",
    "RM meets the night team on 12 June and agrees a new staffing rota for weekends",
    "Key worker updates the communication passport for AB with the speech therapist",
    "Deputy spot-checks five daily notes a day for a fortnight and feeds back the same day",
    "Order a replacement sensor mat for room 4 and fit it on delivery",
    "Complete the outstanding supervision for the three bank staff by Friday",
]

VAGUE = [
    ("Monitor fluid charts for residents in rooms 3 and 5", "Monitor"),
    ("Remind staff to complete fluid charts", "Remind staff"),
    ("Remind all staff to check and record fluid intake at every meal", "Remind all staff"),
    ("Continue to complete daily checks of the medication room", "Continue to"),
    ("Staff to be aware of the new falls risk for room 4", "be aware"),
    ("Keep an eye on Mrs B's skin integrity overnight", "Keep an eye on"),
    ("Ensure all staff complete and sign the MAR charts", "Ensure"),
    ("Discuss at the next team meeting", "Discuss"),
    ("Consider installing a sensor mat in room 4", "Consider"),
    ("Look into the staffing on nights", "Look into"),
    ("Try to reduce late medication", "Try to"),
    ("Ongoing monitoring of call bell response times", "Ongoing"),
    ("Audit MAR charts as required", "as required"),
    ("Deputy manager audits the kitchen as needed", "as needed"),
    ("Encourage staff to report falls promptly", "Encourage"),
    ("Keep under review at the weekly meeting", "Keep under review"),
    ("Staff made aware at handover of the change to Mr D's diet", "made aware"),
    ("Continuing with the current plan for night checks", "Continuing with"),
]

NO_ACT = [
    "Registered manager reviews progress at the end of the month",
    "Review the situation next week with the team",
    "Call bell response times are too slow",
    "Staff meeting about call bells",
    "Better communication between day and night staff",
]


@pytest.mark.parametrize("decision", CONCRETE)
def test_concrete_decisions_pass(decision):
    assert check(decision) == []


@pytest.mark.parametrize(("decision", "phrase"), VAGUE)
def test_vague_wording_is_flagged_with_the_words_at_fault(decision, phrase):
    flags = check(decision)
    assert phrase in [f.phrase for f in flags]
    flag = next(f for f in flags if f.phrase == phrase)
    assert flag.explanation.startswith(f'"{phrase[0].upper()}{phrase[1:]}"')


@pytest.mark.parametrize("decision", NO_ACT)
def test_decisions_with_no_concrete_act_are_flagged(decision):
    flags = check(decision)
    assert len(flags) == 1
    assert flags[0].phrase == decision
    assert flags[0].explanation.startswith(
        "This decision does not name a concrete act that someone will carry out"
    )


def test_monitor_explanation_says_what_to_write_instead():
    [flag] = check("Monitor the fluid charts on the first floor")
    assert flag == Flag(
        "Monitor",
        (
            '"Monitor" does not say what will be done. Say what will be checked, by whom and how '
            'often — for example "Deputy manager audits 10 MAR charts every Friday".'
        ),
    )


@pytest.mark.parametrize("decision", ["", "   ", "Audit", "Audit MAR charts", "Fix it"])
def test_too_short_decisions_are_flagged(decision):
    flags = check(decision)
    assert flags[-1].explanation.startswith("This decision is too short to show what will be done.")


def test_short_vague_decision_gets_both_explanations():
    phrases = [f.phrase for f in check("Monitor and review")]
    assert phrases == ["Monitor", "Monitor and review"]


def test_act_inside_the_vague_wording_does_not_count():
    # "check" and "record" are what staff are reminded of, not what anyone will do.
    assert [f.phrase for f in check("Remind staff to check and record fluid intake daily")] == [
        "Remind staff"
    ]
    # After the sentence ends, a real act stands on its own.
    assert check("Remind staff at handover. Deputy audits the fluid charts every Friday") == []


def test_open_ended_qualifier_is_flagged_beside_a_concrete_act():
    flags = check("Senior carer checks the pressure mattresses weekly and as required")
    assert [f.phrase for f in flags] == ["as required"]


def test_review_counts_only_with_something_specific_to_review():
    assert check("Deputy manager reviews all MAR charts for the first floor on Friday") == []
    assert check("Deputy manager reviews this again at the end of the month") != []


def test_white_space_and_case_do_not_matter():
    assert [f.phrase for f in check("  MONITOR   fluid\ncharts   in room 3  ")] == ["MONITOR"]
