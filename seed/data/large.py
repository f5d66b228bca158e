"""The wording pools of the large provider (seed.large): improvement measures, place names,
areas, first and last names."""

MEASURES = [
    (
        "90% of follow-up actions completed within timescale",
        "follow_ups_within_timescale",
        62.0,
        90.0,
        6,
    ),
    (
        "85% positive feedback on leadership visibility",
        "positive_visibility_feedback",
        48.0,
        85.0,
        8,
    ),
    (
        "100% of high-risk audit findings with a recorded escalation decision",
        "high_risk_audit_escalation",
        40.0,
        100.0,
        6,
    ),
]


PLACES = [
    "Ashdown",
    "Beech Court",
    "Cedar Lodge",
    "Dunmore",
    "Elm Bank",
    "Fernhill",
    "Greyfriars",
    "Hawthorn",
    "Ivybridge",
    "Juniper",
    "Kingsmead",
    "Larchwood",
    "Millbrook",
    "Northfield",
    "Oakleigh",
    "Primrose",
    "Queensway",
    "Rowan",
    "Silverdale",
    "Thornbury",
    "Upton",
    "Valley View",
    "Willowbank",
    "Yewtree",
    "Abbeyfield",
]


AREAS = [
    "Lounge",
    "Dining room",
    "Bedrooms – first floor",
    "Bedrooms – ground floor",
    "Bathrooms",
    "Kitchen",
    "Medication room",
    "Office",
]


DOM_AREAS = [
    "Client homes – north round",
    "Client homes – south round",
    "Office",
    "Rota and call monitoring",
]


FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kasia",
    "Liam",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Rhys",
    "Sian",
    "Tom",
    "Zara",
]


LAST_NAMES = [
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Owen",
    "Patel",
    "Roberts",
    "Shaw",
    "Taylor",
    "Walsh",
    "Young",
]
