"""Who does what in the demo's everyday life (seed.routine): each service's walkers, round
takers, triagers, owners and checkers, and the leads."""

# Who does what in each service.
STAFF = {
    "ash": {
        "walkers": ("ash.cw", "ash.senior", "ash.cw2", "ash.cw3"),
        "rounds": ("ash.deputy", "ash.duty"),
        "key": "ash.key",
        "triager": "ash.deputy",
        "assigner": "ash.duty",
        "editor": "ash.deputy",
        "checker": "ash.coord",
        "rm": "ash.rm",
        "owners": (
            "ash.cw",
            "ash.senior",
            "ash.cw2",
            "ash.cw3",
            "ash.coord",
            "ash.key",
            "ash.senior2",
        ),
    },
    "beech": {
        "walkers": ("beech.cw", "beech.senior"),
        "rounds": ("beech.deputy", "beech.duty"),
        "key": "beech.key",
        "triager": "beech.deputy",
        "assigner": "beech.duty",
        "editor": "beech.deputy",
        "checker": "beech.deputy",
        "rm": "beech.rm",
        "owners": ("beech.cw", "beech.senior", "beech.key", "beech.duty"),
    },
    "dom": {
        "walkers": ("dom.senior",),
        "rounds": ("dom.rm", "dom.coord"),
        "key": "dom.key",
        "triager": "dom.rm",
        "assigner": "dom.rm",
        "editor": "dom.rm",
        "checker": "dom.coord",
        "rm": "dom.rm",
        "owners": ("dom.cw", "dom.senior", "dom.coord", "dom.key"),
    },
}


# The role of each owner above (as seed.demo's cast gives it): a plan's decision names the
# role of whoever owns it.
ROLE_OF = {
    key: role
    for role, keys in {
        "care_worker": ("ash.cw", "ash.cw2", "ash.cw3", "beech.cw", "dom.cw"),
        "senior_carer": ("ash.senior", "ash.senior2", "beech.senior", "dom.senior"),
        "key_worker": ("ash.key", "beech.key", "dom.key"),
        "care_coordinator": ("ash.coord", "dom.coord"),
        "duty_manager": ("beech.duty",),
    }.items()
    for key in keys
}


LEADS = ("ni", "pql")


# The home care branch's registered manager has missed the last weekly reviews, so the
# demo shows a review overdue (DESIGN.md rule 6).
SKIP_RM_REVIEWS_AFTER = {"dom": -12}


VISIBILITY_QUESTIONS = ("vis-1", "vis-2", "vis-3")
