"""/data: SJS's data files for jobs (functions/domain/data_files.py): upload (POST raw bytes,
answered with the path a job opens), list, delete one, delete all (PUT ?reset=reboot)."""

from typing import Annotated, Literal
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.auth.guard import requires
from functions.api.models import DataUploaded, Done
from functions.api.openapi import GUARDED, TOO_LARGE, answers, bytes_request, failure, success
from functions.api.requests import raw_body
from functions.wiring import services
from infra.permissions import Permission

router = Router()
TAGS = ["data"]
PATH = "/srv/sjs/.sjs/data/words-2026-12-01T06_41_14.988Z.dat"


@router.get(
    "/",
    summary="List the data files by the paths jobs open them by",
    tags=TAGS,
    responses=answers(success(200, list[str], "Their paths", some=[PATH]), GUARDED),
    middlewares=[requires(Permission.DATA_READ)],
)
def list_data_files() -> list[str]:
    return services().data_files.paths()


@router.post(
    "/<prefix>",
    summary="Upload a data file for jobs; answers the path a job opens it by",
    tags=TAGS,
    openapi_extensions=bytes_request("The file's bytes", ("application/octet-stream", "text/plain")),
    responses=answers(
        success(200, DataUploaded, "Stored", uploaded={"result": {"filename": PATH}}),
        failure(
            400,
            "A bad name",
            bad_name="Invalid data file prefix '.x': use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        ),
        TOO_LARGE,
        GUARDED,
    ),
    middlewares=[requires(Permission.DATA_UPLOAD)],
)
def upload_data_file(prefix: str, data: Annotated[bytes, Depends(raw_body)]) -> dict:
    return {"result": {"filename": services().data_files.upload(prefix, data)}}


@router.delete(
    "/<file_name>",
    summary="Delete a data file, by its name or its whole path URL-encoded",
    tags=TAGS,
    responses=answers(
        success(200, Done, "Deleted", deleted={"status": "SUCCESS"}),
        failure(400, "No such file (as SJS answers it)", unknown="Unable to delete data file 'nope.dat'."),
        GUARDED,
    ),
    middlewares=[requires(Permission.DATA_DELETE)],
)
def delete_data_file(file_name: str) -> dict:
    # SJS's clients send the path the upload returned as one URL-encoded segment.
    services().data_files.delete(unquote(file_name))
    return {"status": "SUCCESS"}


@router.put(
    "/",
    summary="Delete every data file (reset=reboot)",
    tags=TAGS,
    responses=answers(
        success(200, Done, "Deleted", reset={"status": "SUCCESS", "result": "Data reset"}),
        failure(400, "A reset other than reboot", other="Invalid request: reset: Input should be 'reboot'"),
        GUARDED,
    ),
    middlewares=[requires(Permission.DATA_RESET)],
)
def reset_data_files(
    reset: Annotated[Literal["reboot"], Query(description="reboot: delete every data file")],
) -> dict:
    services().data_files.delete_all()
    return {"status": "SUCCESS", "result": "Data reset"}
