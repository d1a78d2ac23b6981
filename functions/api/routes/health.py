"""GET /healthz: the API process is up and its tables answer (a read; no reaping)."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.wiring import services

router = Router()


@router.get("/healthz")
def healthz() -> dict:
    services().contexts.live_count()
    return {"status": "OK"}
