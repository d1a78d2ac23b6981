"""A summary of the server's state, read from the tables: live contexts by state, job slots in use
and offered, jobs submitted recently by status. GET /metricz shows it (for the contexts a caller
reaches) and the reconciler records its gauges as metrics (infra/metrics.py). A read: it repairs
nothing (a context whose host died shows as the reconciler last left it)."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from events.states import LIVE_CONTEXT_STATES, JobStatus
from infra.stores.contexts import ContextStore
from infra.stores.jobs import JobStore

RECENT = timedelta(hours=1)
REPORTED_JOB_STATES = [s for s in JobStatus if s is not JobStatus.RESTARTING]  # never written


@dataclass(frozen=True)
class ContextsSummary:
    by_state: dict[str, int]
    slots_in_use: int
    slots_offered: int


@dataclass(frozen=True)
class Overview:
    contexts: ContextStore
    jobs: JobStore

    def live_contexts(self, context_prefixes: tuple[str, ...] | None = None) -> ContextsSummary:
        """With `context_prefixes`, only contexts named so (None: all)."""
        live = [
            c for c in self.contexts.live() if context_prefixes is None or c.name.startswith(context_prefixes)
        ]
        by_state = Counter(c.state.value for c in live)
        return ContextsSummary(
            by_state={state.value: by_state[state.value] for state in sorted(LIVE_CONTEXT_STATES)},
            slots_in_use=sum(c.activeJobs for c in live),
            slots_offered=sum(c.settings.maxJobs for c in live),
        )

    def recent_jobs(self, context_prefixes: tuple[str, ...] | None = None) -> dict[str, int]:
        """Jobs submitted within RECENT, by their status now."""
        since = (datetime.now(UTC) - RECENT).isoformat(timespec="milliseconds")
        return {
            status.value: self.jobs.count_since(status, since, context_prefixes)
            for status in REPORTED_JOB_STATES
        }
