"""/jars: SJS's legacy routes for jars, aliases of /binaries as SJS kept them until 0.9
(`curl --data-binary @job.jar localhost:8090/jars/demo`): the bytes are stored as a Jar version
of the binary whatever the Content-Type says, and GET lists the jars in SJS's old shape."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.auth.guard import requires
from functions.api.requests import raw_body
from functions.domain.binaries import JAR
from functions.wiring import services
from infra.permissions import Permission

router = Router()
JAR_CONTENT_TYPE = "application/java-archive"


@router.get("/", middlewares=[requires(Permission.BINARIES_READ)])
def list_jars() -> dict[str, str]:
    """{appName: upload time} of the binaries whose newest version is a jar."""
    latest = services().binaries.latest_of_each()
    return {app: record.uploadTime for app, record in sorted(latest.items()) if record.binaryType == JAR}


@router.post("/<app_name>", middlewares=[requires(Permission.BINARIES_UPLOAD)])
def upload_jar(app_name: str, data: Annotated[bytes, Depends(raw_body)]) -> dict:
    services().binaries.upload(app_name, data, JAR_CONTENT_TYPE)
    return {"status": "SUCCESS", "result": "Jar uploaded"}


@router.delete("/<app_name>", middlewares=[requires(Permission.BINARIES_DELETE)])
def delete_jar(app_name: str) -> dict:
    services().binaries.delete(app_name)
    return {"status": "SUCCESS", "result": f"Binary {app_name} deleted"}
