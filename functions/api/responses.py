"""SJS's JSON shapes: the error body, and a job's info as GET /jobs/{id} shows it."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from infra.clock import seconds_between
from infra.stores.jobs import JobRecord


def json_response(status_code: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    compact = json.dumps(body, separators=(",", ":"))  # as the resolver serialises plain returns
    return Response(
        status_code=status_code, content_type=content_types.APPLICATION_JSON, body=compact, headers=headers
    )


def sjs_error(status_code: int, label: str, result: Any, headers: dict[str, str] | None = None) -> Response:
    return json_response(status_code, {"status": label, "result": result}, headers)


def exception_result(message: str, error_class: str, stack: list[str]) -> dict[str, Any]:
    return {"message": message, "errorClass": error_class, "stack": stack}


def job_info(record: JobRecord) -> dict[str, Any]:
    duration = (
        f"{seconds_between(record.startTime, record.endTime):.3f} secs"
        if record.endTime
        else "Job not done yet"
    )
    info = {
        "jobId": record.jobId,
        "status": record.status.value,
        "classPath": record.classPath,
        "appName": record.appName,
        "context": record.context,
        "startTime": record.startTime,
        "duration": duration,
    }
    if record.progress is not None:  # ours, not SJS's: once the job's host has seen its Spark work
        info["progress"] = record.progress.model_dump(exclude_none=True)
    return info


def job_started(record: JobRecord) -> dict[str, Any]:
    """An accepted async job as SJS answers it (202): STARTED once it passed `validate`, whatever
    it has done since."""
    return {**job_info(record), "status": "STARTED", "duration": "Job not done yet"}


def job_still_running(record: JobRecord) -> dict[str, Any]:
    """A sync job that outlived the caller's bounded wait: answered as an accepted async job is,
    saying where its result will be (it goes on)."""
    where = f"GET /jobs/{record.jobId}"
    return {
        **job_started(record),
        "message": f"Job {record.jobId} is still running; {where} shows its result",
    }


def job_info_with_result(record: JobRecord, outcome: Any) -> dict[str, Any]:
    """`outcome` is JobService.outcome(record): a finished job's result or a failed job's error."""
    info = job_info(record)
    if record.error is not None or record.status.value == "FINISHED":
        info["result"] = outcome
    return info
