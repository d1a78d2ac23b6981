"""The workloads, and the glue that runs an example job on any session-like object.

Every system runs the very same job classes from examples/example_jobs (the server loads them from
the uploaded egg, the others import them from the source tree), with `validate` then `run_job` and
the result made JSON, as a context host does. So the systems differ only in how the work gets to
Spark, never in the Spark work itself. The JVM workload is SJS's WordCountExample from the jar
`make examples` builds (examples/dist/jvm_jobs.jar), run through the context's JVM bridge
(context_host/jvm_bridge.py) in-process and by the server alike."""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@dataclass(frozen=True)
class Workload:
    key: str
    label: str
    class_path: str
    config: dict[str, Any] = field(default_factory=dict)
    # Spark Connect offers the DataFrame API only (no SparkContext, no RDDs).
    dataframe_only: bool = True
    jar: bool = False  # a JVM job from JVM_JAR, not a Python job from example_jobs


TINY = Workload("tiny", "range(100).count()", "example_jobs.dataframes.RangeCountJob", {"n": 100})
# A context setting no warm spare can take (functions/domain/pool.py `adoptable`), so a context
# asking for it starts cold; in local mode executor memory changes nothing else.
COLD_MEMORY = "512m"
# The same job, its ad-hoc context asking for that setting.
COLD_TINY = Workload(
    "tiny_cold",
    "range(100).count(), ad-hoc context with memory-per-node",
    TINY.class_path,
    {**TINY.config, "spark": {"context-settings": {"memory-per-node": COLD_MEMORY}}},
)
WORD_COUNT = Workload(
    "word_count",
    "word count",
    "example_jobs.word_count.WordCountSparkJob",
    {"input": {"strings": ["a", "b", "a", "c"] * 25}},
    dataframe_only=False,
)
AGGREGATE = Workload(
    "aggregate_1m",
    "1M-row aggregation",
    "example_jobs.dataframes.AggregateJob",
    {"rows": 1_000_000, "groups": 10},
)
JVM_WORD_COUNT = Workload(
    "jvm_word_count",
    "JVM word count (jar)",
    "spark.jobserver.WordCountExample",
    {"input": {"string": " ".join(["a", "b", "a", "c"] * 25)}},
    dataframe_only=False,
    jar=True,
)
WORKLOADS: tuple[Workload, ...] = (TINY, WORD_COUNT, AGGREGATE, JVM_WORD_COUNT)
JVM_JAR = EXAMPLES / "dist" / "jvm_jobs.jar"


def load_job(class_path: str) -> Any:
    """An instance of an example job class, imported from the source tree."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    module, _, name = class_path.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)()


def jvm_jar() -> Path:
    if not JVM_JAR.is_file():
        raise FileNotFoundError(f"{JVM_JAR} is missing: run `make examples` (make bench does)")
    return JVM_JAR


def runner_on(session: Any, workload: Workload) -> Callable[[], str]:
    """The workload as one call on a session of this process: a Python job, or a JVM job."""
    if workload.jar:
        return jvm_job_runner(session, workload.class_path, workload.config)
    return job_runner(session, workload.class_path, workload.config)


def jvm_job_runner(session: Any, class_path: str, config: dict[str, Any]) -> Callable[[], str]:
    """One call = one JVM job through the bridge, as a host's worker runs it: load the class (the
    binary version's class loader is kept after the first), validate, run, result as JSON text."""
    import uuid

    from context_host.jvm_bridge import JvmBridge

    bridge, jar = JvmBridge(session), jvm_jar()

    def run() -> str:
        job_id = str(uuid.uuid4())
        phases = (
            lambda: bridge.prepare(job_id, [jar], class_path),
            lambda: bridge.validate(job_id, config, {}),
            lambda: bridge.run(job_id),
        )
        for phase in phases:
            answer = phase()
            if "error" in answer:
                raise RuntimeError(f"{class_path} failed: {answer['error']['message']}")
        return json.dumps(answer["result"])

    return run


def job_runner(context: Any, class_path: str, config: dict[str, Any]) -> Callable[[], str]:
    """One call = one job: validate, run, result to JSON text (what a host does minus the AWS calls)."""
    from pyhocon import ConfigFactory

    from context_host.worker.results import to_json_safe
    from sparkjobserver.api import JobEnvironment, is_problems

    job = load_job(class_path)
    runtime = JobEnvironment("bench", None, ConfigFactory.from_dict({}))

    def run() -> str:
        data = job.validate(context, runtime, ConfigFactory.from_dict(config))
        if is_problems(data):
            raise ValueError(f"{class_path} rejected its config: {data}")
        return json.dumps(to_json_safe(job.run_job(context, runtime, data)))

    return run
