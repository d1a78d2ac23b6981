"""A context's settings from its query parameters and HOCON/JSON body, as SJS accepted them:
num-cpu-cores, memory-per-node and context-factory at top level or under spark.context-settings,
spark.* settings passed through to Spark, spark.jobserver.max-jobs-per-context for the slot limit."""

from typing import Any

from pydantic import ValidationError

from events.settings import ContextFlavour, ContextSettings
from functions.domain.config_text import flatten
from infra.errors import BadRequest

SETTINGS_PREFIX = "spark.context-settings."
PASSTHROUGH_PREFIX = SETTINGS_PREFIX + "passthrough."
MAX_JOBS_KEYS = ("spark.jobserver.max-jobs-per-context", "max-jobs-per-context")


def context_settings(query: dict[str, str], body: dict[str, Any], default_max_jobs: int) -> ContextSettings:
    flat = flatten(body)
    params = {
        **{
            key.removeprefix(SETTINGS_PREFIX): value
            for key, value in flat.items()
            if key.startswith(SETTINGS_PREFIX)
        },
        **{key: value for key, value in flat.items() if not key.startswith("spark.")},
        **query,
    }
    spark_conf = {
        key.removeprefix(PASSTHROUGH_PREFIX): str(value)
        for key, value in {**flat, **query}.items()
        if (key.startswith("spark.") and not key.startswith(("spark.jobserver.", SETTINGS_PREFIX)))
        or key.startswith(PASSTHROUGH_PREFIX)
    }
    max_jobs = next(
        (params.get(k) or flat.get(k) for k in MAX_JOBS_KEYS if params.get(k) or flat.get(k)), None
    )
    factory = params.get("context-factory")
    if factory is not None and not isinstance(factory, str):
        raise BadRequest(f"Invalid context settings: context-factory must be a name, not {factory!r}")
    try:
        return ContextSettings(
            numCpuCores=params.get("num-cpu-cores", 2),
            memoryPerNode=params.get("memory-per-node"),
            flavour=ContextFlavour.from_factory(factory),
            maxJobs=max_jobs or default_max_jobs,
            sparkConf=spark_conf,
            config=body,
        )
    except (ValidationError, ValueError) as e:
        raise BadRequest(f"Invalid context settings: {_first_error(e)}") from None


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)
