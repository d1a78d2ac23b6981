"""The workloads, and the glue that runs an example job on any session-like object.

Every system runs the very same job classes from examples/example_jobs (the server loads them from
the uploaded egg, the others import them from the source tree), with `validate` then `run_job` and
the result made JSON, as a context host does. So the systems differ only in how the work gets to
Spark, never in the Spark work itself."""

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


TINY = Workload("tiny", "range(100).count()", "example_jobs.dataframes.RangeCountJob", {"n": 100})
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
WORKLOADS: tuple[Workload, ...] = (TINY, WORD_COUNT, AGGREGATE)


def load_job(class_path: str) -> Any:
    """An instance of an example job class, imported from the source tree."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    module, _, name = class_path.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)()


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
