"""Runs a context's jobs, several at once, each on a worker thread under its own Spark job group.

Per job: load the class, `validate`, claim it (one conditional STARTED → RUNNING write, so a
duplicate delivery or a job killed meanwhile never runs), `run_job`, store the result, publish the
outcome. Claiming after `validate` lets an async submit wait for RUNNING and still answer load and
validation failures with 400, at the cost of one write per job. The three failure
phases stay apart (load, validate, run) because the API answers them differently."""

import contextlib
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pyhocon import ConfigFactory
from pyspark import SparkContext

from context_host.loader import BinaryLoader
from context_host.results import to_json_safe
from events.lifecycle import JobStarted, LifecycleEvent
from events.messages import JobEnded, JobRequested
from events.states import FailurePhase, JobStatus
from infra.messaging.replies import Replies
from infra.stores.jobs import JobEnd, JobError, JobRecord, JobStore
from infra.stores.results import ResultStore
from sparkjobserver.api import JobEnvironment, NamedObjects, is_problems

log = logging.getLogger(__name__)

KILL_PERSIST_SECONDS = 30.0


class JobRunner:
    def __init__(
        self,
        *,
        job_context: Any,
        spark_context: SparkContext,
        jobs: JobStore,
        results: ResultStore,
        loader: BinaryLoader,
        named_objects: NamedObjects,
        context_config: Any,
        host_id: str,
        max_jobs: int,
        publish: Callable[[LifecycleEvent], None],
        tell_job_end: Callable[[JobRecord], None],
        replies: Replies,
        free_slot: Callable[[], None],
        on_job_end: Callable[[str], None] = lambda job_id: None,
    ):
        self._job_context = job_context
        self._sc = spark_context
        self._jobs = jobs
        self._results = results
        self._loader = loader
        self._named_objects = named_objects
        self._context_config = context_config
        self._host_id = host_id
        self._publish = publish
        self._tell_job_end = tell_job_end
        self._replies = replies
        self._free_slot = free_slot
        self._on_job_end = on_job_end
        self._pool = ThreadPoolExecutor(
            max_workers=max_jobs, thread_name_prefix="job", initializer=self._join_scheduler_pool
        )
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, request: JobRequested, ack: Callable[[], None]) -> bool:
        """Start a job on a worker thread, which calls `ack` once the job has ended (its queue
        message stays in flight meanwhile, off the hot path); False for a second delivery of a
        job this host already has."""
        with self._lock:
            if request.jobId in self._running:
                return False
            self._running.add(request.jobId)
        self._pool.submit(self._run, request, ack)
        return True

    def kill(self, job_id: str) -> None:
        """The API has marked the job KILLED; stop its Spark work, now and as it starts more."""
        threading.Thread(
            target=self._cancel_until_ended, args=(job_id,), name=f"kill-{job_id[:8]}", daemon=True
        ).start()

    def _cancel_until_ended(self, job_id: str) -> None:
        """Spark cancels only the jobs a group has already submitted, so keep cancelling the group
        until the job's thread is done (bounded: a job busy in plain Python cannot be interrupted)."""
        deadline = time.monotonic() + KILL_PERSIST_SECONDS
        while time.monotonic() < deadline:
            self._sc.cancelJobGroup(job_id)
            with self._idle:
                if job_id not in self._running or self._idle.wait_for(
                    lambda: job_id not in self._running, 0.1
                ):
                    return

    def running(self) -> set[str]:
        with self._lock:
            return set(self._running)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is running; False if some still are after `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running, timeout)

    def cancel_all(self) -> None:
        for job_id in self.running():
            self._sc.cancelJobGroup(job_id)

    def _join_scheduler_pool(self) -> None:
        """Once per worker thread: its own FAIR pool, so jobs running at once share the cores
        instead of queueing in the default pool (FIFO inside); a pool per job would grow forever."""
        self._sc.setLocalProperty("spark.scheduler.pool", threading.current_thread().name)

    def _run(self, request: JobRequested, ack: Callable[[], None]) -> None:
        self._sc.setJobGroup(request.jobId, f"{request.appName}:{request.classPath}", interruptOnCancel=True)
        try:
            self._execute(request)
        except Exception as e:  # a fault of ours (a store, the network) must not leave the job RUNNING
            log.exception("job %s failed in the runner", request.jobId)
            self._fail(request, FailurePhase.RUN, _describe(e))
        finally:  # (the job group stays on the thread until its next job sets its own)
            with self._idle:
                self._running.discard(request.jobId)
                self._idle.notify_all()
            self._on_job_end(request.jobId)
            with contextlib.suppress(Exception):  # the queue may be gone with its context
                ack()

    def _execute(self, request: JobRequested) -> None:
        try:
            job = self._loader.load_class(request.binary, request.classPath)()
        except BaseException as e:  # job code may even call sys.exit()
            return self._fail(request, FailurePhase.LOAD, _describe(e))
        runtime = JobEnvironment(request.jobId, self._named_objects, self._context_config)
        try:
            data = job.validate(self._job_context, runtime, ConfigFactory.from_dict(request.config))
        except BaseException as e:
            return self._fail(request, FailurePhase.VALIDATE, _describe(e))
        if is_problems(data):
            problems = data if isinstance(data, list) else [data]
            message = "; ".join(str(p.problem) for p in problems)
            return self._fail(
                request, FailurePhase.VALIDATE, JobError(message=message, errorClass="ValidationProblem")
            )
        if not self._jobs.claim(request.jobId, self._host_id):
            log.info("job %s was claimed elsewhere or ended; not running it", request.jobId)
            return self._wake_caller(request, None)
        self._publish(JobStarted(**_identity(request), status=JobStatus.RUNNING, startTime=request.startTime))
        try:
            value = job.run_job(self._job_context, runtime, data)
        except BaseException as e:
            return self._fail(request, FailurePhase.RUN, _describe(e))
        result_json = json.dumps(to_json_safe(value))
        inline, key = self._results.save(request.jobId, result_json)
        self._end(request, JobStatus.FINISHED, result=inline, result_key=key)

    def _fail(self, request: JobRequested, phase: FailurePhase, error: JobError) -> None:
        if self._end(request, JobStatus.ERROR, error=error, phase=phase) is not None:
            log.info("job %s failed (%s): %s", request.jobId, phase, error.message)

    def _end(self, request: JobRequested, status: JobStatus, **written: Any) -> JobEnd | None:
        """Store the job's end and give its slot back, then answer a sync caller and tell the bus.
        The slot goes back before the answer, so a caller can submit again at once without a 503.
        None when the job had ended already (killed, or its context ended): whoever ended it
        gave the slot back and reported it."""
        end = self._jobs.finish(request.jobId, status, **written)
        if end is not None:
            try:
                self._free_slot()
            except Exception:  # the end is stored: answer anyway; the reconciler repairs the counter
                log.exception("giving back the slot of job %s failed", request.jobId)
        self._wake_caller(request, end)
        if end is not None:
            self._tell_job_end(_ended(request, end))
        return end

    def _wake_caller(self, request: JobRequested, end: JobEnd | None) -> None:
        """Tell a sync caller the job's end is stored (None: it ended elsewhere; read the record)."""
        if request.replyTo:
            written = end.model_dump(mode="json") if end else None
            self._replies.send(request.replyTo, JobEnded(jobId=request.jobId, end=written))


def _identity(request: JobRequested) -> dict[str, str]:
    return {
        "jobId": request.jobId,
        "context": request.context,
        "appName": request.appName,
        "classPath": request.classPath,
    }


def _ended(request: JobRequested, end: JobEnd) -> JobRecord:
    """The job's record as its end left it, from what this host knows."""
    return JobRecord(
        **_identity(request), status=end.status, startTime=request.startTime, callbackUrl=request.callbackUrl
    ).ended(end)


def _describe(error: BaseException) -> JobError:
    error_class = type(error)
    name = (
        error_class.__qualname__
        if error_class.__module__ == "builtins"
        else (f"{error_class.__module__}.{error_class.__qualname__}")
    )
    stack = "".join(traceback.format_exception(error)).splitlines()
    return JobError(message=str(error) or name, errorClass=name, stack=stack)
