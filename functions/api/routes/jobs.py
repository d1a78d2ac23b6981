"""/jobs: submit (async 202 / sync 200), list, status, config, logs, kill."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BeforeValidator, HttpUrl

from events.states import JobStatus
from functions.api.auth.callers import Caller
from functions.api.auth.guard import current_caller, query_context, requires
from functions.api.models import JobInfo, JobKilled
from functions.api.openapi import GUARDED, answers, config_request, failure, success
from functions.api.requests import config_body
from functions.api.responses import (
    job_info,
    job_info_with_result,
    job_started,
    job_still_running,
    json_response,
)
from functions.domain.job_path import job_entries
from functions.domain.jobs import JobSubmission
from functions.wiring import services
from infra.errors import BadRequest, NoSuchJob
from infra.permissions import Permission
from infra.stores.jobs import JobRecord

router = Router()
CallerOf = Annotated[Caller, Depends(current_caller)]

DEFAULT_SYNC_TIMEOUT = 60
DEFAULT_LIST_LIMIT = 50
MAX_LOG_LINES = 100_000
LOG_EXAMPLES = {"lines": {"value": "2026-12-01T08:00:00.123Z counting 3 words\n"}}

TAGS = ["jobs"]
JOB_ID = "5b230141-5e6a-4cb5-9d0e-0f1e2d3c4b5a"
UNKNOWN = failure(404, "No job with that id (or none the caller may see)", unknown="No such job ID nope")
STARTED = {
    "jobId": JOB_ID,
    "status": "STARTED",
    "classPath": "example_jobs.word_count.WordCountSparkJob",
    "appName": "wordcount",
    "context": "analytics",
    "startTime": "2026-11-21T05:31:27.871+00:00",
    "duration": "Job not done yet",
}
FINISHED = {
    **STARTED,
    "status": "FINISHED",
    "duration": "0.124 secs",
    "result": {"spark": 1, "as": 1, "a": 1, "service": 1},
    "progress": {
        "percent": 100.0,
        "jobs": {"done": 1, "total": 1},
        "stages": {"done": 2, "total": 2},
        "tasks": {"done": 4, "total": 4},
    },
}


def _upper(value: object) -> object:
    """SJS reads ?status= in any case (status=error)."""
    return value.upper() if isinstance(value, str) else value


@router.post(
    "/",
    summary="Run a job: async (202, then poll it) or sync (200 with its result)",
    description="appName and classPath name the job (or cp and mainClass, as SJS 0.9+); without a context "
    "it runs on a transient context of its own.",
    tags=TAGS,
    openapi_extensions=config_request(
        "The job's config, handed to its validate and run_job.",
        'input.strings = ["spark", "as", "a", "service"]',
        {"input": {"strings": ["spark", "as", "a", "service"]}},
    ),
    responses=answers(
        success(202, JobInfo, "Accepted (async): poll GET /jobs/{jobId}", started=STARTED),
        success(200, JobInfo, "Finished (sync=true): its result or error", finished=FINISHED),
        failure(
            400,
            "The job's validate refused its config, or a parameter is missing or invalid",
            validation_failed={
                "status": "VALIDATION FAILED",
                "result": {
                    "message": "config input.strings not found",
                    "errorClass": "ValidationProblem",
                    "stack": [],
                },
            },
            no_class_path="classPath parameter is missing!",
        ),
        failure(404, "No such app, class or context", unknown_app="appName nope not found"),
        failure(
            503,
            "The context runs as many jobs as it may",
            no_slots={
                "status": "NO SLOTS AVAILABLE",
                "result": "Too many running jobs (1) for job context 'analytics'",
            },
        ),
        failure(
            504,
            "sync=true and the job did not end within timeout; it goes on",
            timed_out=f"Job {JOB_ID} did not finish within 1 s; it is still running. "
            f"Try using the /jobs/{JOB_ID}, /jobs APIs to get status/results",
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.JOBS_START, context=query_context("context"))],
)
def submit_job(
    config: Annotated[dict[str, Any], Depends(config_body)],
    caller: CallerOf,
    app_name: Annotated[str | None, Query(alias="appName")] = None,
    class_path: Annotated[str | None, Query(alias="classPath")] = None,
    cp: Annotated[
        str | None,
        Query(
            description="SJS 0.9+: binaries (names) and package URIs on the job's path, comma-separated, "
            "in order; the class is in one of the binaries"
        ),
    ] = None,
    main_class: Annotated[
        str | None, Query(alias="mainClass", description="SJS 0.9+ name for classPath")
    ] = None,
    context: Annotated[str | None, Query()] = None,
    sync: Annotated[bool, Query()] = False,
    timeout: Annotated[
        int, Query(ge=1, le=3600, description="seconds a sync call waits")
    ] = DEFAULT_SYNC_TIMEOUT,
    callback_url: Annotated[
        HttpUrl | None,
        Query(alias="callbackUrl", description="POSTed {jobId, status, result} when the job ends"),
    ] = None,
):
    path = job_entries(app_name, cp, config)
    entry = class_path or main_class or config.get("mainClass")
    if not entry:
        raise BadRequest("classPath parameter is missing!")
    if not isinstance(entry, str):
        raise BadRequest(f"mainClass in the config must be a class name, not {entry!r}")
    jobs = services().jobs
    callback = str(callback_url) if callback_url else None
    submission = JobSubmission(path, entry, context, config, sync, timeout, callback, caller.adhoc_prefix)
    record = jobs.submit(submission)
    if sync and record.status.is_active:  # it outlived the gateway's bound (gateway.max-wait-seconds)
        return json_response(202, job_still_running(record))
    if sync:
        return job_info_with_result(record, jobs.outcome(record))
    return json_response(202, job_started(record))


@router.get(
    "/",
    summary="List recent jobs, newest first",
    tags=TAGS,
    responses=answers(
        success(200, list[JobInfo], "The jobs (without results)", some=[STARTED]),
        failure(
            400,
            "An unknown status",
            bad_status="Invalid request: status: Input should be 'STARTED', 'RUNNING', 'FINISHED', "
            "'ERROR', 'KILLED' or 'RESTARTING'",
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.JOBS_READ)],
)
def list_jobs(
    caller: CallerOf,
    limit: Annotated[int, Query(ge=1, le=1000)] = DEFAULT_LIST_LIMIT,
    status: Annotated[JobStatus | None, BeforeValidator(_upper), Query(description="any case")] = None,
) -> list[dict]:
    return [job_info(record) for record in services().jobs.recent(limit, status, caller.context_prefixes)]


@router.get(
    "/<job_id>",
    summary="Show a job: status, progress, and its result or error once it has ended",
    tags=TAGS,
    responses=answers(success(200, JobInfo, "The job", finished=FINISHED), UNKNOWN, GUARDED),
    middlewares=[requires(Permission.JOBS_READ)],
)
def show_job(job_id: str, caller: CallerOf) -> dict:
    record = _visible_job(job_id, caller)
    return job_info_with_result(record, services().jobs.outcome(record))


@router.get(
    "/<job_id>/config",
    summary="Show the config a job was given",
    tags=TAGS,
    responses=answers(
        success(
            200, dict[str, Any], "The job's config as JSON", words={"input": {"strings": ["a", "b", "a"]}}
        ),
        UNKNOWN,
        GUARDED,
    ),
    middlewares=[requires(Permission.JOBS_READ)],
)
def show_job_config(job_id: str, caller: CallerOf) -> dict:
    return _visible_job(job_id, caller).config


@router.get(
    "/<job_id>/logs",
    summary="A job's own output lines",
    tags=TAGS,
    responses=answers(
        {
            200: {
                "description": "Its lines, plain text",
                "content": {"text/plain": {"schema": {"type": "string"}, "examples": LOG_EXAMPLES}},
            }
        },
        failure(400, "A bad tail or since", bad_tail="tail: Input should be greater than or equal to 1"),
        failure(404, "No such job", unknown=f"No such job ID {JOB_ID}"),
        GUARDED,
    ),
    middlewares=[requires(Permission.JOBS_READ)],
)
def show_job_logs(
    job_id: str,
    caller: CallerOf,
    tail: Annotated[int | None, Query(ge=1, le=MAX_LOG_LINES, description="only the last N lines")] = None,
    since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="only lines from this ISO 8601 time on (with its zone, e.g. 2026-12-01T08:00:00Z), "
            "or after the first N lines (a number: how many lines an earlier call returned)",
        ),
    ] = None,
) -> Response[str]:
    """The job's own output (its print, logging and stderr lines, each after the time its host read
    it), plain text; while it runs, as its host last saved it (at most a sampling period ago)."""
    lines = services().job_logs.lines(_visible_job(job_id, caller), tail=tail, since=since)
    return Response(200, "text/plain; charset=utf-8", "".join(f"{line}\n" for line in lines))


@router.delete(
    "/<job_id>",
    summary="Kill a running job",
    tags=TAGS,
    responses=answers(
        success(200, JobKilled, "Killed (a failed job answers its error)", killed={"status": "KILLED"}),
        failure(404, "No such job, or it is not running", not_running=f"No running job with ID {JOB_ID}"),
        GUARDED,
    ),
    middlewares=[requires(Permission.JOBS_DELETE)],
)
def kill_job(job_id: str, caller: CallerOf) -> dict:
    jobs = services().jobs
    if caller.scoped:
        _visible_job(job_id, caller)
    record = jobs.kill(job_id)
    if record.status is JobStatus.ERROR and record.error:
        return {"status": "ERROR", "ERROR": jobs.outcome(record)}
    return {"status": record.status.value}


def _visible_job(job_id: str, caller: Caller) -> JobRecord:
    """A job of a context outside the caller's prefixes is as unknown to them as a wrong id."""
    record = services().jobs.get(job_id)
    if not caller.reaches(record.context):
        raise NoSuchJob(job_id)
    return record
