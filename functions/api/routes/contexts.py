"""/contexts: create (returns once usable), list, show, delete, and SJS's reset."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.auth.callers import Caller
from functions.api.auth.guard import current_caller, path_context, requires
from functions.api.requests import config_body, query
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
) -> dict:
    # The typed parameters above are validated and documented; `params` also carries spark.* ones.
    svc = services()
    settings = context_settings(name, params, body, svc.settings.policy.spark)
    svc.contexts.create(name, settings)
    return {"status": "SUCCESS", "result": "Context initialized"}


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
    }
