"""Ending a job: the one way every party does it (its host, a kill, a failed enqueue, the end of
its context), so every ended job has exactly one end event and its slot back, and a sync caller
waiting on it hears of it at once.

The conditional write goes first: exactly one party ends a job, and whoever loses learns the job
had ended already and does nothing more, except removing the result it stored in vain. So each
job is counted once in the metrics of outcomes and latency (infra/metrics.py), whoever ends it."""

from collections.abc import Callable
from dataclasses import dataclass

from events.jobs import JobEnd, JobError, Progress
from events.messages import JobEnded
from events.states import FailurePhase, JobStatus
from infra.clock import now_iso
from infra.messaging.replies import Replies
from infra.metrics import metrics
from infra.stores.contexts import ContextStore
from infra.stores.dynamo import Cancelled, transact
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import ResultStore

JOB_WRITE = 0  # the job's end, first in the end-and-slot transaction


@dataclass(frozen=True)
class JobEnding:
    jobs: JobStore
    contexts: ContextStore
    results: ResultStore
    replies: Replies
    tell_job_end: Callable[[JobRecord], None]

    def end(
        self,
        job: JobRecord,
        status: JobStatus,
        *,
        result: str | None = None,
        result_key: str | None = None,
        error: JobError | None = None,
        phase: FailurePhase | None = None,
        progress: Progress | None = None,
    ) -> JobRecord | None:
        """End an active job as `status` and give its slot back, in one transaction (its last
        `progress` in the same write); its record as ended, or None when it had ended already."""
        end = JobEnd(
            status=status,
            endTime=now_iso(),
            result=result,
            resultKey=result_key,
            error=error,
            phase=phase,
            progress=progress,
        )
        if not self._store(job, end):
            if result_key:
                self.results.delete(result_key)  # nobody will ever read it
            return None
        return self._told(job.ended(end), end)

    def _store(self, job: JobRecord, end: JobEnd) -> bool:
        """Write the end and the slot back together; False when the job had ended already. A slot
        that cannot go back (its incarnation gone, the counter repaired to 0) never holds the end
        back: then the end is written alone."""
        if not job.contextId:
            return self.jobs.write_end(job.jobId, end)
        try:
            slot_back = self.contexts.free_slot_write(job.context, job.contextId)
            transact([self.jobs.end_write(job.jobId, end), slot_back])
        except Cancelled as cancelled:
            if JOB_WRITE in cancelled.failed:
                return False
            return self.jobs.write_end(job.jobId, end)
        return True

    def terminate(self, job_id: str, context: str, reason: str | None = None) -> JobRecord | None:
        """End an active job whose context has ended (no slot to give back: the context is gone);
        its record as ended, or None when it had ended already."""
        record = self.jobs.terminate(job_id, context, reason)
        return self._told(record, record.as_end()) if record else None

    def end_with_context(self, context: str, reason: str | None = None) -> list[JobRecord]:
        """Terminate every job still active on a context that has ended; returns them as ended."""
        ended = (self.terminate(job_id, context, reason) for job_id in self.jobs.active_ids(context))
        return [record for record in ended if record is not None]

    def _told(self, ended: JobRecord, end: JobEnd) -> JobRecord:
        metrics.job_ended(end.status, ended.startTime, end.endTime)
        if ended.replyTo:
            self.replies.send(ended.replyTo, JobEnded(jobId=ended.jobId, end=end))
        self.tell_job_end(ended)
        return ended
