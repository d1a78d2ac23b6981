"""Creating, inspecting and stopping contexts (SJS's context supervisor)."""

import contextlib
import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from events.messages import Adoption, JobRequested, StopRequested
from events.settings import ContextSettings
from events.states import ContextState
from functions.domain.job_path import job_entries
from functions.domain.job_requests import JobRequests, job_request, new_job
from functions.domain.liveness import Reaper
from functions.domain.pool import WarmPool
from functions.domain.waiting import wait_until
from infra.clock import now_iso, now_ms
from infra.errors import (
    Conflict,
    ContextInitFailed,
    ContextStopInProgress,
    InvalidName,
    InvalidWarmUp,
    NoSlotsAvailable,
    NoSuchContext,
    NotFound,
)
from infra.launchers import ContextLauncher
from infra.messaging.host_queues import HostQueues
from infra.messaging.sync_lane import HostLost, HostUnreachable, SyncLane
from infra.server_config import CONTEXT_NAME
from infra.stores.contexts import ContextRecord, ContextStore
from infra.stores.dynamo import Write
from infra.stores.jobs import JobRecord, JobStore

log = logging.getLogger(__name__)

NAME = re.compile(CONTEXT_NAME)
STOP_WAIT_SECONDS = 15.0  # SJS's context-deletion-timeout default
KNOWN_SECONDS = 10.0  # how long an API container trusts what it read of a running context
LISTED = frozenset({ContextState.STARTED, ContextState.RUNNING, ContextState.RESTARTING})  # by GET /contexts


@dataclass(frozen=True)
class ContextService:
    contexts: ContextStore
    queues: HostQueues
    launcher: ContextLauncher
    reaper: Reaper
    start_timeout_seconds: float
    lane: SyncLane
    requests: JobRequests  # a warm-up job's request, made as a submitted job's is
    jobs: JobStore
    pool: WarmPool | None = None
    _known: dict[str, tuple[float, ContextRecord]] = field(default_factory=dict)  # see `known`

    def create(
        self,
        name: str,
        settings: ContextSettings,
        *,
        transient: bool = False,
        wait: bool = True,
        patience: float | None = None,
        slot_taken: bool = False,
    ) -> ContextRecord:
        """Give a new context a host: a warm spare when one can take its settings (usable at once),
        else a new one. With `wait`, return once it is usable, or after `patience` seconds as it
        is then (wait_usable). `slot_taken` creates it with one job slot already taken (a
        transient context's one job)."""
        if not NAME.match(name):
            raise InvalidName(
                f"Invalid context name {name!r}: it must start with a letter and use only letters, digits, "
                "'_' or '-' (64 at most)"
            )
        record = self._start(name, settings, transient=transient, slot_taken=slot_taken)
        if record.state is ContextState.STARTED and wait:
            return self.wait_usable(record, patience)
        return record

    def restart(self, ended: ContextRecord) -> ContextRecord:
        """Start `ended`'s context again with the same settings (Spark settings, config, job path
        entries): a new incarnation of the same name, its host launched or a warm spare adopted,
        without waiting. Only while `ended` is still the name's record in the state it was read
        in: ContextExists when it was deleted or re-created meanwhile."""
        return self._start(ended.name, ended.settings, replacing=ended)

    def _start(
        self,
        name: str,
        settings: ContextSettings,
        *,
        transient: bool = False,
        slot_taken: bool = False,
        replacing: ContextRecord | None = None,
    ) -> ContextRecord:
        context_id = uuid.uuid4().hex
        warm_up = self._warm_up(name, context_id, settings)  # 400 before anything is made
        spare = self.pool.take(name, settings) if self.pool else None
        record = ContextRecord(
            name=name,
            contextId=context_id,
            state=ContextState.STARTED,
            startTime=now_iso(),
            settings=settings,
            queueUrl=self.queues.create(name, context_id),
            transient=transient,
            heartbeatAt=now_ms(),
            activeJobs=1 if slot_taken or warm_up else 0,
            hostId=spare.hostId if spare else None,
            restarts=replacing.restarts if replacing else 0,
            warmUp=warm_up[1] if warm_up else None,
        )
        try:
            self.contexts.create(record, replacing, [self.jobs.create_write(warm_up[0])] if warm_up else ())
        except Exception:
            self.queues.delete(record.queueUrl)
            if spare:
                self.pool.give_up(spare)
            raise
        if spare:
            adopted = self._adopt(spare, record)
            if adopted is not None:
                return adopted
        try:
            host_id = self.launcher.launch(name, context_id)
            self.contexts.set_host(name, context_id, host_id)
        except Exception as e:
            log.exception("launching a host for %s failed", name)
            self.contexts.end(name, context_id, ContextState.ERROR, f"host launch failed: {e}")
            self.queues.delete(record.queueUrl)
            raise ContextInitFailed(f"Context {name} could not be started: {e}") from e
        return record.model_copy(update={"hostId": host_id})

    def _warm_up(
        self, name: str, context_id: str, settings: ContextSettings
    ) -> tuple[JobRecord, JobRequested] | None:
        """The record and request of the context's warm-up job on incarnation `context_id`, as a
        job of that app and class submitted to it would have them (slot taken with the context,
        run by its host before it is RUNNING); InvalidWarmUp when its binary or class is unknown."""
        warm = settings.warmUp
        if warm is None:
            return None
        entries = job_entries(warm.app, None, warm.config)
        try:
            path, binary = self.requests.located(entries, warm.classPath, settings)
        except NotFound as e:
            raise InvalidWarmUp(f"Invalid warm-up job: {e}") from None
        config = self.requests.config(warm.config, settings)
        job = new_job(entries, binary.appName, warm.classPath, warm.config, name, context_id)
        return job, job_request(job, binary, path, config)

    def _adopt(self, spare: ContextRecord, record: ContextRecord) -> ContextRecord | None:
        """Have the claimed spare serve `record`'s context: the context as its host marked it
        running, or None when it would not (it is stopped then, and the context starts cold)."""
        assert self.pool is not None
        adoption = Adoption(context=record.name, contextId=record.contextId, settings=record.settings)
        try:
            self.lane.adopt(spare.endpoint or "", spare.endpointSecret or "", adoption)
        except (HostUnreachable, HostLost) as e:
            log.warning("spare %s did not take %s (%s); it starts cold", spare.contextId, record.name, e)
            self.pool.give_up(spare)
            return None
        finally:
            self.pool.replenish_behind()
        return self.contexts.get(record.name)

    def wait_usable(self, record: ContextRecord, patience: float | None = None) -> ContextRecord:
        """The context once usable, or after `patience` seconds (at most the start timeout) as it
        is then: STARTED (still starting) or RESTARTING (it failed, and being supervised it starts
        again). ContextInitFailed when it failed for good, or did not start in time."""
        patience = min(patience or self.start_timeout_seconds, self.start_timeout_seconds)
        current, settled = wait_until(
            lambda: self.reaper.checked(self.contexts.get(record.name)),
            lambda r: r.contextId != record.contextId or r.state is not ContextState.STARTED,
            patience,
        )
        mine = current.contextId == record.contextId
        if mine and current.state in (ContextState.RUNNING, ContextState.RESTARTING):
            return current
        if not settled:
            current = self.contexts.get(record.name)
            if current.contextId == record.contextId and current.state is ContextState.RUNNING:
                return current  # it made it just as the wait ran out
            if patience < self.start_timeout_seconds:
                return current  # still starting: the caller answers so (202); the reaper has the timeout
            self.reaper.reap(current, f"did not start within {self.start_timeout_seconds:g} s")
            raise ContextInitFailed(
                f"Context {record.name} did not start within {self.start_timeout_seconds:g} s"
            )
        raise ContextInitFailed(f"Context {record.name} failed to start: {current.message or current.state}")

    def get(self, name: str) -> ContextRecord:
        record = self.contexts.get(name)
        if record.state is ContextState.SPARE:  # a warm host's own record, not a context
            raise NoSuchContext(name)
        return self.reaper.checked(record)

    def live_count(self) -> int:
        """How many contexts are not yet ended, as recorded (no liveness check: cheap)."""
        return len(self.contexts.live())

    def listed_names(self) -> list[str]:
        """The contexts GET /contexts lists: those that can take jobs, are starting, or (supervised)
        are between two incarnations; dead hosts reaped first (a supervised one's context is then
        RESTARTING, and listed still)."""
        checked = map(self.reaper.checked, self.contexts.in_states(LISTED))
        return [r.name for r in checked if r.state in LISTED]

    def known(self, name: str) -> ContextRecord:
        """The context as this container last saw it running (read again after KNOWN_SECONDS):
        its incarnation, queue and host endpoint change only when it is re-created, and the
        transaction that takes a job's slot checks the rest (live, a slot free) where it counts."""
        seen = self._known.get(name)
        if seen is not None and time.monotonic() - seen[0] < KNOWN_SECONDS:
            return seen[1]
        record = self.get(name)
        if record.state is ContextState.RUNNING:
            self._known[name] = (time.monotonic(), record)
        return record

    def forget(self, name: str) -> None:
        self._known.pop(name, None)

    def slot_write(self, context: ContextRecord) -> Write:
        """Taking one of the context's job slots, as one write of a transaction with the job."""
        return self.contexts.take_slot_write(context.name, context.contextId)

    def take_slot_refused(self, name: str, tried: ContextRecord) -> ContextRecord:
        """Why a slot of `tried` could not be taken: a newer incarnation that can take jobs (the
        caller tries that), or the SJS error that says why (stopping, gone, full)."""
        self.forget(name)
        record = self.get(name)
        usable = record.state in (ContextState.STARTED, ContextState.RUNNING)
        if record.contextId != tried.contextId and usable:
            return record
        if record.state is ContextState.STOPPING:
            raise ContextStopInProgress(name)
        if not record.state.is_live:
            raise NoSuchContext(name)
        raise NoSlotsAvailable(record.settings.maxJobs, name)

    def free_slot(self, name: str, context_id: str) -> None:
        self.contexts.free_slot(name, context_id)

    def delete(self, name: str, force: bool = False) -> None:
        """Stop the context as SJS does: its unfinished jobs end ERROR at once (SJS does not wait
        for them), then its host stops Spark gracefully, or with `force` kills it; returns once
        the context has ended (after STOP_WAIT_SECONDS its host is stopped for good and it
        ends ERROR)."""
        record = self.request_stop(name, force)
        current, ended = wait_until(
            lambda: self.reaper.checked(self.contexts.get(name)),
            lambda r: r.contextId != record.contextId or not r.state.is_live,
            STOP_WAIT_SECONDS,
        )
        if not ended:
            self.reaper.reap(current, f"its host did not stop within {STOP_WAIT_SECONDS:g} s and was ended")

    def request_stop(self, name: str, force: bool = False) -> ContextRecord:
        """Mark the context STOPPING and tell its host to stop (`force`: kill its Spark rather than
        stop it), without waiting for it."""
        record = self.get(name)
        if record.state is ContextState.RESTARTING and self.contexts.cancel_restart(
            name, record.contextId, "context deleted while it was restarting"
        ):
            return record  # between two incarnations: no host to tell
        if not record.state.is_live:
            raise NoSuchContext(name)
        with contextlib.suppress(Conflict):  # already stopping: wait for it like the first caller
            self.contexts.begin_stop(name, record.contextId)
        self.queues.send(record.queueUrl, StopRequested(force=force))
        return record
