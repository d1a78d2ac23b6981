"""/jars: SJS's legacy routes for jars, aliases of /binaries as SJS kept them until 0.9
(`curl --data-binary @job.jar localhost:8090/jars/demo`): the bytes are stored as a Jar version
of the binary whatever the Content-Type says, and GET lists the jars in SJS's old shape."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.auth.guard import requires
from functions.api.models import Done
from functions.api.openapi import GUARDED, TOO_LARGE, answers, bytes_request, failure, success
from functions.api.requests import raw_body
from functions.domain.binaries import JAR
from functions.wiring import services
from infra.permissions import Permission

router = Router()
JAR_CONTENT_TYPE = "application/java-archive"
TAGS = ["jars (legacy)"]


@router.get(
    "/",
    summary="List the jars in SJS's old shape: {appName: upload time}",
    tags=TAGS,
    responses=answers(
        success(
            200,
            dict[str, str],
            "The binaries whose newest version is a jar",
            some={"demo": "2026-12-01T06:41:14.779+00:00"},
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_READ)],
)
def list_jars() -> dict[str, str]:
    """{appName: upload time} of the binaries whose newest version is a jar."""
    latest = services().binaries.latest_of_each()
    return {app: record.uploadTime for app, record in sorted(latest.items()) if record.binaryType == JAR}


@router.post(
    "/<app_name>",
    summary="Upload a jar (stored as a Jar version of the binary, whatever the Content-Type)",
    tags=TAGS,
    openapi_extensions=bytes_request("The jar's bytes"),
    responses=answers(
        success(200, Done, "Stored", uploaded={"status": "SUCCESS", "result": "Jar uploaded"}),
        failure(
            400,
            "Not a zip archive",
            not_a_zip="Binary is not a valid jar, egg or wheel (expected a zip archive)",
        ),
        TOO_LARGE,
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_UPLOAD)],
)
def upload_jar(app_name: str, data: Annotated[bytes, Depends(raw_body)]) -> dict:
    services().binaries.upload(app_name, data, JAR_CONTENT_TYPE)
    return {"status": "SUCCESS", "result": "Jar uploaded"}


@router.delete(
    "/<app_name>",
    summary="Delete a binary (as DELETE /binaries/{appName})",
    tags=TAGS,
    responses=answers(
        success(200, Done, "Deleted", deleted={"status": "SUCCESS", "result": "Binary demo deleted"}),
        failure(404, "No binary of that name", unknown="appName nope not found"),
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_DELETE)],
)
def delete_jar(app_name: str) -> dict:
    services().binaries.delete(app_name)
    return {"status": "SUCCESS", "result": f"Binary {app_name} deleted"}
