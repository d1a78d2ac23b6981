"""Whether a supervised context that failed comes back, and when: the decision ContextEnding
(infra/context_end.py) takes as it ends an incarnation ERROR, whoever ends it (its host on a
dead JVM, the reaper on a silent host).

Attempts are counted in a row, as Docker's `on-failure:N` counts them, except that an incarnation
that ran for STABLE_SECONDS starts the count afresh: a context that dies once a week is not used
up after three weeks. The first restart is at once, each further one waits twice as long as the
one before (BACKOFF_SECONDS, twice that, … up to MAX_BACKOFF_SECONDS), so a context that cannot live
does not spin."""

from dataclasses import dataclass
from datetime import datetime

from infra.stores.contexts import ContextRecord

STABLE_SECONDS = 600.0
BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 60.0


@dataclass(frozen=True)
class RestartPlan:
    attempt: int  # 1 for the first restart after a stable run
    at_ms: int  # epoch ms from which the restart is due


def backoff_seconds(attempt: int) -> float:
    """How long restart `attempt` waits after the death: 0, 2, 4, 8, … s, at most a minute."""
    if attempt <= 1:
        return 0.0
    return min(BACKOFF_SECONDS * 2 ** (attempt - 2), MAX_BACKOFF_SECONDS)


def restart_plan(record: ContextRecord, now_ms: int) -> RestartPlan | None:
    """The restart of `record`'s incarnation, failed at `now_ms`, or None when it ends for good
    (not supervised, or its attempts used up)."""
    policy = record.settings.restart
    if policy is None or record.transient:
        return None
    started_ms = datetime.fromisoformat(record.startTime).timestamp() * 1000
    stable = now_ms - started_ms >= STABLE_SECONDS * 1000
    attempt = 1 if stable else record.restarts + 1
    if attempt > policy.attempts:
        return None
    return RestartPlan(attempt, now_ms + int(backoff_seconds(attempt) * 1000))
