"""One context host: starts the SparkSession, consumes the context's queue, and ends the context
truthfully however it stops (DELETE, SIGTERM, the end of a transient job, or losing its record)."""

import contextlib
import functools
import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from pyhocon import ConfigFactory

from context_host.heartbeat import Heartbeat
from context_host.loader import BinaryLoader
from context_host.named_objects import ContextNamedObjects
from context_host.runner import JobRunner
from context_host.session import build_session, job_context
from events.lifecycle import ContextStarted, LifecycleEvent
from events.messages import HostMessage, JobRequested, KillRequested, StopRequested
from events.states import ContextState
from infra.config import Settings
from infra.context_end import ContextEnding
from infra.errors import Conflict
from infra.launchers.local import SUPERVISOR_PID
from infra.local.processes import StopSignals
from infra.messaging.bus import EventPublisher
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies
from infra.stores.binaries import BinaryStore
from infra.stores.contexts import ContextRecord, ContextStore
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import ResultStore

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # on SIGTERM, how long running jobs may finish before they are cancelled


class ContextHost:
    def __init__(self, settings: Settings, name: str, context_id: str):
        self._settings = settings
        self._name = name
        self._context_id = context_id
        self._host_id = f"{socket.gethostname()}:{os.getpid()}"
        self._contexts = ContextStore(settings.contexts_table)
        self._jobs = JobStore(settings.jobs_table)
        self._queues = HostQueues(settings.queue_prefix, settings.dead_letter_queue_url)
        self._bus = EventPublisher(settings.event_bus_name, settings.binaries_bucket)
        self._outbox = ThreadPoolExecutor(max_workers=1, thread_name_prefix="events")
        self._stop = threading.Event()
        self._drain = False
        self._lost = False
        self._stop_reason = ""

    def run(self) -> int:
        record = self._contexts.get(self._name)
        if record.contextId != self._context_id:
            log.error("context %s is now incarnation %s, not ours; exiting", self._name, record.contextId)
            return 1
        signals = StopSignals()
        supervisor = os.environ.get(SUPERVISOR_PID)
        heartbeat = Heartbeat(
            self._contexts,
            self._name,
            self._context_id,
            self._settings.heartbeat_seconds,
            on_lost=self._on_lost,
            supervisor_pid=int(supervisor) if supervisor else None,
        )
        heartbeat.start()
        try:
            session = build_session(f"sjs-{self._name}", record.settings, self._settings.spark_master)
        except Exception as e:
            log.exception("SparkSession for %s failed to start", self._name)
            self._end(record, ContextState.ERROR, f"SparkSession failed to start: {e}")
            return 1
        runner = self._runner(record, session)
        try:
            self._contexts.mark_running(self._name, self._context_id, session.sparkContext.uiWebUrl)
        except Conflict:
            self._stop.set()  # stopped or reaped while the session started
        else:
            log.info("context %s running (Spark UI %s)", self._name, session.sparkContext.uiWebUrl)
            self._publish(
                ContextStarted(
                    context=self._name,
                    contextId=self._context_id,
                    state=ContextState.RUNNING,
                    host=self._host_id,
                    sparkUiUrl=session.sparkContext.uiWebUrl,
                )
            )
            threading.Thread(
                target=self._consume, args=(record.queueUrl, runner), name="consumer", daemon=True
            ).start()
        while not self._stop.wait(0.2):  # signal handlers only set a flag; see StopSignals
            if signals.received:
                self.request_stop("stopped by signal", drain=True)
        self._shutdown(record, runner)  # beating on while it drains, or the reaper would take it
        heartbeat.stop()
        session.stop()
        return 0

    def request_stop(self, reason: str, drain: bool) -> None:
        if not self._stop.is_set():
            self._stop_reason, self._drain = reason, drain
            self._stop.set()

    def _on_lost(self, reason: str) -> None:
        log.warning("stopping: %s", reason)
        self._lost = True
        self.request_stop(reason, drain=False)

    def _runner(self, record: ContextRecord, session) -> JobRunner:
        settings = record.settings
        return JobRunner(
            job_context=job_context(session, settings.flavour),
            spark_context=session.sparkContext,
            jobs=self._jobs,
            results=ResultStore(self._settings.binaries_bucket),
            loader=BinaryLoader(
                BinaryStore(self._settings.binaries_table, self._settings.binaries_bucket),
                self._settings.state_path / "cache" / "binaries",
            ),
            named_objects=ContextNamedObjects(),
            context_config=ConfigFactory.from_dict(settings.config),
            host_id=self._host_id,
            max_jobs=settings.maxJobs,
            publish=self._publish,
            tell_job_end=self._tell_job_end,
            replies=Replies(self._settings.queue_prefix),
            free_slot=functools.partial(self._contexts.free_slot, self._name, self._context_id),
            on_job_end=self._end_transient_context if record.transient else lambda _: None,
        )

    def _end_transient_context(self, job_id: str) -> None:
        """An ad-hoc context lives for its one job."""
        self.request_stop(f"its transient job {job_id} ended", drain=True)

    def _consume(self, queue_url: str, runner: JobRunner) -> None:
        while not self._stop.is_set():
            try:
                deliveries = self._queues.receive(queue_url)
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("receiving from %s failed; retrying", queue_url)
                self._stop.wait(1.0)
                continue
            for delivery in deliveries:
                if self._stop.is_set():
                    return  # the context is ending; its queued jobs are failed by the shutdown
                try:
                    self._handle(
                        delivery.message,
                        functools.partial(self._queues.ack, queue_url, delivery.receipt),
                        runner,
                    )
                except Exception:  # one bad delivery must not stop the context taking jobs
                    log.exception("handling %s failed", type(delivery.message).__name__)

    def _handle(self, message: HostMessage, ack: Callable[[], None], runner: JobRunner) -> None:
        if isinstance(message, JobRequested):
            if runner.submit(message, ack):
                return  # acknowledged when the job ends
        elif isinstance(message, KillRequested):
            runner.kill(message.jobId)
        elif isinstance(message, StopRequested):
            self.request_stop("context deleted", drain=False)
        ack()

    def _shutdown(self, record: ContextRecord, runner: JobRunner) -> None:
        log.info("context %s stopping: %s", self._name, self._stop_reason)
        if self._lost:
            runner.cancel_all()
            return
        with contextlib.suppress(Conflict):  # the API began it (DELETE)
            self._contexts.begin_stop(self._name, self._context_id)
        if self._drain:
            runner.wait_idle(DRAIN_SECONDS)
        runner.cancel_all()
        self._end(record, ContextState.FINISHED, self._stop_reason)

    def _end(self, record: ContextRecord, state: ContextState, message: str) -> None:
        """End this incarnation as the reaper would (infra/context_end.py), then stop publishing."""
        ending = ContextEnding(self._contexts, self._jobs, self._queues, self._publish, self._tell_job_end)
        ended_jobs = ending.end(record, state, message)
        if ended_jobs is None:
            self._queues.delete(record.queueUrl)  # ended by the API or the reaper: the queue may remain
        else:
            log.info("context %s ended %s; %d unfinished job(s) failed", self._name, state, len(ended_jobs))
        self._outbox.shutdown(wait=True)

    def _tell_job_end(self, record: JobRecord) -> None:
        self._outbox.submit(self._bus.tell_job_end, record)

    def _publish(self, event: LifecycleEvent) -> None:
        """Events leave on their own thread, after the state they report is stored."""
        self._outbox.submit(self._bus.tell, event)
