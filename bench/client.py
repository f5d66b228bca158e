"""A sync client over real HTTP: sign in, bind a device, push encoded batches, pull pages."""

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import requests

PROTOCOL = 1
TIMEOUT = 300
AREAS = ["Lounge", "Dining room", "Bathrooms", "Kitchen", "Garden", "Medication room"]
RISKS = ["low", "medium", "high"]
WORDS = [
    "resident",
    "staff",
    "floor",
    "door",
    "handrail",
    "spill",
    "wet",
    "sign",
    "missing",
    "checked",
    "label",
    "fridge",
    "temperature",
    "log",
    "cleaning",
    "schedule",
    "bin",
    "overflowing",
    "sling",
    "hoist",
    "inspection",
    "overdue",
    "call",
    "bell",
    "cord",
    "tied",
    "out",
    "of",
    "reach",
    "fire",
    "exit",
    "blocked",
    "by",
    "trolley",
    "gloves",
    "apron",
    "dispenser",
    "empty",
    "sharps",
    "box",
    "over",
    "fill",
    "line",
    "light",
    "bulb",
    "flickering",
    "carpet",
]
ACCEPTED = {"applied", "merged", "duplicate"}


class Client:
    """One signed-in user with one device binding, on a loopback URL."""

    def __init__(self, url: str, email: str, password: str, installation: str):
        self.url = url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        token = self.http.get(f"{self.url}/auth/csrf", timeout=TIMEOUT).json()["csrf_token"]
        self.http.headers["X-CSRF-Token"] = token
        r = self.http.post(
            f"{self.url}/auth/login", timeout=TIMEOUT, json={"email": email, "password": password}
        )
        r.raise_for_status()
        token = self.http.get(f"{self.url}/auth/csrf", timeout=TIMEOUT).json()["csrf_token"]
        self.http.headers["X-CSRF-Token"] = token
        r = self.http.post(
            f"{self.url}/sync/devices",
            timeout=TIMEOUT,
            json={"installation_id": installation, "label": "bench", "protocol_version": PROTOCOL},
        )
        r.raise_for_status()
        self.device_id = r.json()["device_id"]

    def encode(self, mutations: list[dict], batch: int) -> list[bytes]:
        """Return the push bodies of ``mutations`` in batches of ``batch``."""
        return [
            json.dumps(
                {
                    "protocol_version": PROTOCOL,
                    "device_id": self.device_id,
                    "mutations": mutations[i : i + batch],
                }
            ).encode()
            for i in range(0, len(mutations), batch)
        ]

    def push_encoded(self, bodies: list[bytes]) -> dict:
        """Push every body in turn; return a count of outcomes by status."""
        counts: dict[str, int] = {}
        for body in bodies:
            r = self.http.post(
                f"{self.url}/sync/push",
                data=body,
                timeout=TIMEOUT,
                headers={"Content-Type": "application/json"},
            )
            r.raise_for_status()
            for result in r.json()["results"]:
                status = result["status"]
                counts[status] = counts.get(status, 0) + 1
                if status not in ACCEPTED:
                    raise RuntimeError(f"push outcome {status}: {json.dumps(result)[:400]}")
        return counts

    def pull(self, cursor: int, limit: int, max_pages: int) -> tuple[int, int, int]:
        """Pull from ``cursor`` until has_more is false; return (findings, cursor, pages)."""
        got = pages = 0
        while pages < max_pages:
            r = self.http.get(
                f"{self.url}/sync/pull",
                timeout=TIMEOUT,
                params={
                    "cursor": cursor,
                    "limit": limit,
                    "device_id": self.device_id,
                    "protocol_version": PROTOCOL,
                },
            )
            r.raise_for_status()
            body = r.json()
            pages += 1
            got += sum(1 for c in body["changes"] if c["entity_type"] == "finding")
            cursor = body["next_cursor"]
            if not body["has_more"]:
                break
        return got, cursor, pages

    def close(self) -> None:
        self.http.close()


def finding_creates(
    device_id: str, author_id: str, service_id: str, n: int, *, seed: int, first_seq: int = 1
) -> list[dict]:
    """Return ``n`` finding-create mutations with client ids, built from a fixed seed."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=1)
    out = []
    for i in range(n):
        entity_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        at = (start + timedelta(seconds=i)).isoformat(timespec="seconds")
        out.append(
            {
                "mutation_id": f"c-{entity_id}",
                "device_id": device_id,
                "seq": first_seq + i,
                "entity_type": "finding",
                "entity_id": entity_id,
                "op": "create",
                "author_id": author_id,
                "base_version": None,
                "changes": {
                    "service_id": service_id,
                    "kind": "walkaround_issue",
                    "area": rng.choice(AREAS),
                    "source": "walkaround",
                    "description": _description(rng),
                    "risk": rng.choice(RISKS),
                    "follow_up_needed": rng.random() < 0.3,
                    "recorded_at": at,
                },
                "base_values": {},
                "device_time": at,
                "transition": None,
            }
        )
    return out


def finding_updates(creates: list[dict], first_seq: int) -> list[dict]:
    """Return one description update per created finding, against version 1."""
    out = []
    for i, create in enumerate(creates):
        old = create["changes"]["description"]
        out.append(
            {
                "mutation_id": f"u-{create['entity_id']}",
                "device_id": create["device_id"],
                "seq": first_seq + i,
                "entity_type": "finding",
                "entity_id": create["entity_id"],
                "op": "update",
                "author_id": create["author_id"],
                "base_version": 1,
                "changes": {"description": old + " (checked again)"},
                "base_values": {"description": old},
                "device_time": create["device_time"],
                "transition": None,
            }
        )
    return out


def _description(rng: random.Random, length: int = 200) -> str:
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length].rstrip()
