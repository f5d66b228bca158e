"""Small pools of realistic wording for walkaround findings, feedback and log entries.

Both the demo and the large provider cycle through these instead of generating prose row
by row: the wording reads like a care home's log, and the builds stay fast and repeatable.
People supported appear only as room numbers and initials.
"""

# (description, action taken on the spot, risk) for issues seen on a walkaround.
ISSUES = [
    (
        "Call bell out of reach while resident sat in chair",
        "Moved call bell within reach and checked it sounded",
        "medium",
    ),
    (
        "Fluid chart not completed since breakfast",
        "Prompted carer to complete chart and offered a drink",
        "medium",
    ),
    (
        "Repositioning chart shows a five-hour gap overnight",
        "Repositioned with two staff and recorded skin check",
        "high",
    ),
    (
        "Wet floor in corridor with no warning sign",
        "Placed sign and asked domestic to dry the floor",
        "medium",
    ),
    (
        "Handover sheet missing the GP follow-up for the morning",
        "Added the follow-up to the sheet and told the shift lead",
        "medium",
    ),
    (
        "Medication trolley left unlocked during the round",
        "Locked trolley and spoke to the nurse on the round",
        "high",
    ),
    ("Sensor mat unplugged beside the bed", "Plugged in and tested the sensor mat", "high"),
    (
        "Breakfast still being served at 10:40, two people waiting",
        "Asked a second carer to help serve",
        "low",
    ),
    (
        "Dentures left in pot on the sink, not labelled",
        "Labelled the pot and returned dentures to the person",
        "low",
    ),
    (
        "Hoist sling from another person's room in use",
        "Swapped for the correct named sling",
        "high",
    ),
    (
        "Appointment letter for eye clinic not on the diary",
        "Added the appointment to the diary and care record",
        "medium",
    ),
    (
        "Agency carer unsure who to ask for help",
        "Introduced the shift lead and showed the escalation list",
        "medium",
    ),
    (
        "Night checks recorded in advance on the chart",
        "Stopped the practice and raised it with the night lead",
        "high",
    ),
    (
        "Family message from yesterday not passed on",
        "Phoned the relative back and logged the call",
        "medium",
    ),
    (
        "Fridge temperature not recorded for two days",
        "Recorded today's reading and informed the kitchen lead",
        "medium",
    ),
    (
        "Weight not recorded at the monthly check",
        "Weighed today and updated the MUST score",
        "medium",
    ),
    (
        "Pressure cushion not in use in the lounge chair",
        "Fetched cushion and repositioned",
        "medium",
    ),
    (
        "Incident form started but not completed after a fall",
        "Asked the carer to finish it before shift end",
        "high",
    ),
    (
        "Topical cream chart unsigned for the morning",
        "Checked with carer and signed with a late entry note",
        "low",
    ),
    (
        "Staff unsure of the new choking risk plan",
        "Went through the plan with the two carers on shift",
        "high",
    ),
]

POSITIVE = [
    ("Carer knelt to eye level and explained each step before personal care", "Thanked the carer"),
    ("Lunch tables set with menus and adapted cutlery ready", "Told the kitchen team"),
    ("Handover covered every follow-up with named owners", "Shared as an example at the huddle"),
    (
        "Senior carer on the floor through the whole medication round",
        "Noted for the visibility log",
    ),
    ("Activity coordinator ran a music session the lounge enjoyed", "Thanked the coordinator"),
    ("Night carer recorded checks at the time they were done", "Praised the practice"),
]

VISIBILITY = [
    ("Deputy on the floor during the morning routine and answered two call bells", "None needed"),
    (
        "No senior visible in the lounge for 40 minutes at teatime",
        "Asked the duty manager to cover the lounge",
    ),
    ("Registered manager joined the lunchtime service", "None needed"),
    (
        "Staff on the first floor did not know who the senior on shift was",
        "Wrote the senior's name on the board",
    ),
    ("Senior carer covered the handover and then walked the floor", "None needed"),
    ("Peak of call bells at 07:30 with no senior on the unit", "Duty manager moved to the unit"),
]

# (answer, sentiment) per question id of the default question sets.
ANSWERS = {
    "vis-1": [
        ("Yes, the deputy came round at breakfast", "positive"),
        ("I didn't see anyone senior all morning", "negative"),
        ("Only at lunchtime", "neutral"),
    ],
    "vis-2": [
        ("Yes, within a few minutes", "positive"),
        ("I waited a long time for the toilet", "negative"),
        ("Usually, but not at night", "neutral"),
    ],
    "vis-3": [
        ("Yes, the manager's name is on the board", "positive"),
        ("Not really, the staff keep changing", "negative"),
    ],
    "fu-1": [
        ("Yes, they rang me back the same day", "positive"),
        ("No, I had to call twice to find out about the GP visit", "negative"),
        ("Eventually", "neutral"),
    ],
    "fu-2": [
        ("No, everything has been sorted", "positive"),
        ("The hearing aid repair still hasn't happened", "negative"),
        ("The new chair we asked about", "negative"),
    ],
}

CONCERNS = [
    "Follow-up actions from handovers not completed on time",
    "Fluid and repositioning charts incomplete on the first floor",
    "Call bells out of reach in bedrooms",
    "Medication room practice not following the policy",
    "Relatives not called back after raising questions",
    "Appointment follow-ups missed after GP and clinic visits",
    "Incident forms left incomplete after falls",
    "Senior staff not visible at peak routines",
    "Night checks recorded in advance",
    "Equipment named for one person used for another",
]

INTERIM_CONTROLS = [
    "Shift lead checks the charts at every handover until the audit is clean",
    "Duty manager covers the unit at peak routines",
    "Daily huddle reminds the shift of the named owner for each follow-up",
    "Second checker on every medication round",
]

EVIDENCE_LOCATIONS = {
    "care_record": "Care record, Room {room}",
    "audit": "Quality audit folder, {month} chart audit",
    "feedback": "Feedback log, week of {day}",
    "observation": "Visibility log, {day}",
    "handover_record": "Handover book, {day}",
    "incident_trend": "Incident trend report, {month}",
    "governance_minutes": "Provider governance minutes, {month}",
    "staff_practice_check": "Practice check sheets, {day}",
    "training_record": "Training matrix, {month}",
}

NOTES = [
    "Spoke to the shift lead; the check is now on the handover sheet.",
    "Half the charts checked clean; the rest this afternoon.",
    "Family updated by phone; they were satisfied with the plan.",
    "Two carers still to complete the practice check (on leave).",
    "Audit repeated: two gaps remain on the night shift.",
    "Supervision booked for Thursday.",
]

CARRY_FORWARD_REASONS = [
    "Staff member on leave; practice check rebooked",
    "Audit delayed by a CQC visit; new date agreed with the RM",
    "Waiting for the GP surgery to confirm the appointment",
    "Agency cover this week; training moved to next week",
]

REVIEW_COMMENTS = {
    "assurance": "Log reviewed; actions owned and on track with evidence on file.",
    "challenge": "Two actions carried forward without a clear reason; owners to explain.",
    "further_action": "Evidence for the closures is thin; repeat audits requested.",
}

DISMISS_REASONS = [
    "Resolved on the spot; no pattern",
    "Duplicate of an earlier finding",
    "Already covered by an open entry",
]

# (follow-up action from the morning handover, its source) for the daily management record.
FOLLOW_UPS = [
    ("GP to be called about {room}'s swollen ankle", "appointment"),
    ("Optician appointment letter for {room} to go in the diary and care record", "appointment"),
    ("Pharmacy to be chased for {room}'s new prescription", "appointment"),
    ("Post-fall observations for {room} to be completed and recorded", "incident"),
    ("Body map for the bruise on {room}'s arm to be completed", "incident"),
    ("Son of {room} to be rung back about the care plan review", "family_communication"),
    ("Daughter of {room} asked for an update on the dentist referral", "family_communication"),
    ("Continence products for {room} to be ordered before the weekend", "handover"),
    ("{room}'s care plan to be updated with the dietitian's advice", "appointment"),
    ("Night staff to record {room}'s fluid intake totals (missed twice)", "handover"),
]

# The owner's answer to a provider review's challenge, noted by the registered manager.
CHALLENGE_ANSWER = (
    "Answer to the provider's challenge, from the owner at the weekly review: the date slipped "
    "while agency cover was short; the work is now done and its evidence is attached."
)
