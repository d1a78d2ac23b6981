"""A context's config and settings, built as SJS builds them (WebApi.getContextConfig and the
context supervisor), however the context is created.

Its config, first layer first: the body's `spark.context-settings` block, the query parameters
(dotted names as paths), the body's other keys (SJS ignores them; earlier versions of this
server passed `spark.*` ones through, so they still count), then the server's
`spark.context-settings`; on top, SJS's `context.name` and `is-adhoc`. That whole config is what
jobs get as `runtime.contextConfig` (JVM: `JobEnvironment.contextConfig()`). An ad-hoc context's
config is its job's `spark.context-settings` block over the same server defaults.

Its settings are read from that config: num-cpu-cores, memory-per-node, context-factory,
stop-context-on-job-error, supervision (`restart = on-failure`, `restart-attempts`) and the
warm-up job (`warm-up { app, classPath, config }`, or `warm-up.app=` and `warm-up.classPath=` in
the query), neither for ad-hoc contexts, which live for one job; the slot limit
(`spark.jobserver.max-jobs-per-context`, else the server's), and the Spark conf: `spark.*` keys
as they are, `passthrough { k = v }` as `k`, and `hadoop { k = v }` as `spark.hadoop.k`, which
Spark copies into the Hadoop configuration."""

from typing import Any

from pydantic import ValidationError

from events.settings import ContextFlavour, ContextSettings, RestartPolicy, WarmUp
from functions.domain.config_layers import nested, with_fallback
from functions.domain.config_text import flatten
from infra.errors import BadRequest
from infra.server_config import SparkSection

MAX_JOBS_KEYS = ("spark.jobserver.max-jobs-per-context", "max-jobs-per-context")
NOT_SPARK_CONF = ("spark.jobserver.", "spark.context-settings.")  # SJS's own keys, not Spark's
PASSTHROUGH_PREFIX = "passthrough."
HADOOP_PREFIX = "hadoop."


def context_settings(
    name: str, query: dict[str, str], body: dict[str, Any], server: SparkSection
) -> ContextSettings:
    """A context created by POST /contexts/{name}?query with `body`, or preloaded (body only)."""
    block = _settings_block(body)
    rest = _without_settings_block(body)
    config = with_fallback(block, nested(query), rest, server.context_settings)
    return _settings(name, config, server, transient=False)


def adhoc_settings(name: str, job_config: dict[str, Any], server: SparkSection) -> ContextSettings:
    """A job's transient context: its config's `spark.context-settings` set it up; one job slot."""
    config = with_fallback(_settings_block(job_config), server.context_settings)
    return _settings(name, config, server, transient=True)


def _settings(name: str, config: dict[str, Any], server: SparkSection, transient: bool) -> ContextSettings:
    config = with_fallback({"context": {"name": name}, "is-adhoc": transient}, config)
    flat = flatten(config)
    factory = flat.get("context-factory")
    if factory is not None and not isinstance(factory, str):
        raise BadRequest(f"Invalid context settings: context-factory must be a name, not {factory!r}")
    max_jobs = next((flat[key] for key in MAX_JOBS_KEYS if flat.get(key) is not None), None)
    try:
        return ContextSettings(
            numCpuCores=flat.get("num-cpu-cores", 2),
            memoryPerNode=flat.get("memory-per-node"),
            flavour=ContextFlavour.from_factory(factory),
            maxJobs=1 if transient else max_jobs or server.jobserver.max_jobs_per_context,
            stopContextOnJobError=flat.get("stop-context-on-job-error", False),
            restart=None if transient else _restart(flat),
            warmUp=None if transient else _warm_up(config.get(WARM_UP)),
            sparkConf=_spark_conf(flat),
            config=config,
        )
    except (ValidationError, ValueError) as e:
        raise BadRequest(f"Invalid context settings: {_first_error(e)}") from None


RESTART_ON_FAILURE = "on-failure"
NO_RESTART = ("no", "never", "false")


def _restart(flat: dict[str, Any]) -> RestartPolicy | None:
    """`restart = on-failure` (as Docker's restart policy names it) with `restart-attempts`."""
    restart = flat.get("restart")
    if restart is None or str(restart).lower() in NO_RESTART:
        return None
    if restart != RESTART_ON_FAILURE:
        raise ValueError(f"restart must be {RESTART_ON_FAILURE} or no, not {restart!r}")
    attempts = flat.get("restart-attempts")
    return RestartPolicy() if attempts is None else RestartPolicy(attempts=attempts)


WARM_UP = "warm-up"


def _warm_up(block: Any) -> WarmUp | None:
    """`warm-up { app = …, classPath = …, config { … } }` (whether the binary and class exist is
    checked where jobs are: functions/domain/job_requests.py)."""
    if block is None:
        return None
    if not isinstance(block, dict):
        raise ValueError(f"{WARM_UP} must be an object with app, classPath and config, not {block!r}")
    unknown = set(block) - {"app", "classPath", "config"}
    if unknown:
        raise ValueError(f"{WARM_UP} takes app, classPath and config, not {', '.join(sorted(unknown))}")
    try:
        return WarmUp.model_validate(block)
    except ValidationError as e:
        raise ValueError(f"{WARM_UP}.{_first_error(e)}") from None


def _settings_block(config: dict[str, Any]) -> dict[str, Any]:
    spark = config.get("spark")
    block = spark.get("context-settings", {}) if isinstance(spark, dict) else {}
    if not isinstance(block, dict):
        raise BadRequest(f"Invalid context settings: spark.context-settings must be an object, not {block!r}")
    return block


def _without_settings_block(body: dict[str, Any]) -> dict[str, Any]:
    spark = body.get("spark")
    if not isinstance(spark, dict) or "context-settings" not in spark:
        return body
    rest = {key: value for key, value in body.items() if key != "spark"}
    others = {key: value for key, value in spark.items() if key != "context-settings"}
    return {**rest, "spark": others} if others else rest


def _spark_conf(flat: dict[str, Any]) -> dict[str, str]:
    """SJS's order (SparkJobUtils.configToSparkConf, then the factory): spark.* keys, then
    passthrough over them, then hadoop into the Hadoop configuration."""
    conf = {key: value for key, value in flat.items() if key.startswith("spark.")}
    conf = {key: value for key, value in conf.items() if not key.startswith(NOT_SPARK_CONF)}
    for key, value in flat.items():
        if key.startswith(PASSTHROUGH_PREFIX):
            conf[key.removeprefix(PASSTHROUGH_PREFIX)] = value
    for key, value in flat.items():
        if key.startswith(HADOOP_PREFIX):
            conf["spark.hadoop." + key.removeprefix(HADOOP_PREFIX)] = value
    return {key: _conf_text(value) for key, value in conf.items() if value is not None and value != {}}


def _conf_text(value: Any) -> str:
    """A config value as Spark's conf holds it (Typesafe's unwrapped values: true, 2, a,b)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_conf_text(item) for item in value)
    return str(value)


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)
