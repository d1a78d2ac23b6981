"""What a Python Spark job sees of the job server, and nothing more.

    from sparkjobserver.api import SparkJob, build_problems

    class WordCount(SparkJob):
        def validate(self, context, runtime, config):
            return config.get("input.strings", None) or build_problems(["input.strings missing"])

        def run_job(self, context, runtime, data):
            return context.sparkContext.parallelize(data).countByValue()

`validate` returns the job's data, or a list of ValidationProblem (build_problems makes one) to
reject the request with 400 VALIDATION FAILED. `context` is a SparkSession unless the context was
created with a SparkContext or SQLContext factory. `config` is a pyhocon ConfigTree.
"""

from collections.abc import Callable
from typing import Any


class ValidationProblem:
    """One reason a request was rejected by `validate`."""

    def __init__(self, problem: str):
        self.problem = problem

    def __repr__(self) -> str:
        return f"ValidationProblem({self.problem!r})"


def build_problems(problems: list[str]) -> list[ValidationProblem]:
    """Wrap problem texts so the server can tell them apart from a list of job data."""
    return [ValidationProblem(problem) for problem in problems]


def is_problems(value: Any) -> bool:
    return isinstance(value, ValidationProblem) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, ValidationProblem) for v in value)
    )


class NamedObjects:
    """Objects kept in a context between jobs (DataFrames, RDDs, broadcast lookups, ...).

    Names are scoped to the context; the store is shared by all jobs running on it."""

    def get(self, name: str) -> Any | None:
        raise NotImplementedError

    def get_or_else_create(self, name: str, obj_gen: Callable[[], Any]) -> Any:
        raise NotImplementedError

    def update(self, name: str, obj_gen: Callable[[], Any]) -> Any:
        raise NotImplementedError

    def forget(self, name: str) -> None:
        raise NotImplementedError

    def destroy(self, name: str) -> None:
        raise NotImplementedError

    def get_names(self) -> list[str]:
        raise NotImplementedError


class JobEnvironment:
    """Run-time facts handed to a job: its id, the context's named objects and configuration."""

    def __init__(self, job_id: str, named_objects: NamedObjects, context_config: Any):
        self.jobId = job_id
        self.namedObjects = named_objects
        self.contextConfig = context_config


class SparkJob:
    """Base class of a job; the server calls `validate` and then `run_job`."""

    def validate(self, context: Any, runtime: JobEnvironment, config: Any) -> Any:
        raise NotImplementedError("Concrete implementations should override validate")

    def run_job(self, context: Any, runtime: JobEnvironment, data: Any) -> Any:
        raise NotImplementedError("Concrete implementations should override run_job")
