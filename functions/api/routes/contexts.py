"""/contexts: create (returns once usable, or 202 STARTING after the gateway's bound), list,
show, delete, and SJS's reset."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from events.states import ContextState
from functions.api.auth.callers import Caller
from functions.api.auth.guard import current_caller, demand, path_context, requires
from functions.api.models import ContextDetails, Done
from functions.api.openapi import GUARDED, answers, config_request, failure, success
from functions.api.requests import config_body, query
from functions.api.responses import json_response
from functions.domain.context_settings import context_settings
from functions.wiring import services
from infra.errors import BadRequest
from infra.permissions import Permission
from infra.stores.contexts import ContextRecord

router = Router()
NAMED = path_context("name")
TAGS = ["contexts"]
UNKNOWN = failure(404, "No live context of that name", unknown="context nope not found")
EXAMPLE = {
    "id": "a67e1c99d737420c8b1d307762731c14",
    "name": "analytics",
    "startTime": "2026-12-01T06:40:51.263+00:00",
    "endTime": "Empty",
    "state": "RUNNING",
    "applicationId": "local-1796107263607",
    "url": "http://192.0.2.2:4040",
    "host": "local:29331",
    "transient": False,
    "numCpuCores": 2,
    "contextFactory": "session",
    "message": None,
    "isolation": "user",
    "restart": None,
    "restarts": 0,
    "warmUpJobId": None,
}


@router.get(
    "/",
    summary="List the contexts' names: running, starting, or restarting (supervised)",
    description="SJS's list of names; `GET /contexts/{name}` shows each one's state.",
    tags=TAGS,
    responses=answers(
        success(200, list[str], "Names of the contexts the caller reaches", some=["analytics"]), GUARDED
    ),
    middlewares=[requires(Permission.CONTEXTS_READ)],
)
def list_contexts(caller: Annotated[Caller, Depends(current_caller)]) -> list[str]:
    return [name for name in services().contexts.listed_names() if caller.reaches(name)]


@router.post(
    "/<name>",
    summary="Create a context: a warm SparkSession; answers once it is usable",
    description="Settings come from the query (num-cpu-cores, memory-per-node, context-factory, and any "
    "`spark.*` key) and from the optional HOCON/JSON body; the name must start with a letter. "
    "`restart=on-failure` (with `restart-attempts`) supervises it. A warm-up job, "
    "`warm-up { app, classPath, config }` in the body or `warm-up.app=` and `warm-up.classPath=` in the "
    "query, runs at each of its starts before it is RUNNING (to rebuild named objects): an ordinary "
    "recorded job (`warmUpJobId` in its details); a warm-up that fails ends the start ERROR.",
    tags=TAGS,
    openapi_extensions=config_request(
        "The context's config (spark.* keys pass to Spark; `warm-up { app, classPath, config }` "
        "names its warm-up job).",
        "spark.jobserver.max-jobs-per-context = 4\nspark.sql.shuffle.partitions = 8",
        {"spark": {"jobserver": {"max-jobs-per-context": 4}, "sql": {"shuffle.partitions": 8}}},
    ),
    responses=answers(
        success(
            200, Done, "The context is usable", created={"status": "SUCCESS", "result": "Context initialized"}
        ),
        failure(
            400,
            "It exists, its name is invalid, or a setting is",
            exists="context analytics exists",
            bad_setting="Invalid request: num-cpu-cores: Input should be greater than or equal to 1",
            unknown_warm_up="Invalid warm-up job: classPath example_jobs.Nope not found",
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.CONTEXTS_START, context=NAMED)],
)
def create_context(
    name: str,
    caller: Annotated[Caller, Depends(current_caller)],
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
    if settings.warmUp is not None:  # it runs job code on the context, as a submitted job does
        demand(caller, Permission.JOBS_START)
    record = svc.contexts.create(name, settings, patience=policy.gateway.max_wait_seconds)
    if record.state is ContextState.RUNNING:
        return {"status": "SUCCESS", "result": "Context initialized"}
    return json_response(202, context_starting(record))


@router.put(
    "/",
    summary="Reset: stop every context, then start the preloaded ones (reset=reboot)",
    tags=TAGS,
    responses=answers(
        success(
            200,
            Done,
            "Done (or, with sync=false, asked)",
            rebooted={"status": "SUCCESS", "result": "Context reset"},
        ),
        failure(
            400,
            "A reset other than reboot",
            other="reset=restart is not supported; SJS's reset is reset=reboot",
        ),
        GUARDED,
    ),
    middlewares=[requires(Permission.CONTEXTS_RESET)],
)
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


@router.get(
    "/<name>",
    summary="Show a context: state, times, host, Spark UI url, settings",
    tags=TAGS,
    responses=answers(success(200, ContextDetails, "The context", running=EXAMPLE), UNKNOWN, GUARDED),
    middlewares=[requires(Permission.CONTEXTS_READ, context=NAMED)],
)
def show_context(name: str) -> dict:
    return context_info(services().contexts.get(name))


@router.delete(
    "/<name>",
    summary="Stop a context; its running jobs end ERROR at once",
    tags=TAGS,
    responses=answers(
        success(200, Done, "Stopped", stopped={"status": "SUCCESS", "result": "Context stopped"}),
        UNKNOWN,
        GUARDED,
    ),
    middlewares=[requires(Permission.CONTEXTS_DELETE, context=NAMED)],
)
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
        "warmUpJobId": record.warmUp.jobId if record.warmUp else None,
    }
