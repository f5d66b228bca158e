"""The demo's weekly and monthly reviews (seed.routine schedules them): the registered
manager's weekly look at what is open, the provider's monthly assurance or challenge."""

from seed import acts, texts
from seed.data.routine import STAFF
from server.common import dates


def weekly_review(sim, key: str) -> None:
    """The registered manager's weekly look at what is open, soonest due first."""
    today = dates.london_today()
    items = []
    for entry in acts.open_entries(sim.services[key], 4):
        if entry.due_date and entry.due_date < today:
            items.append(
                (
                    entry,
                    "further_action",
                    "Overdue: complete it this week or carry it forward with a reason.",
                )
            )
        else:
            items.append((entry, "assurance", "On track; evidence named."))
    late = any(outcome == "further_action" for _, outcome, _ in items)
    outcome = "further_action" if late else "assurance"
    acts.review(
        sim, key, STAFF[key]["rm"], "rm_weekly", outcome, texts.REVIEW_COMMENTS[outcome], items
    )


def monthly_review(sim, key: str) -> None:
    """The provider's monthly review: assurance, or a challenge on a late entry."""
    lead = "pql" if key == "beech" else "ni"
    items, challenged = [], False
    for entry in acts.open_entries(sim.services[key], 5):
        if not challenged and entry.due_date and entry.due_date < dates.london_today():
            items.append(
                (
                    entry,
                    "challenge",
                    "Past its date with no carry-forward reason: "
                    "the owner to explain at the next weekly review.",
                )
            )
            challenged = True
        else:
            items.append((entry, "assurance", "Owned, dated and evidenced."))
    outcome = "challenge" if challenged else "assurance"
    acts.review(sim, key, lead, "provider_monthly", outcome, texts.REVIEW_COMMENTS[outcome], items)
