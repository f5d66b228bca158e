"""What the demo's managers decide about each kind of concern: one plan per topic, so a
dentist-referral concern gets an appointments decision, not a call-bell audit.

Each plan holds the words that name its topic (in a concern and in its decision), the
decision (its owner role first), the role that owns it, the evidence needed and the quality
statements. ``plan_for`` gives the plan for a finding's words: every text the seed records
is listed with its topic; anything else is matched by its topic words.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    words: tuple[str, ...]
    decision: str
    role: str
    evidence: str
    statements: tuple[str, ...]


def _p(words, role, decision, evidence, *statements) -> Plan:
    return Plan(tuple(words), decision, role, evidence, tuple(f"saf-2023:{s}" for s in statements))


SENIOR, KEY = "senior_carer", "key_worker"

PLANS = {
    "call_bells": _p(
        ("call bell", "waited"),
        SENIOR,
        "Senior carer to check that every call bell is within reach on each bedroom round, "
        "twice a day for two weeks, and record any out of reach on the call bell sheet",
        "Call bell sheets for two weeks with every bedroom checked twice a day",
        "S5",
        "C4",
    ),
    "charts": _p(
        ("chart", "fluid"),
        SENIOR,
        "Senior carer to check every fluid chart at 14:00 and 20:00 daily and record any "
        "gaps on the handover sheet",
        "Chart audit showing no gaps for two weeks",
        "S2",
        "E5",
    ),
    "pressure_care": _p(
        ("pressure", "repositioning", "mattress", "cushion"),
        SENIOR,
        "Senior carer to check pressure cushions, mattresses and repositioning times for "
        "everyone at risk twice a day and record them on the pressure care chart",
        "Pressure care charts with no gap over the planned interval for two weeks",
        "S5",
        "E2",
    ),
    "wet_floors": _p(
        ("wet floor", "warning sign"),
        SENIOR,
        "Senior carer to check the corridors for wet floors and warning signs on each "
        "walkaround, three times a day for two weeks, and record each check",
        "Walkaround sheets for two weeks with the corridor checks signed",
        "S5",
    ),
    "handover": _p(
        ("handover", "follow-up"),
        SENIOR,
        "Senior carer to read every follow-up on the handover sheet to the next shift and "
        "name an owner for each, at every handover for two weeks",
        "Handover sheets with a named owner for every follow-up",
        "S2",
        "W5",
    ),
    "medicines": _p(
        ("medication", "medicine", "MAR", "cream"),
        SENIOR,
        "Senior carer to check after each medication round that the trolley is locked and "
        "every MAR and cream chart is signed, for two weeks, and record any gaps",
        "Signed medication round checks and a MAR chart audit with no gaps",
        "S8",
    ),
    "prescriptions": _p(
        ("pharmacy", "prescription"),
        SENIOR,
        "Senior carer to chase every outstanding prescription with the pharmacy each morning "
        "and record the day it arrives on the medication sheet",
        "Pharmacy call log and the medication sheet showing each prescription received",
        "S8",
        "E3",
    ),
    "falls": _p(
        ("sensor mat", "bed rails", "falls"),
        SENIOR,
        "Senior carer to check that every sensor mat is plugged in and sounding at the start "
        "of each shift for two weeks and record it on the falls sheet",
        "Falls sheets with each sensor mat tested every shift",
        "S4",
        "S5",
    ),
    "mealtimes": _p(
        ("breakfast", "lunch", "served"),
        SENIOR,
        "Senior carer to check the dining room at 09:30 daily for two weeks that everyone "
        "has been served breakfast, and record who was still waiting",
        "Mealtime checks for two weeks and feedback from people at breakfast",
        "C1",
        "S6",
    ),
    "personal_items": _p(
        ("dentures", "label"),
        KEY,
        "Key worker to label each person's dentures, glasses and hearing aids and check the "
        "labels every Monday, recording any missing",
        "Weekly label checks on the personal items list",
        "C1",
        "C2",
    ),
    "equipment": _p(
        ("sling", "hoist", "equipment"),
        SENIOR,
        "Senior carer to check at the start of each shift that every hoist sling is in its "
        "named person's room, for two weeks, and record any swaps on the equipment sheet",
        "Equipment sheets for two weeks showing named slings in place",
        "S5",
        "S7",
    ),
    "appointments": _p(
        ("appointment", "GP", "clinic", "dentist", "optician", "referral", "diary"),
        KEY,
        "Key worker to put every GP, dentist, optician and clinic appointment or referral in "
        "the diary and the care record the same day, and check the diary each morning",
        "Diary and care record entries for every appointment and referral, checked for four weeks",
        "E3",
        "R2",
    ),
    "agency": _p(
        ("agency", "staff keep changing"),
        SENIOR,
        "Senior carer to give every agency carer a shift induction naming who to ask for "
        "help, at the start of each shift, and record it on the agency induction sheet",
        "Signed agency induction sheets for every agency shift",
        "S6",
    ),
    "night_checks": _p(
        ("night checks", "in advance"),
        SENIOR,
        "Senior carer on nights to spot-check three night checks against the time they were "
        "recorded, every night for two weeks, and record what was found",
        "Night check spot-check sheets for two weeks",
        "S2",
        "W5",
    ),
    "families": _p(
        ("family", "relative", "rung back", "call back", "called back", "call twice"),
        KEY,
        "Key worker to ring each family back within one working day, tell them the outcome "
        "of any GP visit or appointment, and log the call in the family contact log",
        "Family contact log showing every call returned within one working day",
        "R3",
        "R4",
    ),
    "fridge": _p(
        ("fridge", "temperature"),
        SENIOR,
        "Senior carer to record the fridge temperature at 08:00 and 16:00 daily and report "
        "any reading above 8 degrees to the duty manager the same day",
        "Fridge temperature log with two readings a day for four weeks",
        "S5",
        "S7",
    ),
    "weights": _p(
        ("weight", "weigh", "MUST"),
        KEY,
        "Key worker to weigh each person on the first Monday of the month, update the MUST "
        "score the same day and record both in the care record",
        "Monthly weights and MUST scores in the care records",
        "E1",
        "E4",
    ),
    "incidents": _p(
        ("incident", "fall", "post-fall", "body map", "bruise"),
        SENIOR,
        "Senior carer to check before shift end that every fall, bruise or other incident "
        "has a completed incident form, body map and post-fall observations, and record "
        "any gaps on the handover sheet",
        "Incident forms, body maps and observation charts complete for four weeks",
        "S1",
        "S3",
    ),
    "choking": _p(
        ("choking",),
        SENIOR,
        "Senior carer to go through the choking risk plan with every carer on shift at each "
        "handover this week and record who has read it",
        "Signed read-and-understood sheet for the choking risk plan",
        "S2",
        "S4",
    ),
    "visibility": _p(
        ("visible", "visibility", "senior on shift", "on the unit", "anyone senior"),
        SENIOR,
        "Senior carer to walk the floor at 07:30, 12:30 and 17:00 daily for two weeks, "
        "visible on the unit, and file the visibility log",
        "Visibility log and feedback from people supported on senior visibility",
        "W2",
        "C4",
    ),
    "continence": _p(
        ("continence", "products"),
        KEY,
        "Key worker to check each person's continence products every Friday and order the "
        "next week's products before the weekend",
        "Weekly continence product checks and the supplier's order confirmations",
        "C1",
        "R1",
    ),
    "care_plans": _p(
        ("care plan", "dietitian"),
        KEY,
        "Key worker to add the dietitian's or other professional's advice to the care plan "
        "within two working days and check it with the senior carer",
        "Updated care plans with the date each piece of advice was added",
        "E2",
        "E3",
    ),
    "aids": _p(
        ("hearing aid", "repair", "audiology", "glasses", "wheelchair"),
        KEY,
        "Key worker to chase every outstanding repair of a person's own aid, such as a "
        "hearing aid, glasses or a wheelchair, every Friday and record the date booked",
        "Repairs list with a booked date for every aid, and the family told",
        "R2",
        "C3",
    ),
    "requests": _p(
        ("chair", "asked about", "request"),
        KEY,
        "Key worker to log each request, such as a new chair, and give the person or family "
        "an answer within one week, recorded in the contact log",
        "Requests log with an answer given within a week for every request",
        "R4",
    ),
    "audits": _p(
        ("audit", "escalation"),
        SENIOR,
        "Senior carer to re-audit the records named in the audit within seven days and "
        "record the result in the quality audit folder",
        "Repeat audit in the quality audit folder",
        "W5",
    ),
}

# Every text the seed records that can become an entry, with its topic ({room}: a room).
TOPIC_OF = {
    "Call bell out of reach while resident sat in chair": "call_bells",
    "Fluid chart not completed since breakfast": "charts",
    "Repositioning chart shows a five-hour gap overnight": "pressure_care",
    "Wet floor in corridor with no warning sign": "wet_floors",
    "Handover sheet missing the GP follow-up for the morning": "handover",
    "Medication trolley left unlocked during the round": "medicines",
    "Sensor mat unplugged beside the bed": "falls",
    "Breakfast still being served at 10:40, two people waiting": "mealtimes",
    "Dentures left in pot on the sink, not labelled": "personal_items",
    "Hoist sling from another person's room in use": "equipment",
    "Appointment letter for eye clinic not on the diary": "appointments",
    "Agency carer unsure who to ask for help": "agency",
    "Night checks recorded in advance on the chart": "night_checks",
    "Family message from yesterday not passed on": "families",
    "Fridge temperature not recorded for two days": "fridge",
    "Weight not recorded at the monthly check": "weights",
    "Pressure cushion not in use in the lounge chair": "pressure_care",
    "Incident form started but not completed after a fall": "incidents",
    "Topical cream chart unsigned for the morning": "medicines",
    "Staff unsure of the new choking risk plan": "choking",
    "GP to be called about {room}'s swollen ankle": "appointments",
    "Optician appointment letter for {room} to go in the diary and care record": "appointments",
    "Pharmacy to be chased for {room}'s new prescription": "prescriptions",
    "Post-fall observations for {room} to be completed and recorded": "incidents",
    "Body map for the bruise on {room}'s arm to be completed": "incidents",
    "Son of {room} to be rung back about the care plan review": "families",
    "Daughter of {room} asked for an update on the dentist referral": "appointments",
    "Continence products for {room} to be ordered before the weekend": "continence",
    "{room}'s care plan to be updated with the dietitian's advice": "care_plans",
    "Night staff to record {room}'s fluid intake totals (missed twice)": "charts",
    "No senior visible in the lounge for 40 minutes at teatime": "visibility",
    "Staff on the first floor did not know who the senior on shift was": "visibility",
    "Peak of call bells at 07:30 with no senior on the unit": "visibility",
    "No, I had to call twice to find out about the GP visit": "families",
    "I didn't see anyone senior all morning": "visibility",
    "I waited a long time for the toilet": "call_bells",
    "Not really, the staff keep changing": "agency",
    "The hearing aid repair still hasn't happened": "aids",
    "The new chair we asked about": "requests",
    "Follow-up actions from handovers not completed on time": "handover",
    "Fluid and repositioning charts incomplete on the first floor": "charts",
    "Call bells out of reach in bedrooms": "call_bells",
    "Medication room practice not following the policy": "medicines",
    "Relatives not called back after raising questions": "families",
    "Appointment follow-ups missed after GP and clinic visits": "appointments",
    "Incident forms left incomplete after falls": "incidents",
    "Senior staff not visible at peak routines": "visibility",
    "Night checks recorded in advance": "night_checks",
    "Equipment named for one person used for another": "equipment",
}
_TEMPLATES = [
    (re.compile("^" + re.escape(text).replace(re.escape("{room}"), ".+") + "$"), topic)
    for text, topic in TOPIC_OF.items()
    if "{room}" in text
]
_WORDS = {
    topic: re.compile("|".join(rf"\b{re.escape(w)}(?:s|es)?\b" for w in plan.words), re.IGNORECASE)
    for topic, plan in PLANS.items()
}
FALLBACK = "handover"


def topic_for(description: str) -> str:
    """The topic of a finding's (or concern's) words: listed, else by its topic words."""
    text = description.removeprefix("Feedback: ").strip()
    if text in TOPIC_OF:
        return TOPIC_OF[text]
    for pattern, topic in _TEMPLATES:
        if pattern.match(text):
            return topic
    return next(iter(topics_in(text)), FALLBACK)


def plan_for(description: str) -> Plan:
    return PLANS[topic_for(description)]


def topics_in(text: str) -> list[str]:
    """The topics whose words ``text`` uses, in the order of PLANS."""
    return [topic for topic, pattern in _WORDS.items() if pattern.search(text)]


def redraw(rng, *sizes: int) -> None:
    """Make the random draws the decision and evidence once took (a choice among ``sizes``
    each), so the rest of a seeded history (owners, dates, outcomes) stays as it was."""
    for size in sizes:
        rng.randrange(size)
