"""/jobs: submit (async 202 / sync 200), list, status, config, kill."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import HttpUrl

from events.states import JobStatus
from functions.api.requests import config_body
from functions.api.responses import job_info, job_info_with_result, json_response
from functions.domain.jobs import JobSubmission
from functions.wiring import services
from infra.errors import BadRequest

router = Router()

DEFAULT_SYNC_TIMEOUT = 60
DEFAULT_LIST_LIMIT = 50


@router.post("/")
def submit_job(
    config: Annotated[dict[str, Any], Depends(config_body)],
    app_name: Annotated[str | None, Query(alias="appName")] = None,
    class_path: Annotated[str | None, Query(alias="classPath")] = None,
    cp: Annotated[str | None, Query(description="SJS 0.9+ name for appName")] = None,
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
    app = app_name or (cp.split(",")[-1] if cp else None)
    entry = class_path or main_class or config.get("mainClass")
    if not app:
        raise BadRequest("To start the job appName or cp parameters should be configured!")
    if not entry:
        raise BadRequest("classPath parameter is missing!")
    if not isinstance(entry, str):
        raise BadRequest(f"mainClass in the config must be a class name, not {entry!r}")
    jobs = services().jobs
    callback = str(callback_url) if callback_url else None
    record = jobs.submit(JobSubmission(app, entry, context, config, sync, timeout, callback))
    if sync:
        return job_info_with_result(record, jobs.outcome(record))
    return json_response(202, job_info(record))


@router.get("/")
def list_jobs(
    limit: Annotated[int, Query(ge=1, le=1000)] = DEFAULT_LIST_LIMIT,
    status: Annotated[JobStatus | None, Query()] = None,
) -> list[dict]:
    return [job_info(record) for record in services().jobs.recent(limit, status)]


@router.get("/<job_id>")
def show_job(job_id: str) -> dict:
    jobs = services().jobs
    record = jobs.get(job_id)
    return job_info_with_result(record, jobs.outcome(record))


@router.get("/<job_id>/config")
def show_job_config(job_id: str) -> dict:
    return services().jobs.get(job_id).config


@router.delete("/<job_id>")
def kill_job(job_id: str) -> dict:
    jobs = services().jobs
    record = jobs.kill(job_id)
    if record.status is JobStatus.ERROR and record.error:
        return {"status": "ERROR", "ERROR": jobs.outcome(record)}
    return {"status": record.status.value}
