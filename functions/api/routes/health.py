"""GET /healthz: the API process is up and its tables answer (a read; no reaping)."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.models import Health
from functions.api.openapi import success
from functions.wiring import services

router = Router()


@router.get(
    "/healthz",
    summary="Health: the API is up and its tables answer (open, no credentials)",
    tags=["health"],
    responses=success(200, Health, "Healthy", ok={"status": "OK"}),
)
def healthz() -> dict:
    services().contexts.live_count()
    return {"status": "OK"}
