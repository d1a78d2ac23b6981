"""/binaries: upload (POST raw bytes), list, show versions, delete, and a presigned upload for
packages over API Gateway's 10 MB request limit (it deploys through the bucket, functions/deploy)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.auth.guard import requires
from functions.api.requests import content_type, raw_body
from functions.api.responses import json_response
from functions.wiring import services
from infra.permissions import Permission
from infra.stores.binaries import UPLOAD_URL_SECONDS, BinaryRecord

router = Router()


def _info(record: BinaryRecord) -> dict:
    return {"binary-type": record.binaryType, "upload-time": record.uploadTime}


@router.get("/", middlewares=[requires(Permission.BINARIES_READ)])
def list_binaries() -> dict:
    return {app: _info(record) for app, record in sorted(services().binaries.latest_of_each().items())}


@router.post("/<app_name>", middlewares=[requires(Permission.BINARIES_UPLOAD)])
def upload_binary(
    app_name: str,
    data: Annotated[bytes, Depends(raw_body)],
    declared_type: Annotated[str, Depends(content_type)],
):
    record = services().binaries.upload(app_name, data, declared_type)
    return json_response(201, {"status": "SUCCESS", "result": "Binary uploaded", **_info(record)})


@router.post("/<app_name>/uploads", middlewares=[requires(Permission.BINARIES_UPLOAD)])
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


@router.get("/<app_name>", middlewares=[requires(Permission.BINARIES_READ)])
def show_binary(app_name: str) -> dict:
    versions = services().binaries.versions(app_name)
    return {
        "app-name": app_name,
        **_info(versions[0]),
        "versions": [{**_info(v), "digest": v.digest, "size": v.size} for v in versions],
    }


@router.delete("/<app_name>", middlewares=[requires(Permission.BINARIES_DELETE)])
def delete_binary(app_name: str) -> dict:
    services().binaries.delete(app_name)
    return {"status": "SUCCESS", "result": f"Binary {app_name} deleted"}
