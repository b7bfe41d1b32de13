"""Which consular offices receive Entrega today: those with a key valid on that day.

The keys come from `content/data/consulates.yaml` (`entrega_keys`, checked by `cartilla
check`) through the content index, like everything else the server publishes. A key is
valid on the days from `valid_from` up to, not including, `valid_until`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.catalog import Snapshot


@dataclass(frozen=True)
class Office:
    id: str
    city: str
    state: str
    recipients: tuple[str, ...]
    fingerprints: tuple[str, ...]


def _valid(key: dict[str, Any], today: dt.date) -> bool:
    try:
        start = dt.date.fromisoformat(str(key["valid_from"]))
        end = dt.date.fromisoformat(str(key["valid_until"]))
    except (KeyError, ValueError):
        return False
    return start <= today < end


def offices_from_data(consulates: dict[str, Any], today: dt.date) -> dict[str, Office]:
    """Every office with at least one key valid `today`, by id."""
    out: dict[str, Office] = {}
    for c in consulates.get("consulates", []):
        keys = [k for k in c.get("entrega_keys", []) if _valid(k, today)]
        if keys:
            out[c["id"]] = Office(
                id=c["id"],
                city=c["city"],
                state=c["state"],
                recipients=tuple(k["recipient"] for k in keys),
                fingerprints=tuple(k["fingerprint"] for k in keys),
            )
    return out


def valid_offices(snap: Snapshot, today: dt.date) -> dict[str, Office]:
    return offices_from_data(snap.data.get("consulates", ("", {}))[1], today)
