"""The vague-action check ties a concrete act down: "Maintenance to check the pump" names an
act but no owner role, no date or frequency and no measure, so it is flagged; any one of
them, or the entry's evidence-needed field, lets it stand (issue 16, point 8)."""

import pytest

from server.log.vague import LOOSE, check
from tests.support import log_api as shared
from tests.support.log_api import act

# (decision, evidence needed or None): each names an act but nothing that ties it down.
MUST_FAIL = [
    ("Maintenance to check the pump", None),
    ("Maintenance to fix the lift", None),
    ("Kitchen to order more thickener", None),
    ("Housekeeping to clean the carpets in the lounge", None),
    ("Staff to check the call bells", None),
    ("Replace the bath hoist battery", None),
    ("Repair the dripping tap in the sluice room", None),
    ("Order a new pressure mattress for the first floor", None),
    ("Check the fire doors close properly", None),
    ("Train staff on the new hoist", None),
    ("Update the care plan", ""),
    ("Book a GP visit for the resident in room 7", None),
    ("Team to audit the medication room", None),
    ("Contact the pharmacy about the missing stock", None),
    ("Arrange for the boiler to be serviced", None),
    ("Review the falls care plan for room 9", None),
    ("Send the incident form to the safeguarding team", None),
    ("Install a grab rail in the downstairs toilet", None),
    ("Night staff to check the sensor mats", None),
    ("Maintenance to check the pump", "Verbal"),
    ("Maintenance to check the pump", "N/A"),
    ("Fix the broken window restrictor on the first floor", "staff aware"),
]

# (decision, evidence needed or None): each names an owner role, a date or frequency, or a
# measure, or has evidence that shows it was done.
MUST_PASS = [
    (
        "Maintenance lead checks the pump pressure every Monday and records it in the "
        "maintenance log",
        None,
    ),
    ("Maintenance to check the pump by Friday", None),
    ("Maintenance to check the pump", "Pump service report from the contractor"),
    ("Handyperson fixes the lift door sensor", None),
    ("Chef orders thickener so that two tins are always in stock", None),
    ("Head housekeeper cleans the lounge carpets before the family day", None),
    ("Check every call bell in the Oak unit at the start of each shift", None),
    ("Replace the bath hoist battery today", None),
    ("Book a GP visit for room 7 for tomorrow morning", None),
    ("Audit the medication room stock on Tuesdays and Fridays", None),
    ("Check the sensor mats in rooms 3, 8 and 14 at 22:00 and 02:00", None),
    ("Train all 12 carers on the new hoist", None),
    ("Update the care plan for room 9 with the dietitian's advice within two working days", None),
    ("Run a music session and record who attended", None),
    ("Contact the pharmacy about the missing stock this afternoon", None),
    (
        "Fix the broken window restrictor on the first floor",
        "Maintenance job sheet signed off and a photo of the restrictor fitted",
    ),
    ("Audit hand hygiene on both units monthly", None),
    ("Check fridge temperatures twice a day", None),
    ("Deputy manager to check the pump", None),
    ("Check ten care plans for the new falls risk score", None),
    ("Audit the fluid charts until 100% are complete", None),
]


@pytest.mark.parametrize(("decision", "evidence"), MUST_FAIL)
def test_an_act_with_nothing_to_tie_it_down_is_flagged(decision, evidence):
    assert [(f.phrase, f.explanation) for f in check(decision, evidence)] == [(decision, LOOSE)]


@pytest.mark.parametrize(("decision", "evidence"), MUST_PASS)
def test_an_owner_role_a_date_a_measure_or_evidence_ties_it_down(decision, evidence):
    assert check(decision, evidence) == []


def test_the_flag_says_what_to_add():
    [flag] = check("Maintenance to check the pump")
    assert flag.explanation.startswith(
        "This decision names an act but not who will do it, when or how often, or how anyone "
        "will know it is done."
    )
    assert "the evidence needed counts" in flag.explanation


def test_a_department_is_not_a_role_but_its_lead_is():
    assert check("Maintenance to check the pump") != []
    assert check("Maintenance lead to check the pump") == []
    assert check("Kitchen to order more thickener") != []
    assert check("Kitchen manager to order more thickener") == []


def test_a_record_is_a_measure_when_something_is_recorded_not_when_it_is_named():
    assert check("Update the care record") != []
    assert check("Update the care plan and record the changes") == []


# ---- through the API: as it is typed, and when the entry is opened ----------------------

entry, rm_client = shared.entry, shared.rm_client
PUMP = "Maintenance to check the pump"
PROOF = "Pump service report from the contractor"


@pytest.mark.db
def test_the_as_you_type_check_reads_the_evidence_needed_too(rm_client):
    loose = rm_client.get("/api/v1/vague-check", query_string={"decision": PUMP}).get_json()
    assert loose == {"passes": False, "flags": [{"phrase": PUMP, "explanation": LOOSE}]}
    proved = rm_client.get(
        "/api/v1/vague-check", query_string={"decision": PUMP, "evidence_needed": PROOF}
    ).get_json()
    assert proved == {"passes": True, "flags": []}


@pytest.mark.db
def test_opening_needs_the_act_tied_down_and_evidence_that_proves_it_does(rm_client, entry):
    shown = entry(decision=PUMP, evidence_needed="Verbal")
    refused = act(rm_client, shown, "open")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["rule"] == "vague_decision"
    proved = entry(decision=PUMP, evidence_needed=PROOF)
    opened = act(rm_client, proved, "open")
    assert opened.status_code == 200, opened.get_json()
    codes = [f["code"] for f in opened.get_json()["flags"]]
    assert "vague_decision" not in codes
