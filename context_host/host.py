"""One context host: starts the context's engine (a Spark JVM) and job workers in the context's
sandbox, consumes the context's queue, and ends the context truthfully however it stops
(DELETE, SIGTERM, the end of a transient job, losing its record, or its JVM dying).

A host can also start as a spare of the warm pool (functions/domain/pool.py): engine, workers
and endpoint warm with default settings, no context yet. A context that the spare can serve
adopts it through its endpoint, and from then on it is that context's host like any other.

The host is the trusted side: it holds the credentials and makes every store, queue and bus call;
job code runs only in the sandbox (context_host/sandbox.py) and reaches the host only through
its worker's socket."""

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from context_host.binaries import BinaryCache
from context_host.data_files import DataFileCache
from context_host.endpoint import HostEndpoint
from context_host.engine import SparkEngine
from context_host.heartbeat import Heartbeat
from context_host.progress import JobWatch
from context_host.runner import JobRunner
from context_host.sandbox import Sandbox, open_sandbox
from context_host.spark_conf import engine_conf
from context_host.wiring import HostParts
from context_host.workers import WorkerPool, WorkerSpec
from events.lifecycle import ContextStarted, LifecycleEvent
from events.messages import Adoption, HostMessage, JobRequested, KillRequested, StopRequested
from events.settings import ContextSettings
from events.states import ContextState, JobStatus
from events.worker_protocol import WARM_UP_JOB_ID
from infra.clock import now_iso, seconds_between
from infra.context_end import ContextEnding
from infra.errors import Conflict
from infra.job_end import JobEnding
from infra.processes import StopSignals, when_gone
from infra.stores.contexts import ContextRecord, RunningHost
from infra.stores.jobs import JobRecord

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # on SIGTERM, how long running jobs may finish before they are killed
STACK_GONE_SECONDS = 5.0  # locally: how long a host may take to stop once its stack is gone


@dataclass
class Warm:
    """What a host starts before it serves: its sandbox, engine, workers, runner and endpoint."""

    sandbox: Sandbox
    engine: SparkEngine
    workers: WorkerPool
    runner: JobRunner
    endpoint: HostEndpoint


class ContextHost:
    def __init__(
        self,
        parts: HostParts,
        name: str,
        context_id: str,
        spare: bool = False,
        rescope: Callable[[str], None] = lambda context: None,
    ):
        """The host of context `name` (incarnation `context_id`), or with `spare` the spare host
        `context_id` that a context will adopt (then `rescope` makes its AWS calls act as that
        context's: infra/context_role.py)."""
        self._parts = parts
        self._settings = parts.settings
        self._name = name
        self._context_id = context_id
        self._spare = spare
        self._rescope = rescope
        self._context: ContextRecord | None = None  # the context served, once bound to one
        self._host_id = f"{socket.gethostname()}:{os.getpid()}"
        self._outbox = ThreadPoolExecutor(max_workers=1, thread_name_prefix="events")
        job_ending = JobEnding(parts.jobs, parts.contexts, parts.results, parts.replies, self._tell_job_end)
        self._job_ending = job_ending
        self._context_ending = ContextEnding(parts.contexts, job_ending, parts.queues, self._publish)
        self._stop = threading.Event()
        self._bound = threading.Lock()
        self._stop_reason = ""
        self._end_state = ContextState.FINISHED
        self._drain = False
        self._force = False
        self._lost = False
        self._warm: Warm | None = None
        self._heartbeat: Heartbeat | None = None
        self._holding = threading.Lock()
        self._live = False  # marked running: jobs run as they come
        self._held: list[tuple[JobRequested, Callable[[], None]]] = []  # jobs that came before

    def run(self) -> int:
        if self._spare:
            settings, beat = ContextSettings(), lambda: self._parts.contexts.beat_spare(self._context_id)
        else:
            record = self._parts.contexts.get(self._name)
            if record.contextId != self._context_id:
                log.error("context %s is now incarnation %s, not ours; exiting", self._name, record.contextId)
                return 1
            settings, beat = record.settings, lambda: self._parts.contexts.beat(self._name, self._context_id)
        signals = StopSignals()
        heartbeat = self._heartbeat = Heartbeat(
            beat,
            self._settings.heartbeat_seconds,
            on_lost=self._on_lost,
            on_engine_dead=self._on_engine_dead,
        )
        heartbeat.start()
        if self._settings.supervisor_pid:  # locally: the host, its JVM and workers end with their stack
            when_gone(self._settings.supervisor_pid, self._on_stack_gone)
        try:
            warm = self._warm = self._start(settings)
        except Exception as e:
            log.exception("the engine of %s failed to start", self._name)
            if self._spare:
                self._parts.contexts.drop_spare(self._context_id)
            else:
                self._end(record, ContextState.ERROR, f"SparkSession failed to start: {e}")
            heartbeat.stop()
            return 1
        heartbeat.watch_engine(warm.engine.death)
        threading.Thread(target=self._watch_engine, args=(warm.engine,), name="engine", daemon=True).start()
        warm.endpoint.start()
        if self._spare:
            self._parts.contexts.spare_ready(self._context_id, self._running(warm))
            log.info("spare host %s warm (isolation %s)", self._context_id, warm.sandbox.isolation)
        else:
            self._serve(record)
        while not self._stop.wait(0.2):  # signal handlers only set a flag; see StopSignals
            if signals.received:
                self.request_stop("stopped by signal", drain=True)
        self._shutdown(warm)  # beating on meanwhile, or the reaper would take it
        warm.endpoint.stop()
        heartbeat.stop()
        self._release(warm.workers, warm.engine, warm.sandbox)
        return 0 if self._end_state is ContextState.FINISHED else 1

    def _start(self, settings: ContextSettings) -> Warm:
        owner = "spare" if self._spare else self._name
        sandbox = open_sandbox(self._settings.state_path / "sandbox", f"{owner}-{self._context_id[:8]}")
        engine = SparkEngine(
            sandbox, engine_conf(f"sjs-{self._name}", settings, self._settings.spark_master, sandbox.root)
        )
        workers: WorkerPool | None = None
        try:
            engine.start()
            workers = self._worker_pool(settings, sandbox, engine)
            workers.warm(warm_up_spark=self._spare)  # a spare's first job runs at warm speed
            if self._spare:  # and the read of its progress a job's end waits for (~0.7 s the first time)
                engine.sample(WARM_UP_JOB_ID, last=True)
                engine.forget(WARM_UP_JOB_ID)
            runner = self._job_runner(settings, engine, workers)
            endpoint = HostEndpoint(
                runner.run_now,
                self.adopt if self._spare else None,
                self._settings.host_bind,
                self._settings.host_port,
                settings.maxJobs + 2,
                self._settings.ecs_container_metadata_uri_v4,
            )
        except Exception:
            self._release(workers, engine, sandbox)
            raise
        return Warm(sandbox, engine, workers, runner, endpoint)

    def adopt(self, adoption: Adoption) -> None:
        """Become the host of the context that adopts this spare: settings its session can take
        at run time applied, then its record marked running. Raises when it cannot."""
        with self._bound:
            if self._context is not None or self._warm is None or self._stop.is_set():
                raise Conflict(f"spare host {self._context_id} is not free")
            for key, value in adoption.settings.sparkConf.items():
                self._warm.engine.set_conf(key, value)
            spare_id = self._context_id
            self._name, self._context_id = adoption.context, adoption.contextId
            assert self._heartbeat is not None  # beats for the context now, before its spare record goes
            self._heartbeat.beat_for(lambda: self._parts.contexts.beat(self._name, self._context_id))
            self._parts.contexts.drop_spare(spare_id)  # while still scoped to the spare's record
            self._rescope(adoption.context)
            record = self._parts.contexts.get(adoption.context)
            self._serve(record)
        if self._stop.is_set():
            raise Conflict(f"context {adoption.context} ended while it adopted its host")

    def _serve(self, record: ContextRecord) -> None:
        """Serve `record`'s context: take its queue's messages, run its warm-up job when it has
        one (on a thread of its own: an adoption is answered at once), then mark it running and
        tell the bus. Jobs that come before then are held until it is running; a stop or a kill
        (of the warm-up too) is handled at once."""
        self._context = record
        threading.Thread(target=self._consume, args=(record.queueUrl,), name="consumer", daemon=True).start()
        if record.warmUp is None:
            self._go_live(record)
        else:
            threading.Thread(target=self._warm_up, args=(record,), name="warm-up", daemon=True).start()

    def _warm_up(self, record: ContextRecord) -> None:
        """Run the context's warm-up job as any job runs, within what is left of the start timeout
        (the context is not usable before it ends); the context goes live once it has finished,
        and otherwise ends ERROR with the job's error as the reason (a supervised context counts
        it as a failed attempt)."""
        assert self._warm is not None and record.warmUp is not None
        job_id = record.warmUp.jobId
        timeout = self._settings.context_start_timeout_seconds
        left = timeout - seconds_between(record.startTime, now_iso())
        log.info("context %s warming up: job %s (%s)", self._name, job_id, record.warmUp.classPath)
        try:
            ended = self._warm.runner.run_now(record.warmUp).result(timeout=max(left, 0.0))
        except TimeoutError:
            failure = f"did not finish within the start timeout ({timeout:g} s)"
        else:
            if ended is not None and ended.status is JobStatus.FINISHED:
                return self._go_live(record)
            error = ended.error if ended is not None else None
            failure = f"failed: {error.message}" if error else "ended before it finished"
        self.request_stop(f"its warm-up job {job_id} {failure}", drain=False, state=ContextState.ERROR)

    def _go_live(self, record: ContextRecord) -> None:
        assert self._warm is not None
        if self._stop.is_set():
            return  # stopping already (its engine died under the warm-up, or a signal)
        try:
            self._parts.contexts.mark_running(self._name, self._context_id, self._running(self._warm))
        except Conflict:
            self._stop.set()  # stopped or reaped while the engine started
            return
        engine = self._warm.engine
        log.info(
            "context %s running (%s, Spark UI %s, isolation %s)",
            self._name,
            engine.application_id,
            engine.ui_url,
            self._warm.sandbox.isolation,
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
        with self._holding:
            self._live = True
            held, self._held = self._held, []
        for message, ack in held:
            self._run_job(message, ack)

    def _running(self, warm: Warm) -> RunningHost:
        engine = warm.engine
        endpoint = warm.endpoint
        return RunningHost(
            engine.ui_url, engine.application_id, warm.sandbox.isolation, endpoint.url, endpoint.secret
        )

    def _job_runner(self, settings: ContextSettings, engine: SparkEngine, workers: WorkerPool) -> JobRunner:
        return JobRunner(
            workers=workers,
            binaries=BinaryCache(
                self._parts.binaries,
                self._settings.state_path / "cache" / "binaries",
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
            max_jobs=settings.maxJobs,
            context_settings=self._context_settings,
            on_job_end=self._on_job_end,
            on_job_failed=self._on_job_failed,
            watch=JobWatch(
                sample_of=engine.sample,
                forget=engine.forget,
                jobs=self._parts.jobs,
                logs=self._parts.job_logs,
                publish=self._publish,
                settings=self._settings.policy.progress,
            ),
        )

    def _worker_pool(self, settings: ContextSettings, sandbox: Sandbox, engine: SparkEngine) -> WorkerPool:
        assert engine.access is not None
        memory_mb = self._settings.worker_memory_mb
        spec = WorkerSpec(
            sandbox=sandbox,
            gateway=engine.access,
            memory_limit_bytes=memory_mb << 20 if memory_mb else None,
            max_result_bytes=self._settings.max_result_mb << 20,
        )
        return WorkerPool(spec.start, settings.maxJobs)

    def _context_settings(self) -> ContextSettings:
        """The settings of the context served (what its jobs see of it)."""
        return self._context.settings if self._context else ContextSettings()

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

    def _on_stack_gone(self) -> None:
        """The local stack that launched this host has exited, and moto with it: nothing the host
        does can be recorded any more. It stops as a lost host does, and exits regardless after
        STACK_GONE_SECONDS (a JVM still starting cannot be interrupted); its JVM and job workers
        follow it (their stdin and lifeline close)."""
        self._on_lost("the local stack that launched it exited")
        time.sleep(STACK_GONE_SECONDS)
        log.warning("still here %g s after the stack exited: exiting now", STACK_GONE_SECONDS)
        os._exit(1)

    def _on_engine_dead(self, reason: str) -> None:
        log.error("context %s lost its engine: %s", self._name, reason)
        self.request_stop(reason, drain=False, state=ContextState.ERROR)

    def _watch_engine(self, engine: SparkEngine) -> None:
        """The JVM is this host's child: its exit is known at once, not at the next beat."""
        code = engine.wait_exit()
        if not self._stop.is_set():
            self._on_engine_dead(f"the context's JVM exited with code {code}")

    def _on_job_end(self, job_id: str) -> None:
        """An ad-hoc context lives for its one job."""
        if self._context is not None and self._context.transient:
            self.request_stop(f"its transient job {job_id} ended", drain=True)

    def _on_job_failed(self, job_id: str) -> None:
        """SJS's stop-context-on-job-error: the context stops at its first failed job, at once
        (its other jobs end with it), and ends KILLED as SJS's does when its SparkContext stops.
        A failed warm-up job ends its context ERROR instead (_warm_up)."""
        context = self._context
        warm_up = context.warmUp.jobId if context is not None and context.warmUp else None
        if context is not None and context.settings.stopContextOnJobError and job_id != warm_up:
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
        assert self._warm is not None
        if isinstance(message, JobRequested):
            with self._holding:
                if not self._live:  # its warm-up job runs first
                    return self._held.append((message, ack))
            return self._run_job(message, ack)
        if isinstance(message, KillRequested):
            self._warm.runner.kill(message.jobId)
        elif isinstance(message, StopRequested):
            reason = "context deleted with force: Spark was killed" if message.force else "context deleted"
            self.request_stop(reason, drain=False, force=message.force)
        ack()

    def _run_job(self, message: JobRequested, ack: Callable[[], None]) -> None:
        assert self._warm is not None
        if not self._warm.runner.submit(message, ack):  # else acknowledged when the job ends
            ack()  # a second delivery of a job this host has

    def _shutdown(self, warm: Warm) -> None:
        log.info("%s stopping: %s", self._name, self._stop_reason)
        with self._bound:  # no adoption from here on
            record = self._context
        if record is None:  # a spare no context adopted
            warm.runner.kill_all()
            if not self._lost:
                with contextlib.suppress(Exception):
                    self._parts.contexts.drop_spare(self._context_id)
            return
        if self._lost:
            warm.runner.kill_all()
            return
        if self._end_state is ContextState.FINISHED:
            with contextlib.suppress(Conflict):  # the API began it (DELETE)
                self._parts.contexts.begin_stop(self._name, self._context_id)
            if self._drain:
                warm.runner.wait_idle(DRAIN_SECONDS)
            self._stop_spark(warm)
        self._end(record, self._end_state, self._stop_reason)
        warm.runner.kill_all()  # what still runs has been ended with the context

    def _stop_spark(self, warm: Warm) -> None:
        """Stop as SJS stops a context (its JobManagerActor): running jobs are not waited for but
        end now, ERROR "Context (…) for this job was terminated"; then Spark stops gracefully or,
        forced, its JVM is killed. The context ends after this, so a DELETE that has been
        answered means the Spark application is gone."""
        self._job_ending.end_with_context(self._name)
        warm.runner.kill_all()
        warm.workers.close()
        warm.engine.stop(graceful=not self._force)
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
