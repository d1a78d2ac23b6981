"""Runs one job in a worker: load, validate, wait for the host's word, run, report.

Python jobs (SJS's `sparkjobserver.api`) run here; JVM jobs run in the context's JVM through its
bridge (context_host/jvm_bridge.py), on this worker's JVM thread, so both kinds share the job's
group, the slot, the kill and the three failure phases (load, validate, run), which stay apart
because the API answers them differently (SJS: 400 for the first two). Job code may raise
anything, even SystemExit; what it cannot do from here is touch the job's record: it only
returns a value or raises."""

import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

from pyhocon import ConfigFactory

from context_host.channel import Channel
from context_host.jvm_bridge import JvmBridge
from context_host.worker.loading import PythonJobLoader
from context_host.worker.results import to_json_safe
from context_host.worker.spark import JOB_TAGS, JoinedEngine, built_context, job_context, progress_tag
from events.jobs import JobError
from events.settings import ContextFlavour
from events.states import FailurePhase
from events.worker_protocol import JobOutcome, Proceed, RunJob, Validated, to_worker
from sparkjobserver.api import JobEnvironment, is_problems

JOB_MDC = "mdc.sjsJobId"  # jvm/host JobLogEvents.JOB_MDC: Spark puts `mdc.*` properties in its tasks' MDC


class JobFailed(Exception):
    """A job's failure in one of its phases, as the worker reports it."""

    def __init__(self, phase: FailurePhase, error: JobError):
        super().__init__(error.message)
        self.phase = phase
        self.error = error


class JobExecutor:
    def __init__(self, engine: JoinedEngine, channel: Channel, max_result_bytes: int):
        self._engine = engine
        self._channel = channel
        self._max_result_bytes = max_result_bytes
        self._loader = PythonJobLoader()
        self._bridge = JvmBridge(engine.session)  # also the context's named objects, shared with the JVM
        self._built: dict[tuple[type, ContextFlavour], Any] = {}  # what build_context hooks made

    def run(self, request: RunJob) -> None:
        sc = self._engine.session.sparkContext
        sc.setJobGroup(request.jobId, f"{request.appName}:{request.classPath}", interruptOnCancel=True)
        # The job's one tag (what clearJobTags and addJobTag would leave, in one call): a tag,
        # unlike the group, stays on the threads of the streaming queries the job starts.
        sc.setLocalProperty(JOB_TAGS, progress_tag(request.jobId))
        sc.setLocalProperty(JOB_MDC, request.jobId)  # so what its tasks log names it (the job's log)
        sc.setLocalProperty("spark.scheduler.pool", self._engine.scheduler_pool)
        try:
            value = self._run_jvm(request) if request.binary.jar else self._run_python(request)
            if value is _ABANDONED:
                return
            result = json.dumps(value).encode()
        except JobFailed as failed:
            return self._report(JobOutcome(finished=False, phase=failed.phase, error=failed.error))
        if len(result) > self._max_result_bytes:
            limit = self._max_result_bytes
            message = f"the result is {len(result)} bytes of JSON, over this server's limit of {limit}"
            error = JobError(message=message, errorClass="ResultTooLarge")
            return self._report(JobOutcome(finished=False, phase=FailurePhase.RUN, error=error))
        self._report(JobOutcome(finished=True, resultBytes=len(result)), result)

    def _report(self, outcome: JobOutcome, result: bytes = b"") -> None:
        """The job's output is all in the host's pipe before its outcome reaches the host, which
        then takes the rest of the pipe as the job's (context_host/job_output.py)."""
        for stream in (sys.stdout, sys.stderr):
            with suppress(Exception):  # job code may have closed or replaced them
                stream.flush()
        self._channel.send(outcome, result)

    def _run_python(self, request: RunJob) -> Any:
        path = request.path or [request.binary]
        jars = [entry.path for entry in path if entry.jar]
        folders = [entry.path for entry in path if not entry.jar]
        with _failing_in(FailurePhase.LOAD):  # job code may even call sys.exit() while imported
            job_class = self._loader.load_class(folders, request.classPath)
            job = job_class()
        with self._session_with(jars) as session:
            context = job_context(session, request.flavour)
            with _failing_in(FailurePhase.LOAD):
                built = self._custom_context(job_class, job, session, request.flavour, cached=not jars)
                context = built or context
            context_config = ConfigFactory.from_dict(request.contextConfig)
            runtime = JobEnvironment(request.jobId, self._bridge.named_objects, context_config)
            with _failing_in(FailurePhase.VALIDATE):
                data = job.validate(context, runtime, ConfigFactory.from_dict(request.config))
            if is_problems(data):
                problems = data if isinstance(data, list) else [data]
                message = "; ".join(str(p.problem) for p in problems)
                error = JobError(message=message, errorClass="ValidationProblem")
                raise JobFailed(FailurePhase.VALIDATE, error)
            if not self._claimed():
                return _ABANDONED
            with _failing_in(FailurePhase.RUN):
                return to_json_safe(job.run_job(context, runtime, data))

    def _run_jvm(self, request: RunJob) -> Any:
        others = [entry.path for entry in request.path if entry.jar and entry.path != request.binary.path]
        jars = [request.binary.path, *others]
        _answer(self._bridge.prepare(request.jobId, jars, request.classPath), FailurePhase.LOAD)
        try:
            _answer(
                self._bridge.validate(request.jobId, request.config, request.contextConfig),
                FailurePhase.VALIDATE,
            )
            if not self._claimed():
                self._bridge.discard(request.jobId)
                return _ABANDONED
            return _answer(self._bridge.run(request.jobId), FailurePhase.RUN)["result"]
        finally:  # what the JVM job printed, into this worker's output: its host keeps it as the job's
            with suppress(Exception):  # a JVM that is gone has nothing more to say
                sys.stdout.write(self._bridge.take_output(request.jobId))

    def _custom_context(
        self, job_class: type, job: Any, session: Any, flavour: ContextFlavour, cached: bool
    ) -> Any:
        """The context the job's `build_context` hook builds; once per class and flavour on this
        worker, as each build registers a Python SparkContext of its own with the JVM."""
        key = (job_class, flavour)
        if cached and key in self._built:
            return self._built[key]
        built = built_context(job, session, flavour)
        if cached:
            self._built[key] = built
        return built

    def _claimed(self) -> bool:
        """Say the job is valid and wait for the host's word: run it, or leave it."""
        self._channel.send(Validated())
        return isinstance(self._channel.receive(to_worker), Proceed)

    @contextmanager
    def _session_with(self, jars: list[str]) -> Iterator[Any]:
        """The context's session, with `jars` (a Python job's `cp` jars) on its class path."""
        with self._bridge.jars_on_classpath(jars) if jars else nullcontext(self._engine.session) as session:
            yield session


_ABANDONED = object()


def _answer(answer: dict[str, Any], phase: FailurePhase) -> dict[str, Any]:
    """The bridge's answer, or its error as the phase's failure."""
    if "error" in answer:
        raise JobFailed(phase, JobError.model_validate(answer["error"]))
    return answer


@contextmanager
def _failing_in(phase: FailurePhase) -> Iterator[None]:
    try:
        yield
    except BaseException as e:  # job code may raise anything, SystemExit included
        raise JobFailed(phase, describe(e)) from None


def describe(error: BaseException) -> JobError:
    error_class = type(error)
    name = (
        error_class.__qualname__
        if error_class.__module__ == "builtins"
        else f"{error_class.__module__}.{error_class.__qualname__}"
    )
    stack = "".join(traceback.format_exception(error)).splitlines()
    return JobError(message=str(error) or name, errorClass=name, stack=stack)
