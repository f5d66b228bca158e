"""The large provider of the benchmarks (issue 7): bulk inserts through SQLAlchemy Core.

Fifty services, users for two hundred tablets, a million findings and two hundred thousand
entries with their history, written in chunks of plain dicts. Rows are generated in time
order from a fixed random seed and a few pools of wording, never Faker row by row. Change
sequences come from one block of the change counter: each chunk's rows take the next
numbers and the chunk commits together with the counter, so a pull cursor never skips.
"""

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import insert, text

from seed import texts
from seed.data.large import AREAS, DOM_AREAS, FIRST_NAMES, LAST_NAMES, MEASURES, PLACES
from seed.factories import DEFAULT_QUESTION_SETS, DEFAULT_ROUTINES
from seed.large_entries import EntryMaker
from seed.large_findings import FindingMaker
from seed.large_rows import TABLES
from server.accounts.services import hash_password
from server.common.dates import LONDON, london_today
from server.common.types import utcnow
from server.extensions import db
from server.models import (
    ImprovementMeasure,
    Membership,
    Provider,
    Review,
    ReviewItem,
    Service,
    User,
)

PROVIDER_NAME = "Northgate Care Partnership"
EMAIL_DOMAIN = "northgate.example"
PASSWORD = "careloop-bench"
CHUNK = 10_000
HISTORY_DAYS = 365
MANAGER_ROLES = ("registered_manager", "deputy_manager", "duty_manager", "care_coordinator")
FLOOR_ROLES = ("care_worker", "senior_carer", "key_worker")
PROVIDER_ROLES = ("nominated_individual", "provider_quality_lead", "provider_admin")


def build(
    services: int = 50,
    findings: int = 1_000_000,
    entries: int = 200_000,
    tablets: int = 200,
    *,
    today: date | None = None,
    seed: int = 2026,
    progress=None,
) -> str:
    """Build the large provider, committing chunk by chunk; return a summary."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or london_today()
    end = utcnow() if today == london_today() else _evening(today)
    _big_cache()
    world = _people(rng, services, tablets)
    counts = dict.fromkeys(TABLES, 0)
    seq = db.session.execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one()
    seq_box = [seq]

    def next_seq() -> int:
        seq_box[0] += 1
        return seq_box[0]

    ids = _ids(rng)
    entry_maker = EntryMaker(rng, ids, next_seq, world, today, end)
    finding_maker = FindingMaker(
        rng,
        ids,
        next_seq,
        world,
        entry_maker,
        findings=findings,
        entries=entries,
        start=end - timedelta(days=HISTORY_DAYS),
        end=end,
    )
    for rows in finding_maker.chunks(CHUNK):
        _write(rows, counts)
        _commit_counter(seq_box[0])
        if progress:
            progress(counts)
    for rows in entry_maker.fill(entries, finding_maker.start, CHUNK):
        _write(rows, counts)
        _commit_counter(seq_box[0])
    _write_reviews(rng, ids, world, entry_maker, end, counts)
    _write_measures(ids, world, today, counts)
    db.session.commit()
    seconds = time.perf_counter() - started
    return _summary(world, counts, seconds)


def _ids(rng: random.Random):
    """Return new_id(at=None): a UUIDv7 (time-ordered, RFC 9562) for a record made at
    ``at``, else a random one. Time-ordered keys land at the end of the primary-key
    indexes, so a million inserts stay cheap; clients may send v7 ids too."""

    def new_id(at: datetime | None = None) -> uuid.UUID:
        if at is None:
            return uuid.UUID(int=rng.getrandbits(128), version=4)
        ms = int(at.timestamp() * 1000) & ((1 << 48) - 1)
        bits = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64)
        return uuid.UUID(int=bits | (0b10 << 62) | rng.getrandbits(62))

    return new_id


def _evening(day: date) -> datetime:
    return datetime.combine(day, clock_time(17, 30), LONDON).astimezone(UTC)


def _people(rng: random.Random, services: int, tablets: int) -> dict:
    """Insert the provider, its services and users; return who works where."""
    new_id = _ids(rng)
    provider_id = new_id()
    now = utcnow()
    db.session.execute(
        insert(Provider),
        [{"id": provider_id, "name": PROVIDER_NAME, "thresholds": {}, "created_at": now}],
    )
    service_rows = []
    for n in range(services):
        home = n % 5 != 4
        service_rows.append(
            {
                "id": new_id(),
                "provider_id": provider_id,
                "name": f"{PLACES[n % len(PLACES)]} {'House' if home else 'Home Care'}"
                f"{'' if n < len(PLACES) else f' {n // len(PLACES) + 1}'}",
                "kind": "care_home" if home else "domiciliary",
                "areas": AREAS if home else DOM_AREAS,
                "routines": list(DEFAULT_ROUTINES),
                "question_sets": DEFAULT_QUESTION_SETS,
                "escalation_criteria": "High-risk findings to the registered manager the same day.",
                "version": 1,
                "created_at": now,
            }
        )
    db.session.execute(insert(Service), service_rows)
    password_hash = hash_password(PASSWORD)
    users, memberships = [], []
    staff = {s["id"]: {"floor": [], "managers": {}} for s in service_rows}

    def add_user(role: str, service_id, n: int) -> uuid.UUID:
        uid = new_id()
        users.append(
            {
                "id": uid,
                "provider_id": provider_id,
                "email": f"{role.replace('_', '.')}.{n}@{EMAIL_DOMAIN}",
                "display_name": f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}",
                "password_hash": password_hash,
                "active": True,
                "session_epoch": 0,
                "created_at": now,
            }
        )
        memberships.append({"user_id": uid, "service_id": service_id, "role": role})
        return uid

    leads = [add_user(role, None, 1) for role in PROVIDER_ROLES]
    for n, service in enumerate(service_rows, start=1):
        for role in MANAGER_ROLES:
            staff[service["id"]]["managers"][role] = add_user(role, service["id"], n)
    for n in range(tablets):
        service = service_rows[n % services]
        role = FLOOR_ROLES[n % len(FLOOR_ROLES)]
        staff[service["id"]]["floor"].append(add_user(role, service["id"], 1000 + n))
    for chunk in _chunks(users, CHUNK):
        db.session.execute(insert(User), chunk)
    for chunk in _chunks(memberships, CHUNK):
        db.session.execute(insert(Membership), chunk)
    db.session.commit()
    return {
        "provider_id": provider_id,
        "services": service_rows,
        "staff": staff,
        "leads": leads,
        "users": len(users),
    }


def _write(rows: dict, counts: dict) -> None:
    """Insert one chunk's rows, parents first (TABLES is in dependency order)."""
    for name in TABLES:
        if rows[name]:
            db.session.execute(insert(db.metadata.tables[name]), rows[name])
            counts[name] += len(rows[name])


def _commit_counter(value: int) -> None:
    db.session.execute(text("UPDATE change_counter SET value = :v WHERE id = 1"), {"v": value})
    db.session.commit()
    _big_cache()


def _big_cache() -> None:
    # Random UUID keys scatter inserts across the primary-key indexes; SQLite's default
    # 2 MB page cache would then go to disk for nearly every row.
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -262144"))


def _write_reviews(rng, new_id, world, entry_maker, end, counts) -> None:
    """Weekly RM reviews and monthly provider reviews of every service, with items."""
    reviews, items = [], []
    for service in world["services"]:
        sid = service["id"]
        rm = world["staff"][sid]["managers"]["registered_manager"]
        for week in range(HISTORY_DAYS // 7):
            at = end - timedelta(days=7 * week + 1, hours=rng.randint(0, 6))
            reviews.append(_review(new_id(), sid, "rm_weekly", rm, at, rng))
            for entry_id in entry_maker.sample(sid, at, 3):
                items.append(
                    {
                        "review_id": reviews[-1]["id"],
                        "entry_id": entry_id,
                        "outcome": "assurance",
                        "comment": "On track.",
                    }
                )
        for month in range(HISTORY_DAYS // 30):
            at = end - timedelta(days=30 * month + 3, hours=rng.randint(0, 6))
            lead = world["leads"][month % 2]
            reviews.append(_review(new_id(), sid, "provider_monthly", lead, at, rng))
            for entry_id in entry_maker.sample(sid, at, 5):
                outcome = "challenge" if rng.random() < 0.2 else "assurance"
                items.append(
                    {
                        "review_id": reviews[-1]["id"],
                        "entry_id": entry_id,
                        "outcome": outcome,
                        "comment": texts.REVIEW_COMMENTS[outcome],
                    }
                )
    for chunk in _chunks(reviews, CHUNK):
        db.session.execute(insert(Review), chunk)
    for chunk in _chunks(items, CHUNK):
        db.session.execute(insert(ReviewItem), chunk)
    counts["review"], counts["review_item"] = len(reviews), len(items)


def _review(review_id, service_id, kind, reviewer, at, rng) -> dict:
    outcome = rng.choices(("assurance", "challenge", "further_action"), (80, 12, 8))[0]
    return {
        "id": review_id,
        "service_id": service_id,
        "kind": kind,
        "reviewer_id": reviewer,
        "reviewed_at": at,
        "outcome": outcome,
        "comment": texts.REVIEW_COMMENTS[outcome],
    }


def _write_measures(new_id, world, today, counts) -> None:
    rows = []
    for service in world["services"]:
        rm = world["staff"][service["id"]]["managers"]["registered_manager"]
        for name, metric, baseline, target, weeks in MEASURES:
            rows.append(
                {
                    "id": new_id(),
                    "service_id": service["id"],
                    "name": name,
                    "metric": metric,
                    "baseline": baseline,
                    "target": target,
                    "start_date": today - timedelta(weeks=4),
                    "deadline": today - timedelta(weeks=4) + timedelta(weeks=weeks),
                    "created_by": rm,
                    "created_at": utcnow(),
                }
            )
    db.session.execute(insert(ImprovementMeasure), rows)
    counts["improvement_measure"] = len(rows)


def _chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _summary(world: dict, counts: dict, seconds: float) -> str:
    lines = [
        f"Built {PROVIDER_NAME} in {seconds:.1f} s: {len(world['services'])} services, "
        f"{world['users']} users (password {PASSWORD!r})."
    ]
    lines += [f"  {name}: {n:,}" for name, n in counts.items()]
    return "\n".join(lines)
