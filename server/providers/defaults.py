"""What a new service starts with: common areas, routines and the two feedback question sets.

The registered manager changes them to fit the home in Service set-up; the question set
`visibility` is what the leadership-visibility improvement measure reads.
"""

DEFAULT_AREAS = [
    "Lounge",
    "Dining room",
    "Bedrooms – first floor",
    "Bedrooms – ground floor",
    "Bathrooms",
    "Kitchen",
    "Garden",
    "Medication room",
    "Office",
]
DEFAULT_ROUTINES = [
    "Morning routine",
    "Lunchtime",
    "Medication round",
    "Teatime",
    "Evening routine",
    "Night checks",
    "Handover",
]
DEFAULT_QUESTION_SETS = [
    {
        "id": "visibility",
        "name": "Leadership visibility",
        "questions": [
            {
                "id": "vis-1",
                "text": "Did you see a senior member of staff during the busy times today?",
            },
            {"id": "vis-2", "text": "When you needed help, did it come quickly?"},
            {"id": "vis-3", "text": "Do you know who to speak to if something is wrong?"},
        ],
    },
    {
        "id": "follow-up",
        "name": "Communication and follow-up",
        "questions": [
            {"id": "fu-1", "text": "Were you kept up to date after you raised something?"},
            {"id": "fu-2", "text": "Has anything you asked about not been followed up?"},
        ],
    },
]
