"""spark-jobserver's own Python example jobs (job-server-python/src/python/example_jobs), packaged
unchanged with SJS's setup-examples.py, run on the context factories SJS's specs pair them with
(SubprocessSpec, PythonJobManagerSpec, PythonSessionContextFactorySpec), giving the results those
specs expect.

The examples are SJS's code (Apache-2.0) and are not shipped with this project, nor on PyPI: the
test runs when SJS_PYTHON_EXAMPLES_EGG names the egg built from an SJS checkout, e.g.
`cd job-server-python/src/python && python setup-examples.py bdist_egg`, and is skipped
otherwise."""

import os
import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import unique

EGG = os.environ.get("SJS_PYTHON_EXAMPLES_EGG", "")
pytestmark = pytest.mark.skipif(
    not EGG, reason="SJS_PYTHON_EXAMPLES_EGG names no egg of SJS's example jobs (see the module docstring)"
)

PEOPLE = 'input.data = [["bob", 20, 1200], ["jon", 21, 1400], ["mary", 20, 1300], ["sue", 21, 1600]]'
WINDOW_RANKS = [["bob", 20, 1], ["mary", 20, 2], ["jon", 21, 1], ["sue", 21, 2]]
AVERAGES = [[20, 1250.0], [21, 1500.0]]
FACTORIES = {
    "spark-context": "spark.jobserver.python.PythonSparkContextFactory",
    "sql": "spark.jobserver.python.PythonSQLContextFactory",
    "hive": "spark.jobserver.python.PythonHiveContextFactory",
    "session": "spark.jobserver.python.PythonSessionContextFactory",
}


@pytest.fixture(scope="module")
def sjs_app(stack) -> str:
    name = unique("sjs-examples")
    answer = stack.call(
        "POST",
        f"/binaries/{name}",
        data=Path(EGG).read_bytes(),
        headers={"Content-Type": "application/python-egg"},
    )
    assert answer.status_code == 201, answer.text
    return name


@pytest.fixture(scope="module")
def contexts(stack, sjs_app) -> dict[str, str]:
    """One context per factory; the session one with Hive on, as SJS's spark.session.hive.enabled default."""
    names = {kind: unique(f"sjs-{kind}") for kind in FACTORIES}
    for kind, name in names.items():
        body = "spark.session.hive.enabled = true" if kind == "session" else ""
        stack.create_context(name, f"num-cpu-cores=1&context-factory={FACTORIES[kind]}", body)
    yield names
    for name in names.values():
        stack.call("DELETE", f"/contexts/{name}")


def sync(stack, app: str, class_path: str, context: str, config: str = ""):
    return stack.call(
        "POST",
        f"/jobs?appName={app}&classPath=example_jobs.{class_path}&context={context}&sync=true",
        data=config,
    )


def result_of(answer) -> object:
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "FINISHED", answer.text
    return answer.json()["result"]


def test_spark_context_jobs(stack, sjs_app, contexts):
    """SubprocessSpec: word count, its validation problem, and failures in run and validate."""
    ctx = contexts["spark-context"]
    counted = sync(stack, sjs_app, "word_count.WordCountSparkJob", ctx, 'input.strings = ["a", "a", "b"]')
    assert result_of(counted) == {"a": 2, "b": 1}
    invalid = sync(stack, sjs_app, "word_count.WordCountSparkJob", ctx)
    assert invalid.status_code == 400 and invalid.json()["status"] == "VALIDATION FAILED"
    assert invalid.json()["result"]["message"] == "config input.strings not found"
    failed_run = sync(stack, sjs_app, "failing_job.FailingRunJob", ctx, 'input.strings = ["a"]').json()
    assert failed_run["status"] == "ERROR" and failed_run["result"]["message"] == "Deliberate failure"
    failed_validate = sync(stack, sjs_app, "failing_job.FailingValidateJob", ctx, 'input.strings = ["a"]')
    assert failed_validate.status_code == 400, failed_validate.text
    assert failed_validate.json()["result"]["message"] == "Deliberate failure"
    failing = sync(stack, sjs_app, "word_count.FailingSparkJob", ctx, 'input.strings = ["a"]').json()
    assert failing["status"] == "ERROR" and failing["result"]["errorClass"] == "ValueError"


def test_sql_context_jobs_and_a_temp_table_shared_by_two_jobs(stack, sjs_app, contexts):
    """SubprocessSpec: the SQL average, and Job1's table used by Job2 on the same context."""
    shutil.rmtree(
        "/tmp/people.parquet", ignore_errors=True
    )  # Job1 writes there; a past run's owner may differ
    ctx = contexts["sql"]
    assert result_of(sync(stack, sjs_app, "sql_average.SQLAverageJob", ctx, PEOPLE)) == AVERAGES
    assert result_of(sync(stack, sjs_app, "sql_two_jobs.Job1", ctx, PEOPLE)) == "done"
    assert result_of(sync(stack, sjs_app, "sql_two_jobs.Job2", ctx)) == AVERAGES


def test_hive_context_jobs(stack, sjs_app, contexts):
    """SubprocessSpec: the window job checks it was handed a HiveContext."""
    assert (
        result_of(sync(stack, sjs_app, "hive_window.HiveWindowJob", contexts["hive"], PEOPLE)) == WINDOW_RANKS
    )


def test_session_jobs(stack, sjs_app, contexts):
    """PythonJobManagerSpec and PythonSessionContextFactorySpec, Hive support on."""
    ctx = contexts["session"]
    counted = sync(
        stack, sjs_app, "word_count.WordCountSparkSessionJob", ctx, 'input.strings = ["a", "b", "a"]'
    )
    assert result_of(counted) == {"a": 2, "b": 1}
    assert result_of(sync(stack, sjs_app, "session_window.SessionWindowJob", ctx, PEOPLE)) == WINDOW_RANKS
    assert result_of(sync(stack, sjs_app, "hive_support_job.HiveSupportJob", ctx)) is None


def test_a_hive_job_on_a_session_without_hive_fails_as_in_sjs(stack, sjs_app, context):
    """PythonSessionContextFactorySpec with spark.session.hive.enabled = false (our sessions' default).
    The spec's "Hive support is required to CREATE Hive TABLE (AS SELECT)" is Spark 2's wording;
    Spark 4 says "CREATE Hive TABLE (AS SELECT) is not supported" without Hive support."""
    failed = sync(stack, sjs_app, "hive_support_job.HiveSupportJob", context).json()
    assert failed["status"] == "ERROR"
    assert "CREATE Hive TABLE (AS SELECT)" in failed["result"]["message"]
    assert "NOT_SUPPORTED_COMMAND_WITHOUT_HIVE_SUPPORT" in failed["result"]["message"]
    assert "check_support" in failed["result"]["message"]
