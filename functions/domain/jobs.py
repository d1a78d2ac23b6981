"""Submitting, following, listing and killing jobs (SJS's job routes, without HTTP).

The hot path is: take a job slot on the context and check the binary (at once), write the job, send it
to the context's queue, then wait. An async submit polls the record until it leaves STARTED (the
host marks it RUNNING after `validate`, so load and validation failures still answer 400, as in
SJS); a sync one sleeps on this container's reply queue until the host says the job ended, and
reads the record every couple of seconds meanwhile, so a host that dies cannot strand it."""

import json
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from events.jobs import JobError
from events.messages import BinaryRef, JobRequested, KillRequested, PackageUri
from events.settings import ContextSettings
from events.states import FailurePhase, JobStatus
from functions.domain.binaries import JAR, has_class
from functions.domain.callback_targets import CallbackTargets
from functions.domain.contexts import ContextService
from functions.domain.job_path import context_entries
from functions.domain.waiting import wait_until
from infra.clock import now_iso
from infra.errors import (
    JobLoadingFailed,
    NoRunningJob,
    NoSuchClass,
    SyncTimeout,
    ValidationFailed,
)
from infra.job_end import JobEnding
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies
from infra.package_uris import checked_uri, is_uri
from infra.server_config import Dependencies
from infra.stores.binaries import BinaryRecord, BinaryStore
from infra.stores.contexts import ContextRecord
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
    binaries: BinaryStore
    contexts: ContextService
    queues: HostQueues
    replies: Replies
    job_ending: JobEnding
    context_start_timeout: float
    callback_targets: CallbackTargets
    package_sources: Dependencies  # where package URIs may point (infra/package_uris.py)
    stack_bucket: str

    def submit(self, submission: JobSubmission) -> JobRecord:
        if submission.callback_url:
            self.callback_targets.check(submission.callback_url)
        # The binary check and the slot are independent, so both go at once; a slot taken for a
        # request that then fails is given back.
        slot = _ALONGSIDE.submit(self.contexts.take_slot, submission.context) if submission.context else None
        try:
            path = self._resolve(submission.path)
            binary = _holder(path, submission.class_path)
            if binary is None and (slot is None or slot.exception() is not None):
                raise NoSuchClass(submission.class_path)  # what the request names is wrong first
            context = slot.result() if slot else None
            if context is not None:
                path += [e for e in self._resolve(context_entries(context.settings.config)) if e not in path]
                binary = binary or _holder(path, submission.class_path)
            if binary is None:
                raise NoSuchClass(submission.class_path)
        except Exception:
            if slot is not None and slot.exception() is None:
                self.contexts.free_slot(submission.context, slot.result().contextId)
            raise
        context = context or self._transient_context(submission)
        try:
            job = self._enqueue(submission, binary, path, context)
        except Exception:
            if context.transient:  # it was started for this job alone
                self.contexts.reaper.reap(context, "its job could not be queued")
            raise
        if submission.sync:
            record, done = self._wait_for_end(job, submission.timeout_seconds)
            if not done:
                raise SyncTimeout(job.jobId, submission.timeout_seconds)
        else:
            patience = self.context_start_timeout if context.transient else VALIDATION_WAIT_SECONDS
            record, _ = self._wait(job.jobId, lambda r: r.status is not JobStatus.STARTED, patience)
        _raise_if_rejected(record)
        return record

    def _resolve(self, entries: tuple[str, ...]) -> list[BinaryRecord | PackageUri]:
        """Each entry as the newest version of the binary it names, or as a package URI the
        operator allows (400 otherwise); NoSuchBinary (404) for an unknown name."""
        return [
            checked_uri(entry, self.package_sources, self.stack_bucket)
            if is_uri(entry)
            else self.binaries.latest(entry)
            for entry in entries
        ]

    def _enqueue(
        self,
        submission: JobSubmission,
        binary: BinaryRecord,
        path: list[BinaryRecord | PackageUri],
        context: ContextRecord,
    ) -> JobRecord:
        """Record the job, then send it to its context's host: no message without its record. A
        job that cannot be sent ends ERROR (and gives its slot back) before the error is raised."""
        job = JobRecord(
            jobId=str(uuid.uuid4()),
            context=context.name,
            contextId=context.contextId,
            appName=binary.appName,
            classPath=submission.class_path,
            status=JobStatus.STARTED,
            startTime=now_iso(),
            config=submission.config,
            callbackUrl=submission.callback_url,
            replyTo=self.replies.address() if submission.sync else None,
        )
        try:
            self.jobs.create(job)
        except Exception:
            self.contexts.free_slot(context.name, context.contextId)
            raise
        request = JobRequested(
            **job.model_dump(include={"jobId", "context", "contextId", "appName", "classPath", "startTime"}),
            binary=_reference(binary),
            path=[_reference(entry) if isinstance(entry, BinaryRecord) else entry for entry in path],
            config=job.config,
            replyTo=job.replyTo,
            callbackUrl=job.callbackUrl,
        )
        try:
            self.queues.send(context.queueUrl, request)
        except Exception as e:
            error = JobError(message=f"could not queue the job: {e}", errorClass=type(e).__name__)
            self.job_ending.end(job, JobStatus.ERROR, error=error)
            raise
        return job

    def get(self, job_id: str) -> JobRecord:
        """The job as it truly is: still active on a context incarnation that has ended (its host
        died, or it slipped in as the context stopped), it is ended here."""
        record = self.jobs.get(job_id)
        if not record.status.is_active:
            return record
        context = self.contexts.get(record.context)  # reaps a dead host, which ends its jobs
        if context.state.is_live and record.contextId in (None, context.contextId):
            return record
        ended = self.job_ending.terminate(job_id, record.context)
        return ended if ended is not None else self.jobs.get(job_id)  # else: ended meanwhile elsewhere

    def outcome(self, record: JobRecord) -> Any:
        """A job's "result" as SJS shows it: the value of a finished job, the exception of a failed
        one ({message, errorClass, stack}), else None."""
        if record.error is not None:
            return record.error.model_dump()
        if record.resultKey:
            return json.loads(self.results.load(record.resultKey))
        return json.loads(record.result) if record.result is not None else None

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
        return self.contexts.create(
            name, ContextSettings(maxJobs=1), transient=True, wait=False, slot_taken=True
        )

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


def _holder(path: list[BinaryRecord | PackageUri], class_path: str) -> BinaryRecord | None:
    """The job's own binary: the first named binary on its path that has the class (a class only
    in a package URI cannot be checked here, so it needs an uploaded binary to hold it)."""
    binaries = [entry for entry in path if isinstance(entry, BinaryRecord)]
    return next((b for b in binaries if has_class(b.classes, class_path)), None)


def _reference(binary: BinaryRecord) -> BinaryRef:
    return BinaryRef(key=binary.key, digest=binary.digest, jar=binary.binaryType == JAR)


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
