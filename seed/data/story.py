"""The wording of the demo's first story (seed.story): the follow-ups missed at Ashdown House
before the baseline, by source."""

FOLLOW_UP_SOURCES = [
    (
        "appointment",
        "Office",
        "GP review for {room} requested on Monday was not booked; no owner on the handover sheet",
        "Booked the GP review and named the owner",
    ),
    (
        "incident",
        "Bedrooms – ground floor",
        "Post-fall observations for {room} not completed after Tuesday's fall",
        "Observations restarted and recorded",
    ),
    (
        "family_communication",
        "Office",
        "Daughter of {room} rang twice about the optician appointment; no call back logged",
        "Called back and logged the call",
    ),
    (
        "handover",
        "Handover",
        "Three follow-up actions from the weekend handover still not done on Wednesday",
        "Reassigned the three actions on the handover sheet",
    ),
]
