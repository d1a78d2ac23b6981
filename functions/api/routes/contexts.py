"""/contexts: create (returns once usable, or 202 STARTING after the gateway's bound), list,
show, delete, and SJS's reset."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from events.states import ContextState
from functions.api.auth.callers import Caller
from functions.api.auth.guard import current_caller, path_context, requires
from functions.api.requests import config_body, query
from functions.api.responses import json_response
from functions.domain.context_settings import context_settings
from functions.wiring import services
from infra.errors import BadRequest
from infra.permissions import Permission
from infra.stores.contexts import ContextRecord

router = Router()
NAMED = path_context("name")


@router.get("/", middlewares=[requires(Permission.CONTEXTS_READ)])
def list_contexts(caller: Annotated[Caller, Depends(current_caller)]) -> list[str]:
    return [name for name in services().contexts.live_names() if caller.reaches(name)]


@router.post("/<name>", middlewares=[requires(Permission.CONTEXTS_START, context=NAMED)])
def create_context(
    name: str,
    body: Annotated[dict[str, Any], Depends(config_body)],
    params: Annotated[dict[str, str], Depends(query)],
    num_cpu_cores: Annotated[int | None, Query(alias="num-cpu-cores", ge=1)] = None,
    memory_per_node: Annotated[
        str | None, Query(alias="memory-per-node", pattern=r"^\d+[kmgtKMGT]?$")
    ] = None,
    context_factory: Annotated[str | None, Query(alias="context-factory")] = None,
    restart: Annotated[
        str | None,
        Query(description="on-failure: the context comes back by itself when its host or JVM dies"),
    ] = None,
    restart_attempts: Annotated[
        int | None, Query(alias="restart-attempts", ge=1, le=10, description="restarts in a row (default 3)")
    ] = None,
):
    # The typed parameters above are validated and documented; `params` also carries spark.* ones.
    svc = services()
    policy = svc.settings.policy
    settings = context_settings(name, params, body, policy.spark)
    record = svc.contexts.create(name, settings, patience=policy.gateway.max_wait_seconds)
    if record.state is ContextState.RUNNING:
        return {"status": "SUCCESS", "result": "Context initialized"}
    return json_response(202, context_starting(record))


@router.put("/", middlewares=[requires(Permission.CONTEXTS_RESET)])
def reset_contexts(
    caller: Annotated[Caller, Depends(current_caller)],
    reset: Annotated[
        str, Query(description="reboot (SJS's one kind): stop every context, then start the preloaded ones")
    ],
    sync: Annotated[
        bool, Query(description="false: only ask every context to stop, and answer at once (as SJS)")
    ] = True,
) -> dict:
    if reset != "reboot":  # checked here, not by the type, so that a caller without the permission hears 403
        raise BadRequest(f"reset={reset} is not supported; SJS's reset is reset=reboot")
    # A caller scoped to context prefixes resets the contexts they reach, and no others.
    services().preloads.reboot(caller.reaches, wait=sync)
    return {"status": "SUCCESS", "result": "Context reset" if sync else "Context reset requested"}


@router.get("/<name>", middlewares=[requires(Permission.CONTEXTS_READ, context=NAMED)])
def show_context(name: str) -> dict:
    return context_info(services().contexts.get(name))


@router.delete("/<name>", middlewares=[requires(Permission.CONTEXTS_DELETE, context=NAMED)])
def delete_context(
    name: str,
    force: Annotated[
        bool, Query(description="kill its Spark application at once instead of stopping it gracefully")
    ] = False,
) -> dict:
    services().contexts.delete(name, force)
    return {"status": "SUCCESS", "result": "Context stopped"}


def context_starting(record: ContextRecord) -> dict:
    """A context not usable within the caller's bounded wait: starting still, or (supervised)
    starting again after its first start failed."""
    return {
        "status": "STARTING",
        "result": f"Context {record.name} is starting; GET /contexts/{record.name} shows when it is RUNNING",
        "context": context_info(record),
    }


NOT_ENDED = "Empty"  # SJS's endTime of a context that has not ended


def context_info(record: ContextRecord) -> dict:
    """SJS's fields (id, name, startTime, endTime, state, applicationId, url: the Spark UI), then ours."""
    return {
        "id": record.contextId,
        "name": record.name,
        "startTime": record.startTime,
        "endTime": record.endTime or NOT_ENDED,
        "state": record.state.value,
        "applicationId": record.applicationId or None,
        "url": record.sparkUiUrl or None,
        "host": record.hostId,
        "transient": record.transient,
        "numCpuCores": record.settings.numCpuCores,
        "contextFactory": record.settings.flavour.value,
        "message": record.message or None,
        "isolation": record.isolation,
        "restart": record.settings.restart.model_dump() if record.settings.restart else None,
        "restarts": record.restarts,
    }
