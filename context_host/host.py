"""One context host: starts the context's engine (a Spark JVM) and job workers in the context's
sandbox, consumes the context's queue, and ends the context truthfully however it stops
(DELETE, SIGTERM, the end of a transient job, losing its record, or its JVM dying).

The host is the trusted side: it holds the credentials and makes every store, queue and bus call;
job code runs only in the sandbox (context_host/sandbox.py) and reaches the host only through
its worker's socket."""

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from context_host.binaries import BinaryCache
from context_host.data_files import DataFileCache
from context_host.endpoint import HostEndpoint
from context_host.engine import SparkEngine
from context_host.heartbeat import Heartbeat
from context_host.runner import JobRunner
from context_host.sandbox import Sandbox, open_sandbox
from context_host.spark_conf import engine_conf
from context_host.wiring import HostParts
from context_host.workers import WorkerPool, WorkerSpec
from events.lifecycle import ContextStarted, LifecycleEvent
from events.messages import HostMessage, JobRequested, KillRequested, StopRequested
from events.states import ContextState
from infra.context_end import ContextEnding
from infra.errors import Conflict
from infra.job_end import JobEnding
from infra.processes import StopSignals
from infra.stores.contexts import ContextRecord, RunningHost
from infra.stores.jobs import JobRecord

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # on SIGTERM, how long running jobs may finish before they are killed


class ContextHost:
    def __init__(self, parts: HostParts, name: str, context_id: str):
        self._parts = parts
        self._settings = parts.settings
        self._name = name
        self._context_id = context_id
        self._host_id = f"{socket.gethostname()}:{os.getpid()}"
        self._outbox = ThreadPoolExecutor(max_workers=1, thread_name_prefix="events")
        job_ending = JobEnding(parts.jobs, parts.contexts, parts.results, parts.replies, self._tell_job_end)
        self._job_ending = job_ending
        self._context_ending = ContextEnding(parts.contexts, job_ending, parts.queues, self._publish)
        self._stop = threading.Event()
        self._stop_reason = ""
        self._end_state = ContextState.FINISHED
        self._drain = False
        self._force = False
        self._lost = False
        self._runner: JobRunner | None = None

    def run(self) -> int:
        record = self._parts.contexts.get(self._name)
        if record.contextId != self._context_id:
            log.error("context %s is now incarnation %s, not ours; exiting", self._name, record.contextId)
            return 1
        signals = StopSignals()
        heartbeat = Heartbeat(
            self._parts.contexts,
            self._name,
            self._context_id,
            self._settings.heartbeat_seconds,
            on_lost=self._on_lost,
            on_engine_dead=self._on_engine_dead,
            supervisor_pid=self._settings.supervisor_pid,
        )
        heartbeat.start()
        sandbox = open_sandbox(self._settings.state_path / "sandbox", f"{self._name}-{self._context_id[:8]}")
        engine = SparkEngine(
            sandbox,
            engine_conf(f"sjs-{self._name}", record.settings, self._settings.spark_master, sandbox.root),
        )
        workers: WorkerPool | None = None
        endpoint: HostEndpoint | None = None
        try:
            engine.start()
            workers = self._worker_pool(record, sandbox, engine)
            workers.warm()
            runner = self._runner = self._job_runner(record, engine, workers)
            endpoint = self._endpoint(runner, record.settings.maxJobs)
        except Exception as e:
            log.exception("the engine of %s failed to start", self._name)
            self._end(record, ContextState.ERROR, f"SparkSession failed to start: {e}")
            heartbeat.stop()
            self._release(workers, engine, sandbox)
            return 1
        heartbeat.watch_engine(engine.death)
        threading.Thread(target=self._watch_engine, args=(engine,), name="engine", daemon=True).start()
        endpoint.start()
        self._start_serving(record, engine, sandbox, endpoint)
        while not self._stop.wait(0.2):  # signal handlers only set a flag; see StopSignals
            if signals.received:
                self.request_stop("stopped by signal", drain=True)
        self._shutdown(record, runner, workers, engine)  # beating on meanwhile, or the reaper would take it
        endpoint.stop()
        heartbeat.stop()
        self._release(workers, engine, sandbox)
        return 0 if self._end_state is ContextState.FINISHED else 1

    def _endpoint(self, runner: JobRunner, max_jobs: int) -> HostEndpoint:
        return HostEndpoint(runner.run_now, self._settings.host_bind, self._settings.host_port, max_jobs + 2)

    def _job_runner(self, record: ContextRecord, engine: SparkEngine, workers: WorkerPool) -> JobRunner:
        return JobRunner(
            workers=workers,
            binaries=BinaryCache(
                self._parts.binaries,
                self._cache_dir,
                self._settings.policy.limits,
                package_sources=self._settings.policy.dependencies,
            ),
            data_files=DataFileCache(self._parts.data_files, self._settings.data_path),
            cancel_spark_jobs=engine.cancel,
            engine_death=engine.death,
            jobs=self._parts.jobs,
            results=self._parts.results,
            job_ending=self._job_ending,
            publish=self._publish,
            host_id=self._host_id,
            max_jobs=record.settings.maxJobs,
            on_job_end=self._end_transient_context if record.transient else _ignore,
            on_job_failed=self._stop_on_job_error if record.settings.stopContextOnJobError else _ignore,
        )

    def _worker_pool(self, record: ContextRecord, sandbox: Sandbox, engine: SparkEngine) -> WorkerPool:
        assert engine.access is not None
        spec = WorkerSpec(
            sandbox=sandbox,
            gateway=engine.access,
            flavour=record.settings.flavour,
            context_config=record.settings.config,
            memory_limit_bytes=self._settings.worker_memory_mb << 20
            if self._settings.worker_memory_mb
            else None,
            max_result_bytes=self._settings.max_result_mb << 20,
        )
        return WorkerPool(spec.start, record.settings.maxJobs)

    def _start_serving(
        self, record: ContextRecord, engine: SparkEngine, sandbox: Sandbox, endpoint: HostEndpoint
    ) -> None:
        running = RunningHost(
            engine.ui_url, engine.application_id, sandbox.isolation, endpoint.url, endpoint.secret
        )
        try:
            self._parts.contexts.mark_running(self._name, self._context_id, running)
        except Conflict:
            self._stop.set()  # stopped or reaped while the engine started
            return
        log.info(
            "context %s running (%s, Spark UI %s, isolation %s)",
            self._name,
            engine.application_id,
            engine.ui_url,
            sandbox.isolation,
        )
        self._publish(
            ContextStarted(
                context=self._name,
                contextId=self._context_id,
                state=ContextState.RUNNING,
                host=self._host_id,
                sparkUiUrl=engine.ui_url,
            )
        )
        threading.Thread(target=self._consume, args=(record.queueUrl,), name="consumer", daemon=True).start()

    def request_stop(
        self, reason: str, drain: bool, state: ContextState = ContextState.FINISHED, force: bool = False
    ) -> None:
        if not self._stop.is_set():
            self._stop_reason, self._drain, self._end_state, self._force = reason, drain, state, force
            self._stop.set()

    def _on_lost(self, reason: str) -> None:
        log.warning("stopping: %s", reason)
        self._lost = True
        self.request_stop(reason, drain=False)

    def _on_engine_dead(self, reason: str) -> None:
        log.error("context %s lost its engine: %s", self._name, reason)
        self.request_stop(reason, drain=False, state=ContextState.ERROR)

    def _watch_engine(self, engine: SparkEngine) -> None:
        """The JVM is this host's child: its exit is known at once, not at the next beat."""
        code = engine.wait_exit()
        if not self._stop.is_set():
            self._on_engine_dead(f"the context's JVM exited with code {code}")

    def _end_transient_context(self, job_id: str) -> None:
        """An ad-hoc context lives for its one job."""
        self.request_stop(f"its transient job {job_id} ended", drain=True)

    def _stop_on_job_error(self, job_id: str) -> None:
        """SJS's stop-context-on-job-error: the context stops at its first failed job, at once
        (its other jobs end with it), and ends KILLED as SJS's does when its SparkContext stops."""
        reason = f"its job {job_id} failed and stop-context-on-job-error is set"
        self.request_stop(reason, drain=False, state=ContextState.KILLED)

    def _consume(self, queue_url: str) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(queue_url)
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("receiving from %s failed; retrying", queue_url)
                self._stop.wait(1.0)

    def poll_once(self, queue_url: str) -> None:
        """Receive what the context's queue holds (one long poll) and handle each message."""
        queues = self._parts.queues
        for delivery in queues.receive(queue_url):
            if self._stop.is_set():
                return  # the context is ending; its queued jobs are failed by the shutdown
            ack = lambda receipt=delivery.receipt: queues.ack(queue_url, receipt)  # noqa: E731
            try:
                self._handle(delivery.message, ack)
            except Exception:  # one bad delivery must not stop the context taking jobs
                log.exception("handling %s failed", type(delivery.message).__name__)

    def _handle(self, message: HostMessage, ack: Callable[[], None]) -> None:
        assert self._runner is not None
        if isinstance(message, JobRequested):
            if self._runner.submit(message, ack):
                return  # acknowledged when the job ends
        elif isinstance(message, KillRequested):
            self._runner.kill(message.jobId)
        elif isinstance(message, StopRequested):
            reason = "context deleted with force: Spark was killed" if message.force else "context deleted"
            self.request_stop(reason, drain=False, force=message.force)
        ack()

    def _shutdown(
        self, record: ContextRecord, runner: JobRunner, workers: WorkerPool, engine: SparkEngine
    ) -> None:
        log.info("context %s stopping: %s", self._name, self._stop_reason)
        if self._lost:
            runner.kill_all()
            return
        if self._end_state is ContextState.FINISHED:
            with contextlib.suppress(Conflict):  # the API began it (DELETE)
                self._parts.contexts.begin_stop(self._name, self._context_id)
            if self._drain:
                runner.wait_idle(DRAIN_SECONDS)
            self._stop_spark(runner, workers, engine)
        self._end(record, self._end_state, self._stop_reason)
        runner.kill_all()  # what still runs has been ended with the context

    def _stop_spark(self, runner: JobRunner, workers: WorkerPool, engine: SparkEngine) -> None:
        """Stop as SJS stops a context (its JobManagerActor): running jobs are not waited for but
        end now, ERROR "Context (…) for this job was terminated"; then Spark stops gracefully or,
        forced, its JVM is killed. The context ends after this, so a DELETE that has been
        answered means the Spark application is gone."""
        self._job_ending.end_with_context(self._name)
        runner.kill_all()
        workers.close()
        engine.stop(graceful=not self._force)
        log.info("context %s: Spark %s", self._name, "killed" if self._force else "stopped")

    def _end(self, record: ContextRecord, state: ContextState, message: str) -> None:
        """End this incarnation as the reaper would (infra/context_end.py), then stop publishing."""
        job_reason = None if state is ContextState.FINISHED else message
        ended_jobs = self._context_ending.end(record, state, message, job_reason=job_reason)
        if ended_jobs is None:
            self._parts.queues.delete(record.queueUrl)  # ended by the API or the reaper: the queue may remain
        else:
            log.info("context %s ended %s; %d unfinished job(s) failed", self._name, state, len(ended_jobs))
        self._outbox.shutdown(wait=True)

    @property
    def _cache_dir(self):
        return self._settings.state_path / "cache" / "binaries"

    @staticmethod
    def _release(workers: WorkerPool | None, engine: SparkEngine, sandbox: Sandbox) -> None:
        if workers is not None:
            workers.close()
        engine.stop()
        sandbox.release()

    def _tell_job_end(self, record: JobRecord) -> None:
        self._outbox.submit(self._parts.bus.tell_job_end, record)

    def _publish(self, event: LifecycleEvent) -> None:
        """Events leave on their own thread, after the state they report is stored."""
        self._outbox.submit(self._parts.bus.tell, event)


def _ignore(job_id: str) -> None:
    """What the host does at a job's end or failure unless its context says otherwise."""
