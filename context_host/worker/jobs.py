"""Runs one job in a worker: load, `validate`, wait for the host's word, `run_job`, report.

The three failure phases stay apart (load, validate, run) because the API answers them
differently (SJS: 400 for the first two). Job code may raise anything, even SystemExit; what it
cannot do from here is touch the job's record: it only returns a value or raises."""

import json
import traceback

from pyhocon import ConfigFactory

from context_host.channel import Channel
from context_host.worker.loading import PythonJobLoader
from context_host.worker.named_objects import ContextNamedObjects
from context_host.worker.results import to_json_safe
from context_host.worker.spark import JoinedEngine
from events.jobs import JobError
from events.states import FailurePhase
from events.worker_protocol import JobOutcome, Proceed, RunJob, Validated, to_worker
from sparkjobserver.api import JobEnvironment, is_problems


class JobExecutor:
    def __init__(self, engine: JoinedEngine, channel: Channel, max_result_bytes: int):
        self._engine = engine
        self._channel = channel
        self._max_result_bytes = max_result_bytes
        self._loader = PythonJobLoader()
        self._named_objects = ContextNamedObjects()
        self._context_config = ConfigFactory.from_dict(engine.context_config)

    def run(self, request: RunJob) -> None:
        sc = self._engine.session.sparkContext
        sc.setJobGroup(request.jobId, f"{request.appName}:{request.classPath}", interruptOnCancel=True)
        sc.setLocalProperty("spark.scheduler.pool", self._engine.scheduler_pool)
        try:
            job = self._loader.load_class(
                request.binary.path, request.classPath, [d.path for d in request.dependencies if not d.jar]
            )()
        except BaseException as e:  # job code may even call sys.exit() while being imported
            return self._fail(FailurePhase.LOAD, describe(e))
        runtime = JobEnvironment(request.jobId, self._named_objects, self._context_config)
        job_context = self._engine.job_context
        try:
            data = job.validate(job_context, runtime, ConfigFactory.from_dict(request.config))
        except BaseException as e:
            return self._fail(FailurePhase.VALIDATE, describe(e))
        if is_problems(data):
            problems = data if isinstance(data, list) else [data]
            message = "; ".join(str(p.problem) for p in problems)
            return self._fail(
                FailurePhase.VALIDATE, JobError(message=message, errorClass="ValidationProblem")
            )
        self._channel.send(Validated())
        if not isinstance(self._channel.receive(to_worker), Proceed):
            return  # abandoned: killed meanwhile, or another host runs it
        try:
            value = job.run_job(job_context, runtime, data)
            result = json.dumps(to_json_safe(value)).encode()
        except BaseException as e:
            return self._fail(FailurePhase.RUN, describe(e))
        if len(result) > self._max_result_bytes:
            limit = self._max_result_bytes
            message = f"the result is {len(result)} bytes of JSON, over this server's limit of {limit}"
            return self._fail(FailurePhase.RUN, JobError(message=message, errorClass="ResultTooLarge"))
        self._channel.send(JobOutcome(finished=True, resultBytes=len(result)), result)

    def _fail(self, phase: FailurePhase, error: JobError) -> None:
        self._channel.send(JobOutcome(finished=False, phase=phase, error=error))


def describe(error: BaseException) -> JobError:
    error_class = type(error)
    name = (
        error_class.__qualname__
        if error_class.__module__ == "builtins"
        else f"{error_class.__module__}.{error_class.__qualname__}"
    )
    stack = "".join(traceback.format_exception(error)).splitlines()
    return JobError(message=str(error) or name, errorClass=name, stack=stack)
