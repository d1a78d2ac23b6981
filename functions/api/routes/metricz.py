"""GET /metricz: a JSON summary of the server's state, in the shape of SJS's /metricz (group →
metric → {"type", "value"}): live contexts by state, job slots in use and offered, and the jobs
submitted in the last hour by status, counting only the contexts the caller reaches."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.api.auth.callers import Caller
from functions.api.auth.guard import current_caller, requires
from functions.api.models import Gauge
from functions.api.openapi import GUARDED, answers, success
from functions.wiring import services
from infra.permissions import Permission

router = Router()


@router.get(
    "/metricz",
    summary="Metrics in SJS's /metricz shape: contexts by state, job slots, jobs of the last hour",
    tags=["health"],
    responses=answers(
        success(
            200,
            dict[str, dict[str, Gauge]],
            "group → metric → gauge",
            some={
                "contexts": {"RUNNING": {"type": "gauge", "value": 1}},
                "slots": {"in-use": {"type": "gauge", "value": 0}, "offered": {"type": "gauge", "value": 8}},
                "jobs-last-hour": {"FINISHED": {"type": "gauge", "value": 3}},
            },
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.METRICS_READ)],
)
def metricz(caller: Annotated[Caller, Depends(current_caller)]) -> dict[str, dict[str, dict[str, object]]]:
    overview = services().overview
    contexts = overview.live_contexts(caller.context_prefixes)
    return {
        "contexts": _gauges(contexts.by_state),
        "slots": _gauges({"in-use": contexts.slots_in_use, "offered": contexts.slots_offered}),
        "jobs-last-hour": _gauges(overview.recent_jobs(caller.context_prefixes)),
    }


def _gauges(values: dict[str, int]) -> dict[str, dict[str, object]]:
    return {name: {"type": "gauge", "value": value} for name, value in values.items()}
