"""Keeps what the API reports true when a host dies without saying so (kill -9, a lost task).

A context whose host has not beaten for the heartbeat timeout is ended as ERROR, its host is
stopped for good, its unfinished jobs become ERROR and its queue goes. Whoever reads a context
checks it; the reconciler sweeps all of them on a schedule."""

import logging
from dataclasses import dataclass

from events.states import ContextState
from infra.context_end import ContextEnding
from infra.job_end import JobEnding
from infra.launchers import ContextLauncher
from infra.messaging.bus import EventPublisher
from infra.messaging.host_queues import HostQueues
from infra.stores.contexts import ContextRecord, ContextStore
from infra.stores.jobs import JobStore

log = logging.getLogger(__name__)

SLOT_QUIET_MS = 60_000  # repair a slot counter only when no slot was taken for this long


@dataclass(frozen=True)
class Reaper:
    contexts: ContextStore
    jobs: JobStore
    queues: HostQueues
    launcher: ContextLauncher
    publisher: EventPublisher
    job_ending: JobEnding
    timeout_seconds: float
    start_timeout_seconds: float

    def checked(self, record: ContextRecord) -> ContextRecord:
        """The record as it truly is: reaped first if its host is gone."""
        if not record.is_stale(self.timeout_seconds, self.start_timeout_seconds):
            return record
        self.reap(record, f"its host stopped responding (no heartbeat for {self.timeout_seconds:g} s)")
        return self.contexts.get(record.name)

    def sweep(self) -> list[str]:
        """Reap every live context whose host is gone, and repair slot counters that leaked (a
        release lost to a crash between ending a job and giving its slot back); returns the
        names of the reaped contexts."""
        reaped = []
        for record in self.contexts.live():
            if not self.checked(record).state.is_live:  # ERROR, or RESTARTING when supervised
                reaped.append(record.name)
            elif record.activeJobs and record.activeJobs > (actual := self.jobs.count_active(record.name)):
                self.contexts.repair_slots(
                    record.name, record.contextId, record.activeJobs, actual, SLOT_QUIET_MS
                )
        return reaped

    def reap(self, record: ContextRecord, reason: str) -> None:
        ending = ContextEnding(self.contexts, self.job_ending, self.queues, self.publisher.tell)
        if ending.end(record, ContextState.ERROR, reason, job_reason=reason) is None:
            return  # it ended meanwhile, by its host or another reaper
        log.warning("context %s ended: %s", record.name, reason)
        if record.hostId:
            self.launcher.stop(record.hostId)
