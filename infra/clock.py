"""Time stamps as the API shows them (ISO 8601, UTC, milliseconds), as heartbeats compare them, and
as DynamoDB's TTL reads them (epoch seconds)."""

import time
from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def now_ms() -> int:
    return int(time.time() * 1000)


def seconds_between(start_iso: str, end_iso: str) -> float:
    return (datetime.fromisoformat(end_iso) - datetime.fromisoformat(start_iso)).total_seconds()


def epoch_seconds_after(days: float) -> int:
    """The moment `days` from now, as a TTL attribute holds it (e.g. a job record's expiresAt)."""
    return int(time.time() + days * 86400)
