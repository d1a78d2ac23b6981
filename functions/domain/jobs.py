"""Submitting, following, listing and killing jobs (SJS's job routes, without HTTP).

The hot path: one transaction takes a job slot on the context and records the job while the
binary is looked up beside it. Then a sync job on a warm context goes straight to its host, the
sync lane (infra/messaging/sync_lane.py), whose answer is the job's end, stored before it was sent.
Every other job goes by the context's queue: an async submit polls the record until it leaves
STARTED (the host marks it RUNNING after `validate`, so load and validation failures still answer
400, as in SJS); a sync one whose host did not take it sleeps on this container's reply queue.
Whoever waits reads the record every couple of seconds too, so a host that dies cannot strand it."""

import json
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from events.jobs import JobError
from events.messages import JobRequested, KillRequested
from events.states import ContextState, FailurePhase, JobStatus
from functions.domain.callback_targets import CallbackTargets
from functions.domain.context_settings import adhoc_settings
from functions.domain.contexts import ContextService
from functions.domain.job_requests import JobRequests, holder, holding, job_request, new_job
from functions.domain.waiting import wait_until
from infra.errors import (
    Conflict,
    JobLoadingFailed,
    NoRunningJob,
    NoSuchClass,
    NotFound,
    SyncTimeout,
    ValidationFailed,
)
from infra.job_end import JobEnding
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies
from infra.messaging.sync_lane import HostLost, HostUnreachable, SyncLane
from infra.package_uris import is_uri
from infra.server_config import SparkSection
from infra.stores.contexts import ContextRecord
from infra.stores.dynamo import transact
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import ResultStore

_ALONGSIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="alongside")  # calls made at once
VALIDATION_WAIT_SECONDS = 10.0  # async submit on a running context: how long to wait for `validate`
LIVENESS_CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class JobSubmission:
    path: tuple[str, ...]  # binary names and package URIs on the job's path, in order (job_path.py)
    class_path: str
    context: str | None
    config: dict[str, Any]
    sync: bool
    timeout_seconds: float
    callback_url: str | None = None
    adhoc_prefix: str = ""  # a scoped caller's ad-hoc context is named inside their scope


@dataclass(frozen=True)
class JobService:
    jobs: JobStore
    results: ResultStore
    contexts: ContextService
    queues: HostQueues
    replies: Replies
    job_ending: JobEnding
    lane: SyncLane
    context_start_timeout: float
    callback_targets: CallbackTargets
    requests: JobRequests
    server: SparkSection  # the operator's defaults of contexts and jobs
    gateway_wait_seconds: float = 25.0  # a sync caller waits no longer (infra/server_config.py gateway)

    def submit(self, submission: JobSubmission) -> JobRecord:
        if submission.callback_url:
            self.callback_targets.check(submission.callback_url)
        job, request, context = self._accept(submission)
        record = None
        if submission.sync and context.endpoint:
            record = self._run_on_host(job, request, context, submission)
        if record is None:  # async, or the host did not take it: by the queue
            record = self._by_queue(job, request, context, submission)
        _raise_if_rejected(record)
        return record

    def _accept(self, submission: JobSubmission) -> tuple[JobRecord, JobRequested, ContextRecord]:
        """Record the job with a slot of its context: on a named context one transaction takes the
        slot and writes the record while the job's path is looked up beside it (a job refused
        then is forgotten again, slot and all); an ad-hoc job's context is made with its slot
        taken. A path naming one binary (the usual `appName=`) records the job at once; with
        several, the one holding the class (the job's appName) is found first."""
        named = [entry for entry in submission.path if not is_uri(entry)]
        requests = self.requests
        if submission.context and len(named) == 1:
            resolving = _ALONGSIDE.submit(requests.resolve, submission.path)
            try:
                context, job, config = self._record_with_slot(submission, named[0])
            except Exception:  # an unknown binary or class is the answer, as before any context
                if holder(resolving.result(), submission.class_path) is None:
                    raise NoSuchClass(submission.class_path) from None
                raise
            try:
                path = requests.with_context_entries(resolving.result(), context.settings)
                binary = holding(path, submission.class_path)
            except Exception:
                self.jobs.delete(job.jobId)
                self.contexts.free_slot(context.name, context.contextId)
                raise
        else:
            path = requests.resolve(submission.path)  # an unknown binary is the answer before the context
            if submission.context:
                path = requests.with_context_entries(path, self.contexts.known(submission.context).settings)
            binary = holding(path, submission.class_path)
            if submission.context:
                context, job, config = self._record_with_slot(submission, binary.appName)
            else:
                context = self._transient_context(submission)
                config = requests.config(submission.config, context.settings)
                job = self._new_job(submission, binary.appName, context)
                self.jobs.create(job)
        return job, job_request(job, binary, path, config), context

    def _record_with_slot(
        self, submission: JobSubmission, app_name: str
    ) -> tuple[ContextRecord, JobRecord, dict[str, Any]]:
        """The job recorded with a slot of its context, and its layered config (a config too large
        once layered is refused before anything is written)."""
        assert submission.context is not None
        context = self.contexts.known(submission.context)
        config = self.requests.config(submission.config, context.settings)
        job = self._new_job(submission, app_name, context)
        try:
            transact([self.contexts.slot_write(context), self.jobs.create_write(job)])
        except Conflict:
            context = self.contexts.take_slot_refused(submission.context, context)  # a newer incarnation
            job = job.model_copy(update={"context": context.name, "contextId": context.contextId})
            try:
                transact([self.contexts.slot_write(context), self.jobs.create_write(job)])
            except Conflict:
                self.contexts.take_slot_refused(submission.context, context)  # raises: stopping, gone, full
                raise
        return context, job, config

    def _new_job(self, submission: JobSubmission, app_name: str, context: ContextRecord) -> JobRecord:
        return new_job(
            submission.path,
            app_name,
            submission.class_path,
            submission.config,
            context.name,
            context.contextId,
            callbackUrl=submission.callback_url,
            replyTo=self.replies.address() if submission.sync else None,
        )

    def _run_on_host(
        self, job: JobRecord, request: JobRequested, context: ContextRecord, submission: JobSubmission
    ) -> JobRecord | None:
        """The sync lane: the job's end as its host answers it, or None when the host did not take
        it (it goes by the queue then). Its host's liveness is checked meanwhile, so a host that
        hangs cannot strand the caller; one that dies breaks the call at once."""
        call = _ALONGSIDE.submit(self.lane.run, context.endpoint, context.endpointSecret or "", request)
        deadline = time.monotonic() + self._sync_wait(submission)
        while True:
            try:
                left = deadline - time.monotonic()
                ended = call.result(timeout=max(0.0, min(left, LIVENESS_CHECK_SECONDS)))
            except HostUnreachable:
                self.contexts.forget(context.name)  # its record may be of a host gone since
                return None
            except HostLost as e:
                lost = JobError(message=str(e), errorClass="HostLost")
                ended_here = self.job_ending.end(job, JobStatus.ERROR, error=lost, phase=FailurePhase.CONTEXT)
                return ended_here or self.jobs.get(job.jobId)
            except TimeoutError:
                record = self.get(job.jobId)  # nothing yet: read it, checking its host is alive
                if not record.status.is_active:
                    return record
                if time.monotonic() >= deadline:
                    return self._wait_over(record, submission)
                continue
            return job.ended(ended.end) if ended.end else self.jobs.get(job.jobId)

    def _by_queue(
        self, job: JobRecord, request: JobRequested, context: ContextRecord, submission: JobSubmission
    ) -> JobRecord:
        """Send the job to its context's queue (a job that cannot be sent ends ERROR), then wait:
        a sync caller for the job's end, an async one until `validate` has passed."""
        try:
            self.queues.send(context.queueUrl, request)
        except Exception as e:
            error = JobError(message=f"could not queue the job: {e}", errorClass=type(e).__name__)
            self.job_ending.end(job, JobStatus.ERROR, error=error)
            if context.transient:  # it was started for this job alone
                self.contexts.reaper.reap(context, "its job could not be queued")
            raise
        if submission.sync:
            record, done = self._wait_for_end(job, self._sync_wait(submission))
            return record if done else self._wait_over(record, submission)
        patience = self.context_start_timeout if context.transient else VALIDATION_WAIT_SECONDS
        patience = min(patience, self.gateway_wait_seconds)
        record, _ = self._wait(job.jobId, lambda r: r.status is not JobStatus.STARTED, patience)
        return record

    def _sync_wait(self, submission: JobSubmission) -> float:
        return min(submission.timeout_seconds, self.gateway_wait_seconds)

    def _wait_over(self, record: JobRecord, submission: JobSubmission) -> JobRecord:
        """A sync job still running when its caller's wait is over: past the caller's own
        `timeout` SyncTimeout (504, as before); past the gateway's bound the job as it is, which
        the route answers 202 (the job goes on either way)."""
        if submission.timeout_seconds <= self.gateway_wait_seconds:
            raise SyncTimeout(record.jobId, submission.timeout_seconds)
        return record

    def get(self, job_id: str) -> JobRecord:
        """The job as it truly is: still active on a context incarnation that has ended (its host
        died, or it slipped in as the context stopped), it is ended here."""
        record = self.jobs.get(job_id)
        if not record.status.is_active:
            return record
        context = self.contexts.get(record.context)  # reaps a dead host, which ends its jobs
        if context.state.is_live and record.contextId in (None, context.contextId):
            return record
        ended = self.job_ending.terminate(job_id, record.context, _why_ended(context, record))
        return ended if ended is not None else self.jobs.get(job_id)  # else: ended meanwhile elsewhere

    def outcome(self, record: JobRecord) -> Any:
        """A job's "result" as SJS shows it: the value of a finished job, the exception of a failed
        one ({message, errorClass, stack}), else None."""
        if record.error is not None:
            return record.error.model_dump()
        if record.resultKey:
            return json.loads(self.results.load(record.resultKey))
        return json.loads(record.result) if record.result is not None else None

    def active_using(self, app: str) -> list[str]:
        """The ids of the jobs still active whose path holds binary `app`, each checked as `get`
        checks it (a job whose host died is ended now, and not counted)."""
        using = []
        for job_id in self.jobs.all_active_ids():
            try:
                record = self.jobs.get(job_id)
                if app in (record.appName, *record.dependencies) and self.get(job_id).status.is_active:
                    using.append(job_id)
            except NotFound:  # ended and expired meanwhile, or of a context no longer recorded
                continue
        return using

    def recent(
        self, limit: int, status: JobStatus | None, context_prefixes: tuple[str, ...] | None = None
    ) -> list[JobRecord]:
        return self.jobs.recent(limit, status, context_prefixes)

    def kill(self, job_id: str) -> JobRecord:
        """KILLED at once in the record; the host stops the job's work and worker when told."""
        record = self.jobs.get(job_id)
        if record.status is JobStatus.ERROR:
            return record  # SJS answers a failed job's DELETE with its error
        if not record.status.is_active:
            raise NoRunningJob(job_id)
        killed = self.job_ending.end(record, JobStatus.KILLED)
        if killed is None:
            raise NoRunningJob(job_id)
        context = self.contexts.get(record.context)
        if context.state.is_live:
            self.queues.send(context.queueUrl, KillRequested(jobId=job_id))
        return killed

    def _transient_context(self, submission: JobSubmission) -> ContextRecord:
        """SJS's ad-hoc context: started for one job, gone when it ends."""
        name = _adhoc_name(submission.class_path, submission.adhoc_prefix)
        settings = adhoc_settings(name, submission.config, self.server)
        return self.contexts.create(name, settings, transient=True, wait=False, slot_taken=True)

    def _wait_for_end(self, job: JobRecord, timeout: float) -> tuple[JobRecord, bool]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ended = self.replies.wait(job.jobId, min(left, LIVENESS_CHECK_SECONDS))
            if ended is None:
                record = self.get(job.jobId)  # nothing yet: read it, checking its host is alive
            elif ended.end is None:
                record = self.jobs.get(job.jobId)
            else:
                record = job.ended(ended.end)  # what the ending party wrote, over what we did
            if not record.status.is_active:
                return record, True
        return self.jobs.get(job.jobId), False

    def _wait(self, job_id: str, done: Callable[[JobRecord], bool], timeout: float) -> tuple[JobRecord, bool]:
        """Wait on the job record; every couple of seconds also check its context's host is alive."""
        next_check = time.monotonic() + LIVENESS_CHECK_SECONDS

        def fetch() -> JobRecord:
            nonlocal next_check
            if time.monotonic() < next_check:
                return self.jobs.get(job_id)
            next_check = time.monotonic() + LIVENESS_CHECK_SECONDS
            return self.get(job_id)

        return wait_until(fetch, done, timeout)


def _why_ended(context: ContextRecord, job: JobRecord) -> str | None:
    """What ended the job's context, as its host tells its jobs when it ends them itself (a
    reader can come between the context's end and its jobs')."""
    ours = job.contextId in (None, context.contextId)
    return context.message or None if ours and context.state is not ContextState.FINISHED else None


def _raise_if_rejected(record: JobRecord) -> None:
    """Load and validate failures answer the submit itself, as SJS did (400)."""
    if record.status is not JobStatus.ERROR or record.phase not in (FailurePhase.LOAD, FailurePhase.VALIDATE):
        return
    error = record.error or JobError(message="job rejected", errorClass="Unknown")
    rejected = ValidationFailed if record.phase is FailurePhase.VALIDATE else JobLoadingFailed
    raise rejected(record.jobId, error.message, error.errorClass, error.stack)


def _adhoc_name(class_path: str, prefix: str) -> str:
    """SJS names ad-hoc contexts after a random id and the class; ours must also start with a letter."""
    simple = re.sub(r"[^A-Za-z0-9_-]", "-", class_path.rsplit(".", 1)[-1])
    return f"{prefix}adhoc-{uuid.uuid4().hex[:8]}-{simple}"[:64]
