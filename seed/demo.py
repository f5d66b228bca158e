"""The demo provider: Brightwater Care Group, three services and twelve weeks of history.

``build()`` writes everything through the real service functions (seed.sim runs each act
at its simulated moment), so the history obeys the log's rules and has an audit trail. A
fixed Faker and random seed make two builds identical; ids come from the same seed. The
caller commits (``flask --app server seed`` does).
"""

import random
import time as timer
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker
from sqlalchemy import func, select

from seed import escalation, factories, routine, signals, story
from seed.sim import Sim
from server.accounts.services import hash_password
from server.common.dates import LONDON, london_today
from server.common.types import clock_at, utcnow
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.framework.services import ensure_bundled_frameworks
from server.log.models import LogEntry
from server.measures.models import ImprovementMeasure
from server.providers.models import Provider
from server.reviews.models import Review

PROVIDER_NAME = "Brightwater Care Group"
DOMAIN = "brightwater.example"
DEMO_PASSWORD = "careloop-demo"
HISTORY_DAYS = 84
SEED = 2026

# Ashdown House starts with the vague criteria the article's example 3 replaces.
SERVICES = {
    "ash": {
        "name": "Ashdown House",
        "kind": "care_home",
        "escalation_criteria": "Audit findings are discussed at the next team meeting.",
    },
    "beech": {
        "name": "Beech Court",
        "kind": "care_home",
        "areas": [
            "Lounge – Oak unit",
            "Lounge – Willow unit",
            "Dining room",
            "Bedrooms – Oak unit",
            "Bedrooms – Willow unit",
            "Bathrooms",
            "Garden",
            "Medication room",
            "Office",
        ],
    },
    "dom": {
        "name": "Brightwater Home Care – Lewes",
        "kind": "domiciliary",
        "areas": [
            "Client homes – Lewes round",
            "Client homes – Seaford round",
            "Client homes – Newhaven round",
            "Call monitoring",
            "Office",
        ],
        "routines": [
            "Morning calls",
            "Lunch calls",
            "Tea calls",
            "Bedtime calls",
            "Medication calls",
            "Handover",
        ],
    },
}
# (key, role, service key or None for provider-wide, email name or None for a Faker one)
CAST = [
    ("ash.cw", "care_worker", "ash", "cw"),
    ("ash.senior", "senior_carer", "ash", "senior"),
    ("ash.key", "key_worker", "ash", "keyworker"),
    ("ash.coord", "care_coordinator", "ash", "coordinator"),
    ("ash.duty", "duty_manager", "ash", "duty"),
    ("ash.deputy", "deputy_manager", "ash", "deputy"),
    ("ash.rm", "registered_manager", "ash", "rm"),
    ("ni", "nominated_individual", None, "ni"),
    ("pql", "provider_quality_lead", None, "pql"),
    ("admin", "provider_admin", None, "admin"),
    ("beech.rm", "registered_manager", "beech", "rm.beech"),
    ("beech.deputy", "deputy_manager", "beech", "deputy.beech"),
    ("beech.duty", "duty_manager", "beech", "duty.beech"),
    ("beech.senior", "senior_carer", "beech", "senior.beech"),
    ("beech.cw", "care_worker", "beech", "carer.beech"),
    ("beech.key", "key_worker", "beech", "keyworker.beech"),
    ("dom.rm", "registered_manager", "dom", "rm.homecare"),
    ("dom.coord", "care_coordinator", "dom", "coordinator.homecare"),
    ("dom.senior", "senior_carer", "dom", "senior.homecare"),
    ("dom.cw", "care_worker", "dom", "carer.homecare"),
    ("dom.key", "key_worker", "dom", "keyworker.homecare"),
    ("ash.cw2", "care_worker", "ash", None),
    ("ash.cw3", "care_worker", "ash", None),
    ("ash.senior2", "senior_carer", "ash", None),
]
# The logins the README and `flask demo-logins` show: one per role, plus the other RMs.
DEMO_LOGINS = [
    (role, f"{local}@{DOMAIN}")
    for _key, role, _svc, local in CAST
    if local and (_svc in ("ash", None) or role == "registered_manager")
]


def build(today: date | None = None) -> str:
    """Build the demo provider with history ending ``today`` (London); return a summary.

    With no ``today`` the history ends now; with one it ends at 18:00 that day, so that a
    given day always gives the same data.
    """
    started = timer.perf_counter()
    if today is None:
        today, end = london_today(), utcnow()
    else:
        end = datetime.combine(today, time(18, 0), LONDON).astimezone(UTC)
    Faker.seed(SEED)
    sim = Sim(today=today, end=end, days=HISTORY_DAYS, rng=random.Random(SEED), fake=Faker("en_GB"))
    with clock_at(sim.moment(sim.first_day - timedelta(days=7), "09:00")):
        ensure_bundled_frameworks()
        _cast(sim)
        db.session.flush()
    routine.schedule(sim)
    story.schedule(sim)
    escalation.schedule(sim)
    signals.schedule(sim)
    acts = sim.run()
    return summary(sim, acts, timer.perf_counter() - started)


def _cast(sim: Sim) -> None:
    provider = factories.make_provider(PROVIDER_NAME, id=sim.new_id())
    sim.marks["provider"] = provider
    for key, spec in SERVICES.items():
        sim.services[key] = factories.make_service(provider, id=sim.new_id(), **spec)
    password_hash = hash_password(DEMO_PASSWORD)
    for key, role, service_key, local in CAST:
        first, last = sim.fake.first_name(), sim.fake.last_name()
        email = f"{local or (first + '.' + last).lower().replace(' ', '')}@{DOMAIN}"
        sim.people[key] = factories.make_user(
            provider,
            role,
            sim.services.get(service_key),
            name=f"{first} {last}",
            email=email,
            id=sim.new_id(),
            password_hash=password_hash,
        )


def logins() -> list[tuple[str, str, str]]:
    """Return (role, name, email) for every demo login that exists in the database."""
    from server.accounts.models import User

    # Emails are unique per provider: the demo provider's people, not another's namesakes.
    names = dict(
        db.session.execute(
            select(User.email, User.display_name)
            .join(Provider, Provider.id == User.provider_id)
            .where(
                Provider.name == PROVIDER_NAME,
                User.email.in_([email for _role, email in DEMO_LOGINS]),
            )
        ).all()
    )
    return [(role, names[email], email) for role, email in DEMO_LOGINS if email in names]


def summary(sim: Sim, acts: int, seconds: float) -> str:
    """Say what was built, in a few lines."""

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    provider = sim.marks["provider"]
    statuses = dict(
        db.session.execute(select(LogEntry.status, func.count()).group_by(LogEntry.status)).all()
    )
    return "\n".join(
        [
            f"Built {provider.name}: {len(sim.services)} services, {len(sim.people)} staff, "
            f"{HISTORY_DAYS // 7} weeks of history to {sim.today:%d %B %Y} "
            f"({acts} acts in {seconds:.1f} s).",
            f"  {count(Walkaround)} walkarounds and visibility rounds, {count(Finding)} findings, "
            f"{count(LogEntry)} log entries ("
            + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(statuses.items()))
            + f"), {count(Review)} reviews, {count(ImprovementMeasure)} improvement measures.",
            f"  Log in as rm@{DOMAIN} (or any of `flask --app server demo-logins`) with the "
            f"password {DEMO_PASSWORD}.",
        ]
    )
