"""Factories shared by the tests and the demo data: each returns a flushed record.

DEFAULT_AREAS, DEFAULT_ROUTINES and DEFAULT_QUESTION_SETS are re-exported from the server.
"""

import uuid
from itertools import count

from server.accounts.models import Membership, User
from server.accounts.services import create_user, hash_password
from server.extensions import db
from server.providers.defaults import DEFAULT_AREAS, DEFAULT_QUESTION_SETS, DEFAULT_ROUTINES
from server.providers.models import Provider, Service

_serial = count(1)


def make_provider(
    name: str = "Test Care Group", thresholds: dict | None = None, **fields
) -> Provider:
    provider = Provider(name=name, thresholds=thresholds or {}, **fields)
    db.session.add(provider)
    db.session.flush()
    return provider


def make_service(provider: Provider, name: str | None = None, **fields) -> Service:
    service = Service(
        provider_id=provider.id,
        name=name or f"Service {next(_serial)}",
        areas=fields.pop("areas", list(DEFAULT_AREAS)),
        routines=fields.pop("routines", list(DEFAULT_ROUTINES)),
        question_sets=fields.pop("question_sets", DEFAULT_QUESTION_SETS),
        escalation_criteria=fields.pop(
            "escalation_criteria",
            "High-risk audit findings go to the registered manager the same day.",
        ),
        **fields,
    )
    db.session.add(service)
    db.session.flush()
    return service


def make_user(
    provider: Provider,
    role: str,
    service: Service | None = None,
    name: str | None = None,
    email: str | None = None,
    password: str = "correct horse battery",
    extra_roles=(),
    *,
    id: uuid.UUID | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a user with ``role`` in ``service`` (or provider-wide when service is None).

    Pass ``password_hash`` (one hash_password() result reused) to skip hashing per user,
    which is deliberately slow, and ``id`` for reproducible demo data.
    """
    n = next(_serial)
    roles = [(role, service.id if service else None)]
    roles += [(r, s.id if s else None) for r, s in extra_roles]
    email = email or f"{role.replace('_', '.')}.{n}.{uuid.uuid4().hex[:6]}@example.test"
    name = name or f"{role.replace('_', ' ').title()} {n}"
    if password_hash is None and id is None:
        return create_user(provider.id, email, name, password, roles)
    user = User(
        id=id or uuid.uuid4(),
        provider_id=provider.id,
        email=email.strip().lower(),
        display_name=name,
        password_hash=password_hash or hash_password(password),
    )
    user.memberships = [Membership(role=r, service_id=sid) for r, sid in roles]
    db.session.add(user)
    db.session.flush()
    return user
