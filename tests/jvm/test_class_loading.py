"""Each binary version in its own class loader, in the driver and on the executors; jars on the
class path of a Python job's calls."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql.types import IntegerType

from tests.jvm.conftest import submit

VERSION_JOB = "bridge.tests.VersionJob"


def expected(version: str) -> dict:
    return {"driver": version, "executors": [f"{version}:{i}" for i in range(1, 5)]}


def test_two_versions_of_one_class_run_at_once_each_with_its_own_classes(bridge, version_jar):
    jars = {version: version_jar(version) for version in ("1", "2")}
    outcomes: dict[str, dict] = {}

    def run(version: str) -> None:
        outcomes[version] = submit(bridge, [jars[version]], VERSION_JOB)

    threads = [threading.Thread(target=run, args=(version,)) for version in jars]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert outcomes == {version: {"kind": "JSparkJob", "result": expected(version)} for version in jars}


def test_a_reuploaded_jar_is_used_by_the_next_job(bridge, spark, version_jar, tmp_path):
    cached = tmp_path / "cache" / "job.jar"  # re-uploads under a new digest get a new path, even simpler
    cached.parent.mkdir()
    shutil.copy(version_jar("1"), cached)
    assert submit(bridge, [cached], VERSION_JOB)["result"] == expected("1")
    shutil.copy(version_jar("2"), cached)
    stat = cached.stat()
    os.utime(cached, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later write, surely
    assert submit(bridge, [cached], VERSION_JOB)["result"] == expected("2")
    # the context's own tasks fetch every session's jars: two versions of job.jar must not collide
    assert spark.sparkContext.parallelize([1, 2], 2).map(lambda x: x * 2).collect() == [2, 4]


def test_versions_keep_their_classes_on_executors_after_the_contexts_own_tasks(
    bridge, spark, version_jar, tmp_path
):
    """Executors ask Spark's default class loader before a session's own: the context's own tasks
    (a Python job's RDD work) give that loader every session's jars, so a job's classes must not
    reach it. New sessions of both versions after such a task: without that, one gets the other's."""

    def new_session_of(version: str, round_: str) -> Path:  # another path: another binary session
        copy = tmp_path / round_ / version / "version_job.jar"
        copy.parent.mkdir(parents=True)
        return Path(shutil.copy(version_jar(version), copy))

    for round_ in ("before", "after"):
        for version in ("1", "2"):
            outcome = submit(bridge, [new_session_of(version, round_)], VERSION_JOB)
            assert (round_, outcome["result"]) == (round_, expected(version))
        assert spark.sparkContext.parallelize(range(4), 2).count() == 4  # in Spark's default class loader


def test_a_job_reads_files_bundled_in_its_jar_on_the_driver_and_the_executors(bridge, test_jar):
    assert submit(bridge, [test_jar], "bridge.tests.ResourceJob")["result"] == {
        "driver": "bundled with the job",
        "executors": ["bundled with the job"] * 2,
    }


def test_a_python_job_registers_and_runs_a_java_udf_from_its_cp_jar(bridge, spark, udf_jar):
    with bridge.jars_on_classpath([udf_jar]) as session:
        session.udf.registerJavaFunction("plus_one", "example.udf.PlusOne", IntegerType())
        rows = session.sql("select plus_one(cast(id as int)) as n from range(4)").collect()
    assert [row.n for row in rows] == [1, 2, 3, 4]
    with pytest.raises(AnalysisException, match=r"example\.udf\.PlusOne"):  # not in the context's session
        spark.udf.registerJavaFunction("plus_one", "example.udf.PlusOne", IntegerType())
