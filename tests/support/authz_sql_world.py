"""The authorisation world (tests/support/authz_world.py) on the real database, with the desk beside it.

Pushes go through the engine and the server's SqlStore as /sync/push applies them; the
read side is the server's pull and the JSON API, signed in as each user.
"""

import uuid
from datetime import UTC, datetime

from seed import factories
from server.accounts.permissions import PERMISSIONS
from server.accounts.services import hash_password
from server.audit.services import Actor
from server.extensions import db
from server.syncing.models import Device
from server.syncing.pull import pull as server_pull
from sync.engine import apply_batch
from tests.support.authz_world import (
    PROVIDER,
    RECORD_IDS,
    RECORDS,
    SERVICES,
    USER_IDS,
    USERS,
    access,
)
from tests.support.sql_harness import CommittingSqlStore, empty_database, stored_conflicts
from tests.support.sync_harness import record as stored

PASSWORD = "correct horse battery"
_hash: list[str] = []
# What the desk answers a record at: its own page, and an entry's history.
PAGES = {
    "finding": "/api/v1/findings/{}",
    "walkaround": "/api/v1/walkarounds/{}",
    "log_entry": "/api/v1/entries/{}",
}


class SqlWorld:
    """The world in a fresh database; ``client`` is a JSON API test client."""

    name = "sql"

    def __init__(self, client) -> None:
        empty_database()
        self.client = client
        self.access = access(PERMISSIONS)
        provider = factories.make_provider("Authz Care", id=PROVIDER)
        homes = {
            key: factories.make_service(provider, f"Home {key}", id=service_id)
            for key, service_id in SERVICES.items()
        }
        if not _hash:
            _hash.append(hash_password(PASSWORD))
        self.users = {
            name: factories.make_user(
                provider,
                role,
                homes[home] if home else None,
                email=f"{name}@authz.example.test",
                id=USER_IDS[name],
                password_hash=_hash[0],
            )
            for name, (role, home) in USERS.items()
        }
        for name, user_id in USER_IDS.items():
            db.session.add(
                Device(id=self._device_id(name), installation_id=name, user_id=user_id, label=name)
            )
        db.session.commit()
        self._signed_in: str | None = None

    @staticmethod
    def _device_id(user: str):
        return uuid.uuid5(USER_IDS[user], "device")

    def device(self, user: str) -> str:
        return str(self._device_id(user))

    def actor(self, user: str) -> Actor:
        return Actor(self.users[user], "sync", self.device(user))

    def now(self) -> datetime:
        return datetime.now(UTC)

    def apply(self, user: str, mutation):
        store = CommittingSqlStore(self.users[user])
        outcome = apply_batch(store, [mutation], self.actor(user), self.now())[0]
        db.session.commit()
        return outcome

    def get(self, record: str) -> dict | None:
        store = CommittingSqlStore(self.users["ni"])
        found = stored(store, RECORDS[record][0], RECORD_IDS[record])
        db.session.commit()
        return found

    def conflicts(self) -> list:
        return [c.to_dict() for c in stored_conflicts()]

    # ---- the read side ----------------------------------------------------------------

    def pulled(self, user: str) -> list[dict]:
        """Every change a first full pull gives ``user``."""
        changes, cursor = [], 0
        while True:
            body = server_pull(self.users[user], cursor, 500)
            db.session.commit()
            changes += body["changes"]
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return changes

    def sign_in(self, user: str) -> None:
        if self._signed_in == user:
            return
        if self._signed_in is not None:
            self.client.post("/api/v1/auth/logout")
        response = self.client.post(
            "/api/v1/auth/login", json={"email": f"{user}@authz.example.test", "password": PASSWORD}
        )
        assert response.status_code == 200, response.get_json()
        self.client.csrf_token = response.get_json()["csrf_token"]
        self._signed_in = user

    def desk(self, user: str, path: str):
        """GET ``path`` as ``user``: (status, body text, JSON)."""
        self.sign_in(user)
        response = self.client.get(path)
        return response.status_code, response.get_data(as_text=True), response.get_json()

    def page_of(self, record: str) -> str:
        return PAGES[RECORDS[record][0]].format(RECORD_IDS[record])
