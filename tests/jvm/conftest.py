"""JVM jobs through the bridge on one real SparkSession started with the bridge's classpath, as a
context host starts its own. The Java examples and the test jobs are compiled here with javac."""

import shutil
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pyspark import SparkContext
from pyspark.sql import SparkSession

from context_host.jvm_bridge import JvmBridge
from context_host.spark_conf import engine_conf
from events.settings import ContextSettings
from tests.jvm.jars import REPO, compile_classes, jar, java_sources

EXAMPLES = REPO / "examples" / "jvm"
TEST_JOBS = Path(__file__).parent / "java"
VERSION_JOB = TEST_JOBS / "bridge" / "tests" / "VersionJob.java"


@pytest.fixture(scope="package")
def spark() -> Iterator[SparkSession]:
    if SparkContext._gateway is not None:  # a JVM started earlier in this process lacks the classpath
        pytest.fail("tests/jvm must start this process's JVM: run it before tests that start Spark")
    conf = engine_conf("sjs-jvm-tests", ContextSettings(numCpuCores=2))  # as a host starts its JVM
    session = SparkSession.builder.config(map=conf).getOrCreate()
    yield session
    session.stop()


@pytest.fixture(scope="package")
def bridge(spark) -> JvmBridge:
    return JvmBridge(spark)


@pytest.fixture(scope="package")
def classes(tmp_path_factory) -> Path:
    """The examples and the test jobs, compiled in one javac run, with the test jobs' resources."""
    sources = java_sources(EXAMPLES) + java_sources(TEST_JOBS)
    classes = compile_classes(sources, tmp_path_factory.mktemp("classes"))
    for resource in TEST_JOBS.rglob("*.txt"):
        shutil.copy(resource, classes / resource.relative_to(TEST_JOBS))
    return classes


@pytest.fixture(scope="package")
def jobs_jar(classes, tmp_path_factory) -> Path:
    """What `make examples` builds as examples/dist/jvm_jobs.jar."""
    return jar(classes, tmp_path_factory.mktemp("jars") / "jvm_jobs.jar", "spark", "example/jobs")


@pytest.fixture(scope="package")
def udf_jar(classes, tmp_path_factory) -> Path:
    return jar(classes, tmp_path_factory.mktemp("jars") / "java_udf.jar", "example/udf")


@pytest.fixture(scope="package")
def test_jar(classes, tmp_path_factory) -> Path:
    return jar(classes, tmp_path_factory.mktemp("jars") / "test_jobs.jar", "bridge")


@pytest.fixture(scope="package")
def version_jar(tmp_path_factory):
    """A jar of VersionJob whose VERSION is `version`: what re-uploading a changed job gives."""

    built: dict[str, Path] = {}

    def build(version: str) -> Path:
        if version in built:
            return built[version]
        root = tmp_path_factory.mktemp(f"version{version}")
        source = root / "src" / VERSION_JOB.relative_to(TEST_JOBS)
        source.parent.mkdir(parents=True)
        source.write_text(VERSION_JOB.read_text().replace('VERSION = "1"', f'VERSION = "{version}"'))
        built[version] = jar(compile_classes([source], root / "classes"), root / "version_job.jar")
        return built[version]

    return build


def new_job_id() -> str:
    return str(uuid.uuid4())


def submit(
    bridge: JvmBridge,
    jars: list[Path],
    class_name: str,
    config: Mapping[str, Any] | None = None,
    context_config: Mapping[str, Any] | None = None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """Prepare, validate and run as a host's worker does: the run's answer, or the first failure
    with its phase (load, validate)."""
    job_id = job_id or new_job_id()
    prepared = bridge.prepare(job_id, jars, class_name)
    if "error" in prepared:
        return {"phase": "load", **prepared}
    validated = bridge.validate(job_id, config or {}, context_config or {})
    if "error" in validated:
        bridge.discard(job_id)
        return {"phase": "validate", **validated}
    return {"kind": prepared["kind"], **bridge.run(job_id)}
