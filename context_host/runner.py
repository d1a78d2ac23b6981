"""Runs a context's jobs on its job workers, several at once (one per job slot).

Per job: the host fetches the binary and the data files the job's config names, a worker loads
the class and calls `validate`, the host claims the job (one conditional STARTED → RUNNING
write, so a duplicate delivery or a job killed meanwhile never runs) and lets the worker run it,
then stores the outcome and ends the job the one way jobs end (infra/job_end.py). Claiming
after `validate` lets an async submit wait for RUNNING and still answer load and validation
failures with 400, as SJS did.

A kill cancels the job's Spark work and ends its worker at once, whatever job code is doing (a
busy Python loop, a blocking call); a worker that dies (os._exit, a crash, out of memory) ends
its job ERROR. Either way a fresh worker takes its place and the context keeps serving. A job
that ends without finishing (killed, failed) leaves no Spark work behind on the warm context:
its Spark jobs are cancelled and the streaming queries it started are stopped (a finished job's
queries run on, as it left them)."""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from context_host.binaries import BinaryCache, BinaryUnavailable
from context_host.data_files import DataFileCache, DataFileUnavailable
from context_host.logs import job_keys
from context_host.progress import JobWatch
from context_host.workers import Worker, WorkerGone, WorkerPool
from events.jobs import JobError
from events.lifecycle import JobStarted, LifecycleEvent
from events.messages import JobRequested
from events.settings import ContextSettings
from events.states import FailurePhase, JobStatus
from events.worker_protocol import Abandon, JobOutcome, Proceed, RunJob, Validated
from infra.job_end import JobEnding
from infra.metrics import metrics
from infra.stores.jobs import JobRecord, JobStore, context_terminated
from infra.stores.results import ResultStore

log = logging.getLogger(__name__)

KILL_PERSIST_SECONDS = 30.0
QUIET_CHECKS, QUIET_INTERVAL_SECONDS = 3, 0.2


class JobRunner:
    def __init__(
        self,
        *,
        workers: WorkerPool,
        binaries: BinaryCache,
        data_files: DataFileCache,
        cancel_spark_jobs: Callable[[str], int],
        engine_death: Callable[[], str | None],
        jobs: JobStore,
        results: ResultStore,
        job_ending: JobEnding,
        publish: Callable[[LifecycleEvent], None],
        host_id: str,
        max_jobs: int,
        context_settings: Callable[[], ContextSettings] = ContextSettings,
        on_job_end: Callable[[str], None] = lambda job_id: None,
        on_job_failed: Callable[[str], None] = lambda job_id: None,
        watch: JobWatch | None = None,
    ):
        """`context_settings` gives the settings of the context served now (a warm spare's runner
        starts before a context adopts it), which each job's worker is told; `watch` follows
        each job's progress and output (without it, jobs have neither)."""
        self._workers = workers
        self._binaries = binaries
        self._data_files = data_files
        self._cancel_spark_jobs = cancel_spark_jobs
        self._engine_death = engine_death
        self._jobs = jobs
        self._results = results
        self._job_ending = job_ending
        self._publish = publish
        self._host_id = host_id
        self._context_settings = context_settings
        self._on_job_end = on_job_end
        self._on_job_failed = on_job_failed  # the job's own code failed (validate or run)
        self._watch = watch
        self._threads = ThreadPoolExecutor(max_workers=max_jobs, thread_name_prefix="job")
        self._beside = ThreadPoolExecutor(max_workers=2, thread_name_prefix="claim")  # off the lane's path
        self._running: dict[str, Worker | None] = {}  # job id → the worker running it, once it has one
        self._killed: set[str] = set()
        self._elsewhere: set[str] = set()  # jobs another host claimed: their Spark work is not ours
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, request: JobRequested, ack: Callable[[], None]) -> bool:
        """Start a job from the queue, which calls `ack` once it has ended (its message stays in
        flight meanwhile, off the hot path); False for a second delivery of a job this host has."""
        return self._start(request, ack, lane=False) is not None

    def run_now(self, request: JobRequested) -> Future[JobRecord | None]:
        """Start a job that did not come by the queue: one of the sync lane (context_host/endpoint.py)
        or the context's warm-up job; its record as it ended, or None when it ended elsewhere
        (killed, or its context ended)."""
        started = self._start(request, lambda: None, lane=True)
        if started is None:
            raise ValueError(f"job {request.jobId} is running on this host already")
        return started

    def _start(self, request: JobRequested, ack: Callable[[], None], lane: bool) -> Future | None:
        with self._lock:
            if request.jobId in self._running:
                return None
            self._running[request.jobId] = None
        metrics.job_received(request.startTime)
        return self._threads.submit(self._run, request, ack, lane)

    def kill(self, job_id: str) -> None:
        """The job has been ended KILLED: stop its worker now, and its Spark work."""
        self._stop_worker(job_id)
        self._stop_spark_work(job_id)

    def _stop_spark_work(self, job_id: str) -> None:
        """Stop what the job left running in the engine, beside (a query's stop waits for it)."""
        threading.Thread(
            target=self._cancel_until_quiet, args=(job_id,), name=f"stop-{job_id[:8]}", daemon=True
        ).start()

    def _stop_worker(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._running:
                self._killed.add(job_id)
            worker = self._running.get(job_id)
        if worker is not None:
            worker.kill()

    def _cancel_until_quiet(self, job_id: str) -> None:
        """Spark cancels only the jobs a group has already started, and a call the worker made
        just before it was ended can still start one (or a streaming query) in the JVM; so
        cancel again until the job has been quiet for a moment (bounded)."""
        quiet = 0
        deadline = time.monotonic() + KILL_PERSIST_SECONDS
        while quiet < QUIET_CHECKS and time.monotonic() < deadline:
            try:
                active = self._cancel_spark_jobs(job_id)
            except Exception:
                log.warning("cancelling the Spark jobs of %s failed", job_id, exc_info=True)
                return
            quiet = 0 if active else quiet + 1
            time.sleep(QUIET_INTERVAL_SECONDS)

    def running(self) -> set[str]:
        with self._lock:
            return set(self._running)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is running; False if some still are after `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running, timeout)

    def kill_all(self) -> None:
        """The context is ending: stop every job's worker. Their Spark work ends with the engine,
        which is stopped or gone, so it is not cancelled job by job."""
        for job_id in self.running():
            self._stop_worker(job_id)

    def _run(self, request: JobRequested, ack: Callable[[], None], lane: bool) -> JobRecord | None:
        with job_keys(request.jobId):
            return self._run_and_ack(request, ack, lane)

    def _run_and_ack(self, request: JobRequested, ack: Callable[[], None], lane: bool) -> JobRecord | None:
        ended: JobRecord | None = None
        try:
            ended = self._execute(request, lane)
        except Exception as e:  # a fault of ours (a store, the network) must not leave the job RUNNING
            log.exception("job %s failed in the runner", request.jobId)
            ended = self._end(request, JobStatus.ERROR, error=_our_error(e), phase=FailurePhase.RUN)
        finally:
            with self._idle:
                self._running.pop(request.jobId, None)
                killed = request.jobId in self._killed  # its kill is stopping its Spark work already
                elsewhere = request.jobId in self._elsewhere
                self._killed.discard(request.jobId)
                self._elsewhere.discard(request.jobId)
                self._idle.notify_all()
            if not (killed or elsewhere) and (ended is None or ended.status is not JobStatus.FINISHED):
                self._stop_spark_work(request.jobId)  # ended elsewhere (a kill on its way) or failed
            if self._watch is not None:
                self._watch.ended(request.jobId)
            self._on_job_end(request.jobId)
            try:
                ack()
            except Exception:  # the queue may be gone with its context
                log.debug("acknowledging job %s failed", request.jobId, exc_info=True)
        return ended

    def _execute(self, request: JobRequested, lane: bool) -> JobRecord | None:
        """Run the job to its end; its record as ended, or None when it ended elsewhere."""
        try:
            binary = self._binaries.files(request.binary, request.binary.jar)
            path = [self._binaries.path_files(entry) for entry in request.path]
            self._data_files.fetch_named(request.config)
        except (BinaryUnavailable, DataFileUnavailable) as e:
            unavailable = JobError(message=str(e), errorClass=type(e).__name__)
            return self._fail(request, FailurePhase.LOAD, unavailable)
        worker = self._workers.take()
        with self._lock:
            killed = request.jobId in self._killed
            if not killed:
                self._running[request.jobId] = worker
        if killed:
            self._workers.give_back(worker)
            return None
        if self._watch is not None:
            worker.output.attach(self._watch.follow(request))  # until the worker goes back to the pool
        claimed = False
        try:
            worker.send(
                RunJob(
                    flavour=(settings := self._context_settings()).flavour,
                    contextConfig=settings.config,
                    jobId=request.jobId,
                    appName=request.appName,
                    classPath=request.classPath,
                    binary=binary,
                    path=path,
                    config=request.config,
                )
            )
            message = worker.receive()
            if isinstance(message, Validated):
                claimed = self._claim(request, lane)
                if not claimed:
                    log.info("job %s was claimed elsewhere or ended; not running it", request.jobId)
                    with self._lock:
                        self._elsewhere.add(request.jobId)
                    worker.send(Abandon())
                    self._workers.give_back(worker)
                    return None
                worker.send(Proceed())
                message = worker.receive()
            if not isinstance(message, JobOutcome):
                raise WorkerGone(f"the job's worker sent {message.kind} out of turn")
            result = worker.receive_bytes(message.resultBytes) if message.finished else b""
        except WorkerGone as e:
            self._workers.discard(worker)
            phase = FailurePhase.RUN if claimed else FailurePhase.VALIDATE
            return self._fail(request, phase, JobError(message=str(e), errorClass="WorkerDied"))
        self._workers.give_back(worker)
        if message.finished:
            inline, key = self._results.save(request.context, request.jobId, result)
            return self._end(request, JobStatus.FINISHED, result=inline, result_key=key)
        return self._fail(request, message.phase or FailurePhase.RUN, message.error or _our_error(None))

    def _claim(self, request: JobRequested, lane: bool) -> bool:
        """STARTED → RUNNING, once the job is valid. A queued job is claimed before it runs (a
        duplicate delivery, or a job killed meanwhile, must not run); a job of the sync lane came
        here alone and is running already, so its claim goes beside it, off the caller's path."""
        if lane:
            self._beside.submit(self._claimed, request)
            return True
        return self._claimed(request)

    def _claimed(self, request: JobRequested) -> bool:
        if not self._jobs.claim(request.jobId, self._host_id):
            return False
        self._publish(JobStarted(**_identity(request), status=JobStatus.RUNNING, startTime=request.startTime))
        return True

    def _fail(self, request: JobRequested, phase: FailurePhase, error: JobError) -> JobRecord | None:
        """End a failed job; when its engine died under it, that is the failure, not what the
        job saw of it (a refused connection, a worker that broke off)."""
        death = self._engine_death()
        if death:
            phase, error = FailurePhase.CONTEXT, context_terminated(request.context, death)
        ended = self._end(request, JobStatus.ERROR, error=error, phase=phase)
        if ended is not None:
            log.info("job %s failed (%s): %s", request.jobId, phase, error.message)
            if phase in (FailurePhase.VALIDATE, FailurePhase.RUN):
                self._on_job_failed(request.jobId)
        return ended

    def _end(self, request: JobRequested, status: JobStatus, **written) -> JobRecord | None:
        if self._watch is not None:
            written["progress"] = self._watch.last_progress(request.jobId)
        job = JobRecord(
            **_identity(request),
            contextId=request.contextId,
            status=JobStatus.RUNNING,
            startTime=request.startTime,
            callbackUrl=request.callbackUrl,
            replyTo=request.replyTo,
        )
        return self._job_ending.end(job, status, **written)


def _identity(request: JobRequested) -> dict[str, str]:
    return request.model_dump(include={"jobId", "context", "appName", "classPath"})


def _our_error(error: Exception | None) -> JobError:
    """A failure of the server's, not of the job: no stack of ours goes to the job's caller."""
    name = type(error).__name__ if error else "InternalError"
    return JobError(
        message=f"the job server failed running this job ({name}); see the host's log", errorClass=name
    )
