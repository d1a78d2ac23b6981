"""/data: SJS's data files for jobs (functions/domain/data_files.py): upload (POST raw bytes,
answered with the path a job opens), list, delete one, delete all (PUT ?reset=reboot)."""

from typing import Annotated, Literal
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.auth.guard import requires
from functions.api.requests import raw_body
from functions.wiring import services
from infra.permissions import Permission

router = Router()


@router.get("/", middlewares=[requires(Permission.DATA_READ)])
def list_data_files() -> list[str]:
    return services().data_files.paths()


@router.post("/<prefix>", middlewares=[requires(Permission.DATA_UPLOAD)])
def upload_data_file(prefix: str, data: Annotated[bytes, Depends(raw_body)]) -> dict:
    return {"result": {"filename": services().data_files.upload(prefix, data)}}


@router.delete("/<file_name>", middlewares=[requires(Permission.DATA_DELETE)])
def delete_data_file(file_name: str) -> dict:
    # SJS's clients send the path the upload returned as one URL-encoded segment.
    services().data_files.delete(unquote(file_name))
    return {"status": "SUCCESS"}


@router.put("/", middlewares=[requires(Permission.DATA_RESET)])
def reset_data_files(
    reset: Annotated[Literal["reboot"], Query(description="reboot: delete every data file")],
) -> dict:
    services().data_files.delete_all()
    return {"status": "SUCCESS", "result": "Data reset"}
