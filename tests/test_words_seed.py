"""The demo's plans (seed/plans.py): every text the seed records that can become an entry
has its topic, and each topic's decision, evidence and statements fit it and pass the log's
rules. The demo-wide check is in tests/test_seed.py (test_every_decision_fits_its_concern)."""

import pytest

from seed import plans, texts
from server.log.vague import check

ROOM = "Room 12, AB"


def entry_texts():
    """What the demo and the large provider make entries from."""
    yield from (description for description, _action, _risk in texts.ISSUES)
    yield from (text.format(room=ROOM) for text, _source in texts.FOLLOW_UPS)
    yield from (d for d, action in texts.VISIBILITY if action != "None needed")
    for answers in texts.ANSWERS.values():
        yield from (f"Feedback: {a}" for a, sentiment in answers if sentiment == "negative")
    yield from texts.CONCERNS


@pytest.mark.parametrize("text", list(entry_texts()))
def test_every_entry_text_has_a_listed_topic_that_its_words_name(text):
    words = text.removeprefix("Feedback: ")
    listed = plans.TOPIC_OF.get(words) or next(
        (t for p, t in plans._TEMPLATES if p.match(words)), None
    )
    assert listed is not None, text
    assert plans.topic_for(text) == listed
    assert listed in plans.topics_in(words)
    assert listed in plans.topics_in(plans.PLANS[listed].decision)


@pytest.mark.parametrize("topic", list(plans.PLANS))
def test_each_plan_passes_the_vague_check_and_names_its_owner_role(topic):
    plan = plans.PLANS[topic]
    assert check(plan.decision) == []
    assert plan.decision.lower().startswith(plan.role.replace("_", " "))
    assert plan.statements and all(s.startswith("saf-2023:") for s in plan.statements)


def test_the_dentist_referral_gets_an_appointments_decision():
    plan = plans.plan_for(f"Daughter of {ROOM} asked for an update on the dentist referral")
    assert plan is plans.PLANS["appointments"]
    assert "dentist" in plan.decision and "call bell" not in plan.decision
