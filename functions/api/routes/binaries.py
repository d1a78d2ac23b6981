"""/binaries: upload (POST raw bytes), list, show versions, delete, and a presigned upload for
packages over API Gateway's 10 MB request limit (it deploys through the bucket, functions/deploy)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.auth.guard import requires
from functions.api.models import BinaryInfo, BinaryUploaded, BinaryVersions, Done, UploadUrl
from functions.api.openapi import GUARDED, TOO_LARGE, answers, bytes_request, failure, success
from functions.api.requests import content_type, raw_body
from functions.api.responses import json_response
from functions.wiring import services
from infra.permissions import Permission
from infra.stores.binaries import UPLOAD_URL_SECONDS, BinaryRecord

router = Router()
TAGS = ["binaries"]
EGG = {"binary-type": "Egg", "upload-time": "2026-11-21T05:31:19.470+00:00"}
UNKNOWN = failure(404, "No binary of that name", unknown="appName nope not found")


def _info(record: BinaryRecord) -> dict:
    return {"binary-type": record.binaryType, "upload-time": record.uploadTime}


@router.get(
    "/",
    summary="List the binaries: each app's newest version with its type and upload time",
    tags=TAGS,
    responses=answers(
        success(200, dict[str, BinaryInfo], "{appName: its newest version}", some={"wordcount": EGG}), GUARDED
    ),
    middlewares=[requires(Permission.BINARIES_READ)],
)
def list_binaries() -> dict:
    return {app: _info(record) for app, record in sorted(services().binaries.latest_of_each().items())}


@router.post(
    "/<app_name>",
    summary="Upload a job package (egg, wheel, zip or jar) as the app's newest version",
    description="The body is the package's bytes, as `curl --data-binary @jobs.egg` sends them. Its type "
    "comes from Content-Type, or from the bytes when Content-Type is missing, `application/octet-stream` "
    "or `application/x-www-form-urlencoded`. New jobs use the newest version.",
    tags=TAGS,
    openapi_extensions=bytes_request("The package: a zip archive (.egg, .whl, .zip or .jar)"),
    responses=answers(
        success(
            201,
            BinaryUploaded,
            "Stored as a new version",
            uploaded={"status": "SUCCESS", "result": "Binary uploaded", **EGG},
        ),
        failure(
            400,
            "Not a zip archive, or a bad app name",
            not_a_zip="Binary is not a valid jar, egg or wheel (expected a zip archive)",
        ),
        failure(
            415,
            "A Content-Type that names no package type",
            unsupported="Unsupported binary type text/csv; use one of application/java-archive, "
            "application/python-egg, application/python-wheel, application/python-archive",
        ),
        TOO_LARGE,
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_UPLOAD)],
)
def upload_binary(
    app_name: str,
    data: Annotated[bytes, Depends(raw_body)],
    declared_type: Annotated[str, Depends(content_type)],
):
    record = services().binaries.upload(app_name, data, declared_type)
    return json_response(201, {"status": "SUCCESS", "result": "Binary uploaded", **_info(record)})


@router.post(
    "/<app_name>/uploads",
    summary="Get a presigned S3 URL to PUT a package over the body limit; it deploys when it lands",
    tags=TAGS,
    responses=answers(
        success(
            201,
            UploadUrl,
            "PUT the package to `url`",
            presigned={
                "status": "SUCCESS",
                "result": "PUT the package to url; it is deployed as a new version when it lands",
                "url": "http://127.0.0.1:4566/sjs-data/binaries/drop/wordcount/jobs.egg?X-Amz-Signature=...",
                "method": "PUT",
                "key": "binaries/drop/wordcount/jobs.egg",
                "expiresIn": 900,
            },
        ),
        failure(
            400,
            "A bad app name or file name",
            bad_name="Invalid file name '../x': use letters, digits, '.', '_' or '-'",
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_UPLOAD)],
)
def presigned_upload(
    app_name: str,
    file_name: Annotated[
        str | None, Query(alias="fileName", description="e.g. jobs.egg; the extension gives the type")
    ] = None,
):
    key, url = services().binaries.upload_url(app_name, file_name or f"{app_name}.zip")
    return json_response(
        201,
        {
            "status": "SUCCESS",
            "result": "PUT the package to url; it is deployed as a new version when it lands",
            "url": url,
            "method": "PUT",
            "key": key,
            "expiresIn": UPLOAD_URL_SECONDS,
        },
    )


@router.get(
    "/<app_name>",
    summary="Show a binary's versions, newest first",
    tags=TAGS,
    responses=answers(
        success(
            200,
            BinaryVersions,
            "The app's versions",
            versions={
                "app-name": "wordcount",
                **EGG,
                "versions": [
                    {
                        **EGG,
                        "digest": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                        "size": 21307,
                    }
                ],
            },
        ),
        UNKNOWN,
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_READ)],
)
def show_binary(app_name: str) -> dict:
    versions = services().binaries.versions(app_name)
    return {
        "app-name": app_name,
        **_info(versions[0]),
        "versions": [{**_info(v), "digest": v.digest, "size": v.size} for v in versions],
    }


@router.delete(
    "/<app_name>",
    summary="Delete a binary, every version of it",
    tags=TAGS,
    responses=answers(
        success(200, Done, "Deleted", deleted={"status": "SUCCESS", "result": "Binary wordcount deleted"}),
        UNKNOWN,
        failure(
            403,
            "A running job uses it",
            in_use="Binary is in use by job(s): 5b230141-5e6a-4cb5-9d0e-0f1e2d3c4b5a",
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.BINARIES_DELETE)],
)
def delete_binary(app_name: str) -> dict:
    services().binaries.delete(app_name)
    return {"status": "SUCCESS", "result": f"Binary {app_name} deleted"}
