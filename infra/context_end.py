"""Ending a context incarnation: the one way its host (stopping, or failing to start) and the
reaper (its host gone) both do it, so a context never ends with jobs left active, a queue left
behind or an event missing.

The record is ended first, conditionally on its incarnation: that closes it to new jobs (slots
are taken only on live contexts) and lets exactly one party finish the rest.

A supervised context (`restart=on-failure`) that fails with attempts left ends RESTARTING instead
of ERROR (infra/supervision.py decides); its jobs end ERROR all the same, and the reconciler
starts its next incarnation (functions/domain/supervision.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from events.lifecycle import ContextFailed, ContextStopped, LifecycleEvent
from events.states import ContextState
from infra.clock import now_ms
from infra.job_end import JobEnding
from infra.messaging.host_queues import HostQueues
from infra.stores.contexts import ContextRecord, ContextStore
from infra.stores.jobs import JobRecord
from infra.supervision import restart_plan


@dataclass(frozen=True)
class ContextEnding:
    contexts: ContextStore
    job_ending: JobEnding
    queues: HostQueues
    tell: Callable[[LifecycleEvent], None]

    def end(
        self, record: ContextRecord, state: ContextState, message: str, job_reason: str | None = None
    ) -> list[JobRecord] | None:
        """End `record`'s incarnation as `state`, fail its unfinished jobs (with `job_reason`),
        remove its queue and tell the bus; returns the jobs it failed, or None when the
        incarnation had ended already (whoever ended it did the rest). ERROR of a supervised
        context with attempts left ends it RESTARTING."""
        restart = restart_plan(record, now_ms()) if state is ContextState.ERROR else None
        if restart is not None:
            message = (
                f"{message}; restarting (attempt {restart.attempt} of {record.settings.restart.attempts})"
            )
        if not self.contexts.end(record.name, record.contextId, state, message, restart):
            return None
        self.queues.delete(record.queueUrl)  # first: one call, so an ended context is soon whole
        ended = self.job_ending.end_with_context(record.name, job_reason)
        if restart is not None:
            state = ContextState.RESTARTING
        identity = {"context": record.name, "contextId": record.contextId, "state": state}
        self.tell(
            ContextStopped(**identity)
            if state is ContextState.FINISHED
            else ContextFailed(**identity, message=message)
        )
        return ended
