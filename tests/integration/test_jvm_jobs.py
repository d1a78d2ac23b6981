"""JVM jobs from jars on the real stack, as a user runs them: the seed's curl flow with a jar,
each kind of job sync and async, validation and exceptions as SJS answers them, the kill of a
busy Java loop, a re-upload used by the next job, a spark-submit style main, a Python job using
a Java UDF from a `cp` jar, a DataFrame named by Python, changed by Java and read by Python, and a
jar deployed by copying it to S3. The jars are compiled here with javac."""

import json
import subprocess
from pathlib import Path

import pytest

from functions.domain.waiting import wait_until
from tests.integration.conftest import Stack, unique
from tests.jvm.jars import REPO, compile_classes, jar, java_sources

EXAMPLES = REPO / "examples" / "jvm"
TEST_JOBS = REPO / "tests" / "jvm" / "java"
VERSION_JOB = TEST_JOBS / "bridge" / "tests" / "VersionJob.java"

PYTHON_WITH_JAVA = """
from pyspark.sql import DataFrame
from pyspark.sql.types import IntegerType
from sparkjobserver.api import SparkJob


class JavaUdfJob(SparkJob):
    def validate(self, context, runtime, config):
        return None

    def run_job(self, context, runtime, data):
        context.udf.registerJavaFunction("plus_one", "example.udf.PlusOne", IntegerType())
        return context.sql("SELECT plus_one(41) AS answer").collect()[0].answer


class StoreFrameJob(SparkJob):
    def validate(self, context, runtime, config):
        return config.get("name")

    def run_job(self, context, runtime, name):
        frame = context.range(1, 4).withColumnRenamed("id", "value")
        runtime.namedObjects.update(name, lambda: frame)
        return frame.count()


class ReadFrameJob(SparkJob):
    def validate(self, context, runtime, config):
        return config.get("name")

    def run_job(self, context, runtime, name):
        frame = runtime.namedObjects.get(name)
        assert isinstance(frame, DataFrame), type(frame)
        return sorted(row.doubled for row in frame.collect())
"""


@pytest.fixture(scope="module")
def classes(tmp_path_factory) -> Path:
    return compile_classes(
        java_sources(EXAMPLES) + java_sources(TEST_JOBS), tmp_path_factory.mktemp("classes")
    )


@pytest.fixture(scope="module")
def jars(classes, tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("jars")
    return {
        "jobs": jar(classes, folder / "jobs.jar", "spark", "example/jobs", "bridge").read_bytes(),
        "udf": jar(classes, folder / "udf.jar", "example/udf").read_bytes(),
    }


def upload(stack: Stack, app: str, data: bytes) -> None:
    """As the seed's README does it: curl --data-binary, which says the body is a form."""
    answer = stack.call(
        "POST", f"/binaries/{app}", data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture(scope="module")
def jvm_app(stack: Stack, jars) -> str:
    app = unique("jvm")
    upload(stack, app, jars["jobs"])
    assert stack.call("GET", f"/binaries/{app}").json()["binary-type"] == "Jar"
    return app


def test_the_seed_flow_with_a_jar_sync_and_async(stack, jvm_app, context):
    counted = stack.submit(
        jvm_app,
        "spark.jobserver.WordCountExample",
        'input.string = "a b c a b see"',
        context=context,
        sync="true",
    )
    assert counted.status_code == 200, counted.text
    assert counted.json()["result"] == {"a": 2, "b": 2, "c": 1, "see": 1}
    started = stack.submit(jvm_app, "example.jobs.SqlJob", 'sql = "SELECT 1 + 1 AS two"', context=context)
    assert started.status_code == 202 and started.json()["status"] == "STARTED"
    done = stack.wait_job(started.json()["jobId"], lambda j: j["status"] == "FINISHED")
    assert done["result"] == [{"two": 2}]


def test_the_seeds_curl_upload_to_the_legacy_jars_route_runs_verbatim(stack, jars, context, tmp_path):
    (tmp_path / "mydemo.jar").write_bytes(jars["jobs"])
    where = stack.url.removeprefix("http://")  # the seed's localhost:8090, on this stack's port
    curl = ["curl", "--data-binary", "@mydemo.jar", f"{where}/jars/demo"]  # its progress meter goes to stderr
    uploaded = subprocess.run(curl, cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(uploaded.stdout) == {"status": "SUCCESS", "result": "Jar uploaded"}
    assert "demo" in stack.call("GET", "/jars").json()
    counted = stack.submit(
        "demo",
        "spark.jobserver.WordCountExample",
        'input.string = "a b c a b see"',
        context=context,
        sync="true",
    )
    assert counted.json()["result"] == {"a": 2, "b": 2, "c": 1, "see": 1}


def test_validation_and_exceptions_are_answered_as_sjs_does(stack, jvm_app, context):
    invalid = stack.submit(jvm_app, "spark.jobserver.WordCountExample", context=context, sync="true")
    assert invalid.status_code == 400
    assert invalid.json()["status"] == "VALIDATION FAILED"
    assert invalid.json()["result"]["message"] == "No input.string config param"
    thrown = stack.submit(
        jvm_app, "example.jobs.FailingJob", 'message = "boom"', context=context, sync="true"
    )
    error = thrown.json()["result"]
    assert (thrown.json()["status"], error["message"], error["errorClass"]) == (
        "ERROR",
        "boom",
        "java.lang.IllegalStateException",
    )
    assert any("example.jobs.FailingJob.run" in line for line in error["stack"])


def test_a_busy_java_loop_is_killed_and_its_slot_serves_the_next_job(stack, jvm_app):
    name = unique("jvmkill")
    stack.create_context(name, "spark.jobserver.max-jobs-per-context=1")
    job_id = stack.submit(jvm_app, "example.jobs.LongJob", "seconds = 600", context=name).json()["jobId"]
    stack.wait_job(job_id, lambda j: j["status"] == "RUNNING")
    assert stack.call("DELETE", f"/jobs/{job_id}").json() == {"status": "KILLED"}
    after = stack.submit(
        jvm_app, "spark.jobserver.WordCountExample", 'input.string = "x"', context=name, sync="true"
    )
    assert after.json()["result"] == {"x": 1}, after.text


def test_a_reupload_is_used_by_the_next_job_and_contexts_may_use_two_versions(stack, context, tmp_path):
    app = unique("versions")

    def version(tag: str) -> bytes:
        source = tmp_path / tag / "src" / VERSION_JOB.relative_to(TEST_JOBS)
        source.parent.mkdir(parents=True)
        source.write_text(VERSION_JOB.read_text().replace('VERSION = "1"', f'VERSION = "{tag}"'))
        classes = compile_classes([source], tmp_path / tag / "classes")
        return jar(classes, tmp_path / tag / "version.jar").read_bytes()

    def driver_version() -> str:
        answer = stack.submit(app, "bridge.tests.VersionJob", context=context, sync="true")
        return answer.json()["result"]["driver"]

    upload(stack, app, version("1"))
    assert driver_version() == "1"
    upload(stack, app, version("2"))
    assert driver_version() == "2"


def test_a_spark_submit_style_main_runs_warm(stack, jvm_app, context):
    output = Path("/tmp") / f"{unique('main')}.txt"
    config = f'args = ["1000", "{output}"]'
    ran = stack.submit(jvm_app, "example.jobs.SubmitStyleMain", config, context=context, sync="true")
    assert ran.json()["status"] == "FINISHED", ran.text
    count, application = output.read_text().split()
    assert count == "1000" and application.startswith("local-")
    exits = stack.submit(
        jvm_app, "example.jobs.SubmitStyleMain", 'args = ["exit", "3"]', context=context, sync="true"
    )
    assert exits.json()["status"] == "ERROR" and "3" in exits.json()["result"]["message"]
    assert stack.call("GET", f"/contexts/{context}").json()["state"] == "RUNNING"


def test_python_jobs_use_java_from_cp_jars_and_share_named_frames_with_java(
    stack, jvm_app, jars, context, package_with
):
    udf_app = unique("udf")
    upload(stack, udf_app, jars["udf"])
    python_app = unique("mixed")
    upload(stack, python_app, package_with({"example_jobs/mixed.py": PYTHON_WITH_JAVA}))
    udf = stack.call(
        "POST",
        f"/jobs?cp={python_app},{udf_app}&classPath=example_jobs.mixed.JavaUdfJob&context={context}&sync=true",
    )
    assert udf.json()["result"] == 42, udf.text
    name, doubled = unique("frame"), unique("doubled")
    stored = stack.submit(
        python_app, "example_jobs.mixed.StoreFrameJob", f'name = "{name}"', context=context, sync="true"
    )
    assert stored.json()["result"] == 3, stored.text
    java = stack.submit(
        jvm_app,
        "bridge.tests.NamedDataFrameJob",
        f'input = "{name}", output = "{doubled}"',
        context=context,
        sync="true",
    )
    assert java.json()["result"] == 3, java.text
    read = stack.submit(
        python_app, "example_jobs.mixed.ReadFrameJob", f'name = "{doubled}"', context=context, sync="true"
    )
    assert read.json()["result"] == [2, 4, 6], read.text


def test_a_jar_copied_to_s3_is_deployed_and_runs(stack, jars, context):
    app = unique("dropped")
    stack.aws("s3").put_object(Bucket=stack.bucket, Key=f"binaries/{app}/jobs.jar", Body=jars["jobs"])
    listed, ok = wait_until(lambda: stack.call("GET", "/binaries").json(), lambda b: app in b, 20)
    assert ok and listed[app]["binary-type"] == "Jar"
    ran = stack.submit(
        app, "spark.jobserver.WordCountExample", 'input.string = "s3 s3"', context=context, sync="true"
    )
    assert ran.json()["result"] == {"s3": 2}
